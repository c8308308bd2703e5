"""Who may see and retry e-mail copies (LE-5, Reg §2.2, X-7).

* delivery status: admins and staff — every copy of the school; a teacher — the copies
  they own (for an assignment, its course's teachers), others' give an empty list;
  students and guardians: 403;
* one's own copies: every person, only their own (a guardian never sees another
  child's copy, a student never another student's);
* retry: an admin or an owning teacher; any other person of the school 403; a copy of
  another school is 404;
* anonymous: 401; a service token is no person: 403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from services.learning.models import Notification
from services.learning.notifications.outbox import Recipient
from tests.learning.notifications_support import API, add_notifications, set_state
from tests.support.service_world import CALLERS, World, service_headers

COVERED: set[str] = {
    "learning_list_notifications",
    "learning_list_my_notifications",
    "learning_retry_notification",
}

URL = f"{API}/notifications"
PEOPLE = tuple(CALLERS)
ROLES = ("anonymous", "service", *PEOPLE)


@dataclass
class Setting:
    world: World
    other: World
    ref: str
    rows: list[Notification]  # student, guardian (→ student), student2, guardian2 (→ student2)


@pytest.fixture
async def setting(learning_app: FastAPI, world: World, other_world: World) -> Setting:
    ref = f"assignment:{uuid.uuid4()}"
    rows = await add_notifications(
        learning_app,
        school_id=world.school_id,
        subject_ref=ref,
        owner_ids=[world.id("teacher")],
        recipients=[
            Recipient(world.id("student"), "student"),
            Recipient(world.id("guardian"), "guardian", on_behalf_of=world.id("student")),
            Recipient(world.id("student2"), "student"),
            Recipient(world.id("guardian2"), "guardian", on_behalf_of=world.id("student2")),
        ],
    )
    # the other school has a copy of its own, under the same reference
    await add_notifications(
        learning_app,
        school_id=other_world.school_id,
        subject_ref=ref,
        owner_ids=[other_world.id("teacher")],
        recipients=[Recipient(other_world.id("student"), "student")],
    )
    for row in rows:
        await set_state(learning_app, row.id, state="failed", next_attempt_at=None, attempts=3)
    return Setting(world, other_world, ref, rows)


def headers(world: World, role: str) -> dict[str, str]:
    if role == "service":
        return service_headers()
    return world.headers(role)


# how many of the world's four copies each caller sees in the status (None: 403)
VISIBLE: dict[str, int | None] = {
    "admin": 4,
    "staff": 4,
    "teacher": 4,
    "teacher2": 0,
    "student": None,
    "student2": None,
    "student3": None,
    "guardian": None,
    "guardian2": None,
}
# which of the world's copies (by index) each caller gets as their own
OWN: dict[str, list[int]] = {
    "admin": [],
    "staff": [],
    "teacher": [],
    "teacher2": [],
    "student": [0],
    "guardian": [1],
    "student2": [2],
    "guardian2": [3],
    "student3": [],
}


class TestListStatus:
    @pytest.mark.parametrize("role", ROLES)
    async def test_own_school(self, client: httpx.AsyncClient, setting: Setting, role: str) -> None:
        response = await client.get(
            URL, params={"subject_ref": setting.ref}, headers=headers(setting.world, role)
        )
        if role == "anonymous":
            assert response.status_code == 401
            return
        visible = VISIBLE.get(role)
        if visible is None:
            assert response.status_code == 403, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            return
        assert response.status_code == 200, response.text
        ids = {i["id"] for i in response.json()["items"]}
        assert len(ids) == visible
        assert ids <= {str(r.id) for r in setting.rows}

    @pytest.mark.parametrize("role", ["admin", "staff", "teacher"])
    async def test_another_school_sees_none_of_them(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(
            URL, params={"subject_ref": setting.ref}, headers=setting.other.headers(role)
        )
        assert response.status_code == 200
        ids = {i["id"] for i in response.json()["items"]}
        assert not ids & {str(r.id) for r in setting.rows}
        # the other school's admin, staff and owning teacher see exactly its one copy
        assert len(ids) == 1


class TestListMine:
    @pytest.mark.parametrize("role", ROLES)
    async def test_only_ones_own(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(f"{URL}/mine", headers=headers(setting.world, role))
        if role == "anonymous":
            assert response.status_code == 401
            return
        if role == "service":
            assert response.status_code == 403
            return
        assert response.status_code == 200, response.text
        ids = [i["id"] for i in response.json()["items"]]
        assert ids == [str(setting.rows[i].id) for i in OWN[role]]

    @pytest.mark.parametrize("role", ["student", "guardian", "admin"])
    async def test_another_school(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(f"{URL}/mine", headers=setting.other.headers(role))
        assert response.status_code == 200
        assert not {i["id"] for i in response.json()["items"]} & {str(r.id) for r in setting.rows}


class TestRetry:
    ALLOWED = ("admin", "teacher")

    @pytest.mark.parametrize("role", ROLES)
    async def test_own_school(self, client: httpx.AsyncClient, setting: Setting, role: str) -> None:
        # a guardian's copy about their own child: still not theirs to resend
        row = setting.rows[1]
        response = await client.post(f"{URL}/{row.id}/retry", headers=headers(setting.world, role))
        if role == "anonymous":
            assert response.status_code == 401
        elif role in self.ALLOWED:
            assert response.status_code == 200, response.text
            assert response.json()["state"] == "pending"
        else:
            assert response.status_code == 403, response.text
            assert response.headers["content-type"].startswith("application/problem+json")

    @pytest.mark.parametrize("role", PEOPLE)
    async def test_another_school_is_not_found(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        row = setting.rows[0]
        response = await client.post(f"{URL}/{row.id}/retry", headers=setting.other.headers(role))
        assert response.status_code == 404, response.text
        assert response.json()["type"] == "urn:eo:problem:notification-not-found"
