"""The transactional outbox and the change feed ``GET /api/v1/<service>/events`` (GW-5):
commit order, cursors, type filters, bad cursors, school scoping, roles."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.context import set_request_id
from services.common.outbox import emit
from services.common.pagination import encode_cursor
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld

# synthetic event types on a service's outbox (see tests/common/conftest.py)
pytestmark = pytest.mark.usefixtures("unchecked_payloads")

FEED = "/api/v1/identity/events"
PROBLEM = "application/problem+json"


async def emit_events(app: FastAPI, school_id: uuid.UUID, types: list[str]) -> list[str]:
    """Writes events the way a service does (in a unit of work); returns their aggregate ids."""
    ids: list[str] = []
    async with app.state.database.session() as session:
        for index, event_type in enumerate(types):
            aggregate = str(uuid.uuid4())
            await emit(
                session,
                app.state.kernel.outbox,
                school_id=school_id,
                type=event_type,
                aggregate_type=event_type.split(".")[0],
                aggregate_id=aggregate,
                payload={"n": index},
            )
            ids.append(aggregate)
    return ids


async def feed(client: httpx.AsyncClient, headers: dict[str, str], **params: Any) -> httpx.Response:
    return await client.get(FEED, params=params, headers=headers)


class TestOrderAndCursor:
    async def test_events_come_in_commit_order(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        written = await emit_events(
            identity_app, school.id, ["user.created", "user.updated", "class_group.created"]
        )
        response = await feed(client, admin)
        assert response.status_code == 200, response.text
        body = response.json()
        assert [e["aggregate_id"] for e in body["items"]] == written
        assert [e["type"] for e in body["items"]] == [
            "user.created",
            "user.updated",
            "class_group.created",
        ]
        assert [e["payload"] for e in body["items"]] == [{"n": 0}, {"n": 1}, {"n": 2}]
        assert len({e["id"] for e in body["items"]}) == 3
        assert body["next_cursor"] == body["items"][-1]["cursor"]
        assert 'rel="next"' in response.headers["link"]
        assert body["next_cursor"] in response.headers["link"]

    async def test_after_continues_where_the_consumer_stopped(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        written = await emit_events(identity_app, school.id, ["user.created"] * 5)
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(10):
            params: dict[str, Any] = {"limit": 2}
            if cursor:
                params["after"] = cursor
            body = (await feed(client, admin, **params)).json()
            seen.extend(e["aggregate_id"] for e in body["items"])
            cursor = body["next_cursor"]
            if not body["items"]:
                break
        assert seen == written
        # nothing new: the same cursor comes back, so a consumer can keep polling
        empty = (await feed(client, admin, after=cursor)).json()
        assert empty == {"items": [], "next_cursor": cursor}
        # a later write appears after the stored cursor, and only it
        later = await emit_events(identity_app, school.id, ["user.deactivated"])
        body = (await feed(client, admin, after=cursor)).json()
        assert [e["aggregate_id"] for e in body["items"]] == later

    async def test_types_filter(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        written = await emit_events(
            identity_app,
            school.id,
            ["user.created", "guardianship.created", "user.updated", "academic_year.created"],
        )
        body = (await feed(client, admin, types="user.created,academic_year.created")).json()
        assert [e["aggregate_id"] for e in body["items"]] == [written[0], written[3]]
        body = (await feed(client, admin, types=" guardianship.created ")).json()
        assert [e["aggregate_id"] for e in body["items"]] == [written[1]]
        body = (await feed(client, admin, types="nothing.matches")).json()
        assert body["items"] == []

    async def test_events_carry_actor_and_request_id(
        self, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        set_request_id("outbox-req-1")
        try:
            [aggregate] = await emit_events(identity_app, school.id, ["user.created"])
        finally:
            set_request_id(None)
        outbox = identity_app.state.kernel.outbox
        async with identity_app.state.database.session() as session:
            row = (
                await session.execute(select(outbox).where(outbox.aggregate_id == aggregate))
            ).scalar_one()
        assert row.request_id == "outbox-req-1"
        assert row.school_id == school.id


class TestRealWrites:
    async def test_a_write_and_its_event_commit_together(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        body = {
            "username": f"feed-{uuid.uuid4().hex[:8]}",
            "last_name": "Лебедева",
            "first_name": "Мария",
            "roles": ["staff"],
        }
        created = await client.post("/api/v1/identity/users", json=body, headers=admin)
        assert created.status_code == 201, created.text
        # a refused write leaves no event behind
        refused = await client.post("/api/v1/identity/users", json=body, headers=admin)
        assert refused.status_code == 409
        body = (await feed(client, admin, types="user.created")).json()
        assert [e["aggregate_id"] for e in body["items"]] == [created.json()["user"]["id"]]


class TestBadCursor:
    async def test_garbage_cursor_is_400(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        for garbage in ("%%%not-base64", "bm90IGpzb24", encode_cursor({"x": 1}), "W10"):
            response = await feed(client, admin, after=garbage)
            assert response.status_code == 400, (garbage, response.text)
            assert response.headers["content-type"].startswith(PROBLEM)
            assert response.json()["type"] == "urn:eo:problem:invalid-cursor"

    async def test_negative_or_non_integer_positions_are_400(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        for value in (-1, "5", 1.5, None, True):
            response = await feed(client, admin, after=encode_cursor({"e": value}))
            assert response.status_code == 400, (value, response.text)

    async def test_cursor_from_the_future_is_400(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        await emit_events(identity_app, school.id, ["user.created"])
        outbox = identity_app.state.kernel.outbox
        async with identity_app.state.database.session() as session:
            top = (await session.execute(select(func.max(outbox.id)))).scalar_one()
        response = await feed(client, admin, after=encode_cursor({"e": top + 1000}))
        assert response.status_code == 400
        assert response.json()["type"] == "urn:eo:problem:invalid-cursor"

    async def test_limit_out_of_range_is_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        for limit in (0, 1001, "many"):
            response = await feed(client, admin, limit=limit)
            assert 400 <= response.status_code < 500
            assert response.headers["content-type"].startswith(PROBLEM)
        above_cap = await feed(client, admin, limit=1001)
        assert above_cap.status_code == 400
        assert above_cap.json()["type"] == "urn:eo:problem:limit-too-large"


class TestScoping:
    async def test_other_schools_events_are_invisible(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        mine = await emit_events(identity_app, school.id, ["user.created"])
        theirs = await emit_events(identity_app, other_school.id, ["user.created"] * 2)
        mine += await emit_events(identity_app, school.id, ["user.updated"])
        admin = await bearer(client, school["admin"].username)
        body = (await feed(client, admin)).json()
        assert [e["aggregate_id"] for e in body["items"]] == mine
        other_admin = await bearer(client, other_school["admin"].username)
        body = (await feed(client, other_admin)).json()
        assert [e["aggregate_id"] for e in body["items"]] == theirs

    async def test_staff_may_read_the_feed(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        written = await emit_events(identity_app, school.id, ["user.created"])
        staff = await bearer(client, school["staff"].username)
        body = (await feed(client, staff)).json()
        assert [e["aggregate_id"] for e in body["items"]] == written

    async def test_other_roles_and_anonymous_may_not(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        for role in ("teacher", "student", "guardian"):
            headers = await bearer(client, school[role].username)
            response = await feed(client, headers)
            assert response.status_code == 403, role
            assert response.headers["content-type"].startswith(PROBLEM)
        anonymous = await client.get(FEED)
        assert anonymous.status_code == 401
