"""Giving assignments (LE-5, LE-12, Reg §1.4, X-1): targets, deadlines in the school's time
zone, the published event, bad input, and changes before publication."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import Assignment, kernel
from services.learning.models.materials import Material
from tests.learning.assignments_support import (
    API,
    FakeClock,
    assignment_body,
    create_assignment,
    events,
    install_clock,
    local_iso,
    make_course,
    make_lesson,
    problem,
)
from tests.support.service_world import World

PUBLISHED_KEYS = {
    "id",
    "course_id",
    "lesson_id",
    "title",
    "due_at",
    "due_date",
    "published_at",
    "student_ids",
    "expected_screen_minutes",
    "has_alternative",
    "alternative",
    "delivery_form",
}


def instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def stored_count(app: FastAPI, world: World) -> tuple[int, int]:
    async with app.state.database.session() as session:
        assignments = await session.scalar(
            select(func.count())
            .select_from(Assignment)
            .where(Assignment.school_id == world.school_id)
        )
        outbox = await session.scalar(
            select(func.count())
            .select_from(kernel.outbox)
            .where(kernel.outbox.school_id == world.school_id)
        )
    return assignments or 0, outbox or 0


@pytest.fixture
def clock(learning_app: FastAPI) -> FakeClock:
    return install_clock(learning_app)


@pytest.fixture
async def course_id(learning_app: FastAPI, world: World) -> uuid.UUID:
    return await make_course(learning_app, world)


class TestCreate:
    async def test_a_class_assignment_is_published_at_once_with_a_local_deadline(
        self,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        body = await create_assignment(client, world, course_id)
        assert body["status"] == "published"
        assert body["subject"] == "Математика"
        assert body["target"] == {"kind": "class", "group_name": None, "student_ids": None}
        # 18:00 in Samara (UTC+4) is 14:00 UTC
        assert instant(body["due_at"]) == datetime(2026, 11, 27, 14, 0, tzinfo=UTC)
        assert body["due_local"] == "2026-11-27T18:00:00+04:00"
        assert instant(body["published_at"]) == clock.now
        assert body["delivery_form"] == "e_learning"
        assert body["stats"]["targets"] == 2

        (event,) = await events(client, world, "assignment.published")
        payload = event["payload"]
        assert set(payload) == PUBLISHED_KEYS
        assert payload["id"] == body["id"]
        assert payload["due_at"] == "2026-11-27T14:00:00+00:00"
        assert payload["due_date"] == "2026-11-27"
        assert payload["published_at"] == clock.now.isoformat()
        assert payload["student_ids"] == sorted(
            [str(world.id("student")), str(world.id("student2"))]
        )
        assert payload["lesson_id"] is None
        assert payload["has_alternative"] is False

    async def test_a_deadline_with_an_offset_is_an_instant(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        body = await create_assignment(client, world, course_id, due_at="2026-11-27T18:00:00+03:00")
        assert instant(body["due_at"]) == datetime(2026, 11, 27, 15, 0, tzinfo=UTC)
        assert body["due_local"] == "2026-11-27T19:00:00+04:00"

    async def test_a_lesson_assignment_takes_the_course_and_delivery_form_of_the_lesson(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        lesson_id = await make_lesson(learning_app, world, course_id, delivery_form="distance")
        body = await create_assignment(
            client,
            world,
            course_id,
            lesson_id=str(lesson_id),
            expected_screen_minutes=[{"device": "laptop", "minutes": 20}],
            alternative="Задачи на листе, сдать учителю в понедельник",
        )
        assert body["lesson_id"] == str(lesson_id)
        assert body["delivery_form"] == "distance"
        assert body["expected_screen_minutes"] == [{"device": "laptop", "minutes": 20}]
        (event,) = await events(client, world, "assignment.published")
        assert event["payload"]["lesson_id"] == str(lesson_id)
        assert event["payload"]["delivery_form"] == "distance"
        assert event["payload"]["expected_screen_minutes"] == [{"device": "laptop", "minutes": 20}]
        assert event["payload"]["has_alternative"] is True
        assert event["payload"]["alternative"] == "Задачи на листе, сдать учителю в понедельник"

        # the lesson alone is enough
        body = assignment_body(None, lesson_id=str(lesson_id))
        r = await client.post(f"{API}/assignments", json=body, headers=world.headers("teacher"))
        assert r.status_code == 201, r.text
        assert r.json()["course_id"] == str(course_id)

    async def test_a_group_and_named_students_must_take_the_course(
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
            target={
                "kind": "group",
                "group_name": "Группа 1",
                "student_ids": [str(world.id("student2"))],
            },
        )
        assert body["target"] == {
            "kind": "group",
            "group_name": "Группа 1",
            "student_ids": [str(world.id("student2"))],
        }
        assert body["stats"]["targets"] == 1
        (event,) = await events(client, world, "assignment.published")
        assert event["payload"]["student_ids"] == [str(world.id("student2"))]

        before = await stored_count(learning_app, world)
        for target in (
            {"kind": "students", "student_ids": [str(world.id("student3"))]},  # class 3А
            {"kind": "students", "student_ids": [str(world.id("teacher"))]},
            {"kind": "group", "group_name": "Г", "student_ids": [str(uuid.uuid4())]},
        ):
            r = await client.post(
                f"{API}/assignments",
                json=assignment_body(course_id, target=target),
                headers=world.headers("teacher"),
            )
            problem(r, 422, "student-not-in-course")
        assert await stored_count(learning_app, world) == before

    async def test_a_sub_group_course_gives_a_class_assignment_to_its_students_only(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        clock: FakeClock,
    ) -> None:
        course = await make_course(learning_app, world, subgroup=["student"])
        body = await create_assignment(client, world, course)
        assert body["stats"]["targets"] == 1
        (event,) = await events(client, world, "assignment.published")
        assert event["payload"]["student_ids"] == [str(world.id("student"))]
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(
                course, target={"kind": "students", "student_ids": [str(world.id("student2"))]}
            ),
            headers=world.headers("teacher"),
        )
        problem(r, 422, "student-not-in-course")

    async def test_a_deadline_before_publication_is_refused_and_nothing_is_stored(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        before = await stored_count(learning_app, world)
        cases = [
            # due before the planned publication
            {
                "due_at": local_iso(date(2026, 11, 27), time(18, 0)),
                "publish_at": local_iso(date(2026, 11, 28), time(8, 0)),
            },
            # published now, due an hour ago (10:00 local now)
            {"due_at": local_iso(date(2026, 11, 25), time(9, 0))},
            # exactly at publication
            {
                "due_at": "2026-11-26T08:00:00+04:00",
                "publish_at": "2026-11-26T04:00:00Z",
            },
        ]
        for case in cases:
            r = await client.post(
                f"{API}/assignments",
                json=assignment_body(course_id, **case),
                headers=world.headers("teacher"),
            )
            problem(r, 422, "deadline-before-publication")
        assert await stored_count(learning_app, world) == before

    async def test_a_lesson_of_another_course_or_school_is_refused(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        other_course = await make_course(learning_app, world, subject="Физика")
        lesson = await make_lesson(learning_app, world, other_course)
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course_id, lesson_id=str(lesson)),
            headers=world.headers("teacher"),
        )
        problem(r, 422, "lesson-not-in-course")
        foreign_course = await make_course(learning_app, other_world)
        foreign_lesson = await make_lesson(learning_app, other_world, foreign_course)
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(None, lesson_id=str(foreign_lesson)),
            headers=world.headers("teacher"),
        )
        problem(r, 404, "lesson-not-found")
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(foreign_course),
            headers=world.headers("admin"),
        )
        problem(r, 404, "course-not-found")

    async def test_materials_are_attached_by_id(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        async def material(w: World, status: str = "active") -> uuid.UUID:
            id_ = uuid.uuid4()
            async with learning_app.state.database.session() as session:
                session.add(
                    Material(
                        id=id_,
                        school_id=w.school_id,
                        author_id=w.id("teacher"),
                        kind="own",
                        title="Памятка",
                        search_text="памятка",
                        status=status,
                    )
                )
            return id_

        ours = await material(world)
        body = await create_assignment(client, world, course_id, material_ids=[str(ours)])
        assert body["material_ids"] == [str(ours)]
        for bad in (uuid.uuid4(), await material(other_world), await material(world, "archived")):
            r = await client.post(
                f"{API}/assignments",
                json=assignment_body(course_id, material_ids=[str(ours), str(bad)]),
                headers=world.headers("teacher"),
            )
            assert str(bad) in problem(r, 422, "material-not-found")["detail"]

    @pytest.mark.parametrize(
        ("change", "field"),
        [
            ({"title": ""}, "body.title"),
            ({"title": "Задание\x00"}, "body.title"),
            ({"due_at": "завтра"}, "body.due_at"),
            ({"unknown": 1}, "body.unknown"),
            ({"target": {"kind": "class", "student_ids": [str(uuid.uuid4())]}}, "body.target"),
            ({"target": {"kind": "group", "student_ids": [str(uuid.uuid4())]}}, "body.target"),
            ({"target": {"kind": "students"}}, "body.target"),
            ({"expected_screen_minutes": [{"device": "phone", "minutes": 5}]}, "body.expected"),
            ({"expected_screen_minutes": [{"device": "pc", "minutes": 0}]}, "body.expected"),
            ({"delivery_form": "online"}, "body.delivery_form"),
            ({"course_id": None}, "body"),
        ],
    )
    async def test_malformed_input_gets_a_validation_problem(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
        change: dict[str, Any],
        field: str,
    ) -> None:
        body = assignment_body(course_id)
        body.update(change)
        r = await client.post(f"{API}/assignments", json=body, headers=world.headers("teacher"))
        problem_body = problem(r, 422, "validation-error")
        assert any(e["field"].startswith(field) for e in problem_body["errors"]), problem_body
        assert await stored_count(learning_app, world) == (0, 0)


class TestChanges:
    async def test_a_draft_is_edited_and_a_published_one_is_not(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        body = await create_assignment(client, world, course_id, draft=True)
        r = await client.patch(
            f"{API}/assignments/{body['id']}",
            json={
                "title": "Задачи № 6–10",
                "due_at": "2026-11-30T12:00:00",
                "target": {"kind": "students", "student_ids": [str(world.id("student"))]},
                "alternative": "Бумажный вариант у классного руководителя",
            },
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        changed = r.json()
        assert changed["title"] == "Задачи № 6–10"
        assert changed["due_local"] == "2026-11-30T12:00:00+04:00"
        assert changed["target"]["student_ids"] == [str(world.id("student"))]
        assert changed["alternative"] == "Бумажный вариант у классного руководителя"
        assert changed["instructions"] == body["instructions"]

        r = await client.patch(
            f"{API}/assignments/{body['id']}",
            json={"due_at": "2026-11-20T12:00:00"},
            headers=world.headers("teacher"),
        )
        problem(r, 422, "deadline-before-publication")
        r = await client.patch(
            f"{API}/assignments/{body['id']}",
            json={"title": None},
            headers=world.headers("teacher"),
        )
        problem(r, 422, "validation-error")

        await client.post(
            f"{API}/assignments/{body['id']}/publish", headers=world.headers("teacher")
        )
        r = await client.patch(
            f"{API}/assignments/{body['id']}",
            json={"title": "Другое"},
            headers=world.headers("teacher"),
        )
        problem(r, 409, "assignment-already-published")
        r = await client.delete(f"{API}/assignments/{body['id']}", headers=world.headers("admin"))
        problem(r, 409, "assignment-already-published")

    async def test_a_draft_is_deleted(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        body = await create_assignment(client, world, course_id, draft=True)
        r = await client.delete(f"{API}/assignments/{body['id']}", headers=world.headers("teacher"))
        assert r.status_code == 204
        r = await client.get(f"{API}/assignments/{body['id']}", headers=world.headers("teacher"))
        problem(r, 404, "assignment-not-found")

    async def test_only_the_course_teacher_or_an_admin_changes_it(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        body = await create_assignment(client, world, course_id, draft=True)
        for who in ("teacher2", "staff", "student", "guardian"):
            r = await client.patch(
                f"{API}/assignments/{body['id']}",
                json={"title": "Чужое"},
                headers=world.headers(who),
            )
            assert r.status_code in (403, 404), (who, r.text)
        r = await client.patch(
            f"{API}/assignments/{body['id']}",
            json={"title": "От администратора"},
            headers=world.headers("admin"),
        )
        assert r.status_code == 200
