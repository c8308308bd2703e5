"""§3.9 opt-outs enforced in learning (LE-12): from registration on, a student with an
opt-out is never given an ЭО/ДОТ lesson or assignment without an in-person or paper
alternative; teachers see who needs one; the student sees the alternative.

Compliance's events are applied through learning's feed handler (tests.learning.
optouts_support), as the feed consumer does."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import Assignment, Lesson, OptOutReplica, TimetableTemplate
from tests.learning.assignments_support import (
    assignment_body,
    events,
    install_clock,
    make_course,
)
from tests.learning.courses_support import create_course, create_lesson
from tests.learning.optouts_support import feed, optout_event, register_optout
from tests.support.service_world import World

API = "/api/v1/learning"
ALT = "Очно: консультация в кабинете 12 в 15:00, задания на бумаге у классного руководителя"


def refused(response: httpx.Response, *students: tuple[uuid.UUID, str]) -> dict[str, Any]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == "urn:eo:problem:optout-alternative-required"
    assert "§3.9" in body["detail"]
    assert body["students"] == [{"id": str(i), "name": n} for i, n in students]
    return body


async def count(app: FastAPI, model: Any, school_id: uuid.UUID) -> int:
    async with app.state.database.session() as session:
        n = await session.scalar(
            select(func.count()).select_from(model).where(model.school_id == school_id)
        )
    return int(n or 0)


class TestAssignments:
    async def test_publishing_needs_an_alternative_for_opted_out_students(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        install_clock(learning_app)
        course = await make_course(learning_app, world)
        await register_optout(learning_app, world, "student")
        student = (world.id("student"), "Соколов Артём")

        # distance, and e-learning by default: refused, nothing stored or sent
        for extra in ({"delivery_form": "distance"}, {}):
            r = await client.post(
                f"{API}/assignments",
                json=assignment_body(course, **extra),
                headers=world.headers("teacher"),
            )
            refused(r, student)
        assert await count(learning_app, Assignment, world.school_id) == 0
        assert await events(client, world, "assignment.published") == []

        # with the alternative: accepted and published
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course, delivery_form="distance", alternative=ALT),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        assert r.json()["status"] == "published"
        assert r.json()["alternative"] == ALT
        published = await events(client, world, "assignment.published")
        assert published[0]["payload"]["alternative"] == ALT

        # in person, or only for students without an opt-out: no alternative needed
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course, delivery_form="in_person"),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(
                course,
                delivery_form="distance",
                target={"kind": "students", "student_ids": [str(world.id("student2"))]},
            ),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text

    async def test_a_draft_is_published_only_once_it_has_an_alternative(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        install_clock(learning_app)
        course = await make_course(learning_app, world)
        await register_optout(learning_app, world, "student")
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course, delivery_form="distance", draft=True),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        draft = r.json()
        r = await client.post(
            f"{API}/assignments/{draft['id']}/publish", headers=world.headers("teacher")
        )
        refused(r, (world.id("student"), "Соколов Артём"))
        r = await client.get(f"{API}/assignments/{draft['id']}", headers=world.headers("teacher"))
        assert r.json()["status"] == "draft"
        # scheduled for later: refused as well, then a PATCH adds the alternative
        r = await client.post(
            f"{API}/assignments/{draft['id']}/publish",
            json={"publish_at": "2026-11-26T08:00:00"},
            headers=world.headers("teacher"),
        )
        refused(r, (world.id("student"), "Соколов Артём"))
        r = await client.patch(
            f"{API}/assignments/{draft['id']}",
            json={"alternative": ALT},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        r = await client.post(
            f"{API}/assignments/{draft['id']}/publish",
            json={"publish_at": "2026-11-26T08:00:00"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "scheduled"
        # a scheduled assignment cannot lose its alternative
        r = await client.patch(
            f"{API}/assignments/{draft['id']}",
            json={"alternative": None},
            headers=world.headers("teacher"),
        )
        refused(r, (world.id("student"), "Соколов Артём"))
        r = await client.get(f"{API}/assignments/{draft['id']}", headers=world.headers("teacher"))
        assert r.json()["alternative"] == ALT

    async def test_a_scheduled_assignment_waits_for_an_alternative_after_a_new_opt_out(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        clock = install_clock(learning_app)
        course = await make_course(learning_app, world)
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(
                course, delivery_form="distance", publish_at="2026-11-26T08:00:00"
            ),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        scheduled = r.json()
        assert scheduled["status"] == "scheduled"
        # the opt-out is registered after the assignment was scheduled
        await register_optout(learning_app, world, "student")
        clock.advance(days=1)
        r = await client.get(f"{API}/assignments", headers=world.headers("student"))
        assert r.json()["items"] == []
        r = await client.get(
            f"{API}/assignments/{scheduled['id']}", headers=world.headers("teacher")
        )
        assert r.json()["status"] == "scheduled"
        assert await events(client, world, "assignment.published") == []
        r = await client.patch(
            f"{API}/assignments/{scheduled['id']}",
            json={"alternative": ALT},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        r = await client.get(f"{API}/assignments", headers=world.headers("student"))
        (item,) = r.json()["items"]
        assert item["status"] == "published"
        assert item["opted_out"] is True

    async def test_the_student_and_guardian_see_the_alternative(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        install_clock(learning_app)
        course = await make_course(learning_app, world)
        await register_optout(learning_app, world, "student")
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course, delivery_form="distance", alternative=ALT),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        for who, opted in (("student", True), ("guardian", True), ("student2", False)):
            r = await client.get(f"{API}/assignments", headers=world.headers(who))
            assert r.status_code == 200, r.text
            (item,) = r.json()["items"]
            assert item["alternative"] == ALT
            assert item["opted_out"] is opted, who
        r = await client.get(f"{API}/assignments", headers=world.headers("teacher"))
        assert r.json()["items"][0]["opted_out"] is None

    async def test_what_an_opt_out_does_not_cover(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        install_clock(learning_app)
        maths = await make_course(learning_app, world)
        online = await make_course(
            learning_app, world, subject="Информатика", delivery="distance_only"
        )
        history = await make_course(learning_app, world, subject="История")
        # student: only for history; student2: withdrawn before today; student3's class: 3А
        await register_optout(learning_app, world, "student", course_ids=[history])
        withdrawn = await register_optout(learning_app, world, "student2")
        await feed(
            learning_app,
            optout_event(
                world,
                "student2",
                optout_id=withdrawn,
                status="withdrawn",
                effective_to=date(2026, 11, 20),
                version=3,
            ),
        )
        for course in (maths, online):
            r = await client.post(
                f"{API}/assignments",
                json=assignment_body(course, delivery_form="distance"),
                headers=world.headers("teacher"),
            )
            assert r.status_code == 201, r.text
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(history, delivery_form="distance"),
            headers=world.headers("teacher"),
        )
        refused(r, (world.id("student"), "Соколов Артём"))
        # an opt-out in force only from next month
        await register_optout(learning_app, world, "student2", effective_from=date(2026, 12, 1))
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(maths, delivery_form="distance"),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text


class TestLessons:
    async def test_a_distance_lesson_needs_an_alternative(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        course = await create_course(client, world)
        await register_optout(learning_app, world, "student")
        student = (world.id("student"), "Соколов Артём")
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json={"date": "2026-11-26", "starts_at": "09:00", "delivery_form": "distance"},
            headers=world.headers("teacher"),
        )
        refused(r, student)
        assert await count(learning_app, Lesson, world.school_id) == 0

        lesson = await create_lesson(
            client,
            world,
            course["id"],
            delivery_form="distance",
            video_room_url="https://sferum.ru/?call_link=abc",
            alternative=ALT,
        )
        assert lesson["alternative"] == ALT
        scheduled = [
            e
            for e in await _events(client, world, "lesson.scheduled")
            if e["payload"]["id"] == lesson["id"]
        ]
        assert scheduled[0]["payload"]["alternative"] == ALT

        # a lesson before the opt-out is in force, or in person: no alternative needed
        early = await create_lesson(
            client, world, course["id"], day="2026-10-20", delivery_form="distance"
        )
        in_person = await create_lesson(client, world, course["id"], day="2026-11-27")

        # PATCH: the alternative is settable; it cannot be dropped from a distance lesson
        r = await client.patch(
            f"{API}/lessons/{lesson['id']}",
            json={"alternative": "Бумажный вариант у учителя"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["alternative"] == "Бумажный вариант у учителя"
        r = await client.patch(
            f"{API}/lessons/{lesson['id']}",
            json={"alternative": None},
            headers=world.headers("teacher"),
        )
        refused(r, student)
        r = await client.patch(
            f"{API}/lessons/{in_person['id']}",
            json={"delivery_form": "distance"},
            headers=world.headers("teacher"),
        )
        refused(r, student)
        r = await client.patch(
            f"{API}/lessons/{in_person['id']}",
            json={"delivery_form": "distance", "alternative": ALT},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        # moving the early lesson into the opt-out's period needs an alternative too
        r = await client.post(
            f"{API}/lessons/{early['id']}/move",
            json={"date": "2026-11-30", "starts_at": "10:00"},
            headers=world.headers("teacher"),
        )
        refused(r, student)
        r = await client.get(f"{API}/lessons/{early['id']}", headers=world.headers("teacher"))
        assert r.json()["date"] == "2026-10-20"

    async def test_weekly_templates_carry_the_alternative(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        course = await create_course(client, world)
        templates = f"{API}/courses/{course['id']}/timetable/templates"
        # a slot made before the opt-out
        r = await client.post(
            templates,
            json={"weekday": 1, "starts_at": "09:00", "delivery_form": "distance"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        before = r.json()
        assert before["alternative"] is None
        await register_optout(learning_app, world, "student")
        student = (world.id("student"), "Соколов Артём")

        r = await client.post(
            templates,
            json={"weekday": 2, "starts_at": "09:00", "delivery_form": "distance"},
            headers=world.headers("teacher"),
        )
        refused(r, student)
        assert await count(learning_app, TimetableTemplate, world.school_id) == 1
        # generating from the old slot is refused: nothing is created
        r = await client.post(
            f"{API}/courses/{course['id']}/timetable/generate",
            json={"from": "2026-11-23", "to": "2026-12-06"},
            headers=world.headers("teacher"),
        )
        body = refused(r, student)
        assert "первый — 23.11.2026" in body["detail"]
        assert await count(learning_app, Lesson, world.school_id) == 0
        r = await client.patch(
            f"{templates}/{before['id']}",
            json={"alternative": ALT},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["alternative"] == ALT
        r = await client.post(
            f"{API}/courses/{course['id']}/timetable/generate",
            json={"from": "2026-11-23", "to": "2026-12-06"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 2
        r = await client.get(
            f"{API}/timetable",
            params={"from": "2026-11-23", "to": "2026-12-06", "course_id": course["id"]},
            headers=world.headers("teacher"),
        )
        assert [ls["alternative"] for ls in r.json()["lessons"]] == [ALT, ALT]
        r = await client.patch(
            f"{templates}/{before['id']}",
            json={"alternative": None},
            headers=world.headers("teacher"),
        )
        refused(r, student)
        r = await client.post(
            templates,
            json={
                "weekday": 3,
                "starts_at": "09:00",
                "delivery_form": "distance",
                "alternative": ALT,
            },
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text

    async def test_the_students_timetable_shows_the_alternative_instead_of_the_video_room(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        course = await create_course(client, world)
        await register_optout(learning_app, world, "student")
        await create_lesson(
            client,
            world,
            course["id"],
            delivery_form="distance",
            video_room_url="https://sferum.ru/?call_link=abc",
            alternative=ALT,
        )
        params = {"from": "2026-11-23", "to": "2026-11-29"}

        async def lesson_for(who: str, **extra: str) -> dict[str, Any]:
            r = await client.get(
                f"{API}/timetable", params={**params, **extra}, headers=world.headers(who)
            )
            assert r.status_code == 200, r.text
            (only,) = r.json()["lessons"]
            return dict(only)

        for who in ("student", "guardian"):
            mine = await lesson_for(who)
            assert mine["opted_out"] is True
            assert mine["alternative"] == ALT
            assert mine["video_room_url"] is None
        other = await lesson_for("student2")
        assert other["opted_out"] is False
        assert other["video_room_url"] == "https://sferum.ru/?call_link=abc"
        teacher_view = await lesson_for("teacher", student_id=str(world.id("student")))
        assert teacher_view["opted_out"] is True
        r = await client.get(f"{API}/lessons/{mine['id']}", headers=world.headers("student"))
        assert r.json()["opted_out"] is True
        assert r.json()["video_room_url"] is None
        r = await client.get(f"{API}/lessons/{mine['id']}", headers=world.headers("student2"))
        assert r.json()["opted_out"] is False
        assert r.json()["video_room_url"] == "https://sferum.ru/?call_link=abc"
        class_view = await lesson_for("teacher", class_group_id=str(world.class_id("7Б")))
        assert class_view["opted_out"] is None
        assert class_view["alternative"] == ALT


class TestTeachersList:
    async def test_the_course_list_of_opted_out_students(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        course = await create_course(client, world)
        optout_id = await register_optout(learning_app, world, "student")
        url = f"{API}/courses/{course['id']}/optout-students"
        r = await client.get(url, params={"on": "2026-11-26"}, headers=world.headers("teacher"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["course_id"] == course["id"]
        assert body["on"] == "2026-11-26"
        assert body["needs_alternative"] is True
        assert body["students"] == [
            {
                "id": str(world.id("student")),
                "name": "Соколов Артём",
                "optout_id": str(optout_id),
                "effective_from": "2026-11-01",
                "effective_to": None,
                "scope": "program",
            }
        ]
        r = await client.get(url, params={"on": "2026-10-31"}, headers=world.headers("admin"))
        assert r.json()["students"] == []
        assert r.json()["needs_alternative"] is False
        r = await client.get(url, params={"on": "31.10.2026"}, headers=world.headers("admin"))
        assert r.status_code == 422
        r = await client.get(
            f"{API}/courses/{uuid.uuid4()}/optout-students", headers=world.headers("admin")
        )
        assert r.status_code == 404


class TestFeed:
    async def test_events_apply_once_and_an_older_copy_changes_nothing(
        self, learning_app: FastAPI, world: World
    ) -> None:
        optout_id = uuid.uuid4()
        registered = optout_event(world, "student", optout_id=optout_id, version=2)
        withdrawn = optout_event(
            world,
            "student",
            optout_id=optout_id,
            status="withdrawn",
            effective_to=date(2026, 11, 20),
            version=3,
        )
        await feed(learning_app, registered, registered, withdrawn, registered)
        async with learning_app.state.database.session() as session:
            rows = list((await session.execute(select(OptOutReplica))).scalars())
        mine = [r for r in rows if r.id == optout_id]
        assert len(mine) == 1
        assert mine[0].status == "withdrawn"
        assert mine[0].effective_to == date(2026, 11, 20)
        assert mine[0].in_force(date(2026, 11, 19))
        assert not mine[0].in_force(date(2026, 11, 20))
        # events of other types on the same feed are ignored
        await feed(
            learning_app,
            {
                "id": str(uuid.uuid4()),
                "type": "norm_settings.updated",
                "school_id": str(world.school_id),
                "payload": {},
            },
        )


async def _events(client: httpx.AsyncClient, world: World, type_: str) -> list[dict[str, Any]]:
    r = await client.get(
        f"{API}/events", params={"types": type_, "limit": 1000}, headers=world.headers("admin")
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])
