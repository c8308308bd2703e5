"""Publishing assignments (LE-5, Reg §2.2): draft → scheduled → published, publication
when the time comes, and the e-mail copies to students and guardians."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.learning.assignments.publisher import publish_due
from services.learning.models import Assignment
from services.learning.models.notifications import Notification
from tests.learning.assignments_support import (
    API,
    FakeClock,
    create_assignment,
    events,
    install_clock,
    local_iso,
    make_course,
    problem,
    set_school_settings,
)
from tests.support.service_world import World


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def notifications(app: FastAPI, assignment_id: str) -> list[Notification]:
    async with app.state.database.session() as session:
        rows = await session.scalars(
            select(Notification).where(Notification.subject_ref == f"assignment:{assignment_id}")
        )
        return list(rows)


@pytest.fixture
def clock(learning_app: FastAPI) -> FakeClock:
    return install_clock(learning_app)


@pytest.fixture
async def course_id(learning_app: FastAPI, world: World) -> uuid.UUID:
    return await make_course(learning_app, world)


class TestPublication:
    async def test_a_draft_is_invisible_until_published(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        body = await create_assignment(client, world, course_id, draft=True)
        assert body["status"] == "draft"
        assert body["published_at"] is None
        r = await client.get(f"{API}/assignments", headers=world.headers("student"))
        assert r.json()["items"] == []
        r = await client.get(f"{API}/assignments/{body['id']}", headers=world.headers("student"))
        problem(r, 404, "assignment-not-found")
        assert await events(client, world, "assignment.published") == []

        clock.advance(minutes=5)
        r = await client.post(
            f"{API}/assignments/{body['id']}/publish", headers=world.headers("teacher")
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "published"
        assert instant(r.json()["published_at"]) == clock.now
        assert len(await events(client, world, "assignment.published")) == 1
        r = await client.get(f"{API}/assignments", headers=world.headers("student"))
        assert [a["id"] for a in r.json()["items"]] == [body["id"]]

        r = await client.post(
            f"{API}/assignments/{body['id']}/publish", headers=world.headers("teacher")
        )
        problem(r, 409, "assignment-already-published")
        assert len(await events(client, world, "assignment.published")) == 1

    async def test_a_scheduled_assignment_appears_when_its_time_comes(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        publish_at = local_iso(date(2026, 11, 26), time(8, 0))
        body = await create_assignment(client, world, course_id, publish_at=publish_at)
        assert body["status"] == "scheduled"
        assert instant(body["publish_at"]) == datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
        r = await client.get(f"{API}/assignments", headers=world.headers("student"))
        assert r.json()["items"] == []

        clock.set_local(datetime(2026, 11, 26, 7, 59))
        r = await client.get(f"{API}/assignments", headers=world.headers("student"))
        assert r.json()["items"] == []
        assert await events(client, world, "assignment.published") == []

        clock.set_local(datetime(2026, 11, 26, 8, 30))
        r = await client.get(f"{API}/assignments", headers=world.headers("student"))
        (item,) = r.json()["items"]
        assert item["status"] == "published"
        # published as of its scheduled time, not of the read that noticed it
        assert instant(item["published_at"]) == datetime(2026, 11, 26, 4, 0, tzinfo=UTC)
        r = await client.get(f"{API}/assignments", headers=world.headers("student2"))
        assert len(r.json()["items"]) == 1
        (event,) = await events(client, world, "assignment.published")
        assert event["payload"]["published_at"] == "2026-11-26T04:00:00+00:00"

    async def test_publish_due_publishes_each_due_assignment_once(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        other_course = await make_course(learning_app, other_world)
        soon = local_iso(date(2026, 11, 26), time(8, 0))
        later = local_iso(date(2026, 11, 27), time(8, 0))
        a = await create_assignment(client, world, course_id, publish_at=soon)
        b = await create_assignment(client, other_world, other_course, publish_at=soon, as_="admin")
        c = await create_assignment(client, world, course_id, publish_at=later)
        now = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
        async with learning_app.state.database.session() as session:
            assert await publish_due(session, now) == 2
        async with learning_app.state.database.session() as session:
            assert await publish_due(session, now) == 0
            statuses = {
                str(row.id): row.status
                for row in await session.scalars(
                    select(Assignment).where(
                        Assignment.id.in_([uuid.UUID(x["id"]) for x in (a, b, c)])
                    )
                )
            }
        assert statuses == {a["id"]: "published", b["id"]: "published", c["id"]: "scheduled"}
        assert len(await events(client, world, "assignment.published")) == 1
        assert len(await events(client, other_world, "assignment.published")) == 1

    async def test_publishing_a_draft_later_schedules_it(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        body = await create_assignment(client, world, course_id, draft=True)
        r = await client.post(
            f"{API}/assignments/{body['id']}/publish",
            json={"publish_at": "2026-11-26T08:00:00"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "scheduled"
        assert await events(client, world, "assignment.published") == []
        r = await client.post(
            f"{API}/assignments/{body['id']}/publish",
            json={"publish_at": "2026-11-28T08:00:00"},
            headers=world.headers("teacher"),
        )
        problem(r, 422, "deadline-before-publication")

    async def test_publishing_after_the_deadline_passed_is_refused(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        body = await create_assignment(client, world, course_id, draft=True)
        clock.set_local(datetime(2026, 11, 28, 9, 0))
        r = await client.post(
            f"{API}/assignments/{body['id']}/publish", headers=world.headers("teacher")
        )
        problem(r, 422, "deadline-before-publication")


class TestEmailCopies:
    async def test_each_student_and_linked_guardian_gets_a_copy(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        body = await create_assignment(client, world, course_id)
        rows = await notifications(learning_app, body["id"])
        assert {(r.recipient_id, r.recipient_role, r.on_behalf_of) for r in rows} == {
            (world.id("student"), "student", None),
            (world.id("student2"), "student", None),
            (world.id("guardian"), "guardian", world.id("student")),
            (world.id("guardian2"), "guardian", world.id("student2")),
        }
        copy = next(r for r in rows if r.recipient_id == world.id("guardian"))
        assert copy.topic == "assignment.published"
        assert "Решить задачи № 1–5" in copy.subject
        assert "Математика" in copy.subject
        assert "Соколов Артём" in copy.body
        assert "Педагог: Иванова Анна" in copy.body
        assert "Срок сдачи: 27.11.2026 18:00" in copy.body
        assert "Решите задачи из параграфа 12" in copy.body
        assert all(r.school_id == world.school_id for r in rows)

    async def test_a_scheduled_assignment_is_copied_when_published(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        body = await create_assignment(
            client,
            world,
            course_id,
            publish_at=local_iso(date(2026, 11, 26), time(8, 0)),
            target={"kind": "students", "student_ids": [str(world.id("student2"))]},
        )
        assert await notifications(learning_app, body["id"]) == []
        clock.set_local(datetime(2026, 11, 26, 9, 0))
        await client.get(f"{API}/assignments", headers=world.headers("student2"))
        rows = await notifications(learning_app, body["id"])
        assert {(r.recipient_id, r.recipient_role) for r in rows} == {
            (world.id("student2"), "student"),
            (world.id("guardian2"), "guardian"),
        }

    async def test_no_copies_when_the_school_turned_them_off(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        await set_school_settings(learning_app, world, email_copies_enabled=False)
        body = await create_assignment(client, world, course_id)
        assert await notifications(learning_app, body["id"]) == []
        assert len(await events(client, world, "assignment.published")) == 1
