"""Online courses (LE-10, §1.4): catalogue, modules, enrolment, progress, completion with
a certificate record and the ``online_course.completed`` event."""

from __future__ import annotations

import asyncio
import re
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import (
    OnlineCourseCertificate,
    OnlineCourseEnrolment,
    OnlineCourseProgress,
)
from tests.learning.extras_support import (
    API,
    assert_problem,
    events,
    has_table,
    local_today,
    make_course,
    make_material,
    make_quiz,
)
from tests.support.service_world import World

URL = f"{API}/online-courses"
ENROLMENTS = f"{API}/online-course-enrolments"
NUMBER = re.compile(r"^ОК-\d{4}-\d{6}$")


def course_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Финансовая грамотность",
        "description": "Онлайн-курс для 7–9 классов",
        "subject": "Обществознание",
        "level": "basic",
        "hours": 16,
    }
    body.update(overrides)
    return body


async def create(
    client: httpx.AsyncClient, world: World, who: str = "teacher", **overrides: Any
) -> dict[str, Any]:
    r = await client.post(URL, json=course_body(**overrides), headers=world.headers(who))
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def add_module(
    client: httpx.AsyncClient,
    world: World,
    course_id: str,
    *,
    materials: list[uuid.UUID] | None = None,
    quizzes: list[uuid.UUID] | None = None,
    who: str = "teacher",
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "title": extra.pop("title", "Модуль"),
        "material_ids": [str(m) for m in materials or []],
        "quiz_ids": [str(q) for q in quizzes or []],
        **extra,
    }
    r = await client.post(f"{URL}/{course_id}/modules", json=body, headers=world.headers(who))
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def publish(client: httpx.AsyncClient, world: World, course_id: str) -> dict[str, Any]:
    r = await client.patch(
        f"{URL}/{course_id}", json={"is_published": True}, headers=world.headers("teacher")
    )
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


async def enrol(
    client: httpx.AsyncClient, world: World, course_id: str, who: str, student: str | None = None
) -> httpx.Response:
    body = {"student_id": str(world.id(student))} if student else {}
    return await client.post(f"{URL}/{course_id}/enrolments", json=body, headers=world.headers(who))


async def mark(
    client: httpx.AsyncClient,
    world: World,
    enrolment_id: str,
    module_id: str,
    kind: str,
    item: uuid.UUID | str,
    who: str = "student",
) -> httpx.Response:
    return await client.post(
        f"{ENROLMENTS}/{enrolment_id}/progress",
        json={"module_id": module_id, "item_kind": kind, "item_id": str(item)},
        headers=world.headers(who),
    )


async def published_course(
    client: httpx.AsyncClient, world: World, learning_app: FastAPI
) -> tuple[dict[str, Any], list[tuple[str, str, uuid.UUID]]]:
    """A published course of two modules: (module id, kind, item id) of every item."""
    m1, m2 = uuid.uuid4(), uuid.uuid4()
    quiz = uuid.uuid4()
    if has_table("materials"):
        m1, m2 = await make_material(learning_app, world), await make_material(learning_app, world)
    if has_table("quizzes"):
        quiz = await make_quiz(learning_app, world, await make_course(learning_app, world))
    course = await create(client, world)
    first = await add_module(client, world, course["id"], materials=[m1, m2], title="Бюджет")
    second = await add_module(client, world, course["id"], quizzes=[quiz], title="Итоговый тест")
    await publish(client, world, course["id"])
    ids = [m["id"] for m in second["modules"]]
    assert ids[0] == first["modules"][0]["id"]
    items = [(ids[0], "material", m1), (ids[0], "material", m2), (ids[1], "quiz", quiz)]
    return course, items


class TestCatalogue:
    async def test_draft_modules_publish(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course = await create(client, world)
        assert course["is_published"] is False
        assert course["author_id"] == str(world.id("teacher"))
        assert course["author_name"] == "Иванова Анна"
        assert course["modules"] == []

        # a draft is its author's and the administration's
        for who in ("student", "guardian", "teacher2"):
            r = await client.get(f"{URL}/{course['id']}", headers=world.headers(who))
            assert_problem(r, 404, "online-course-not-found")
            listed = await client.get(URL, headers=world.headers(who))
            assert listed.json()["items"] == [], who
        for who in ("teacher", "admin", "staff"):
            r = await client.get(f"{URL}/{course['id']}", headers=world.headers(who))
            assert r.status_code == 200, who

        r = await client.patch(
            f"{URL}/{course['id']}", json={"is_published": True}, headers=world.headers("teacher")
        )
        assert_problem(r, 422, "online-course-empty")

        a = await add_module(client, world, course["id"], materials=[], title="Введение")
        r = await client.patch(
            f"{URL}/{course['id']}", json={"is_published": True}, headers=world.headers("teacher")
        )
        assert_problem(r, 422, "online-course-empty")
        intro_id = a["modules"][0]["id"]
        quiz = uuid.uuid4()
        if has_table("quizzes"):
            quiz = await make_quiz(learning_app, world, await make_course(learning_app, world))
        b = await add_module(client, world, course["id"], quizzes=[quiz], title="Тест", position=1)
        assert [m["title"] for m in b["modules"]] == ["Тест", "Введение"]
        assert [m["position"] for m in b["modules"]] == [1, 2]

        moved = await client.patch(
            f"{URL}/{course['id']}/modules/{intro_id}",
            json={"position": 1, "title": "Введение в курс"},
            headers=world.headers("teacher"),
        )
        assert moved.status_code == 200, moved.text
        assert [m["title"] for m in moved.json()["modules"]] == ["Введение в курс", "Тест"]
        assert moved.json()["items_count"] == 1

        published = await publish(client, world, course["id"])
        assert published["is_published"] is True
        assert published["published_at"] is not None
        for who in ("student", "guardian", "teacher2", "student3"):
            listed = await client.get(URL, headers=world.headers(who))
            assert [c["id"] for c in listed.json()["items"]] == [course["id"]], who

        r = await client.delete(
            f"{URL}/{course['id']}/modules/{intro_id}", headers=world.headers("teacher")
        )
        assert r.status_code == 204
        left = await client.get(f"{URL}/{course['id']}", headers=world.headers("teacher"))
        assert [m["position"] for m in left.json()["modules"]] == [1]
        test_id = left.json()["modules"][0]["id"]
        r = await client.delete(
            f"{URL}/{course['id']}/modules/{test_id}", headers=world.headers("teacher")
        )
        assert_problem(r, 422, "online-course-empty")

    async def test_filters(self, client: httpx.AsyncClient, world: World) -> None:
        a = await create(client, world, subject="Информатика", level="secondary")
        b = await create(client, world, subject="Математика", level="basic")
        h = world.headers("admin")

        async def ids(**params: Any) -> list[str]:
            r = await client.get(URL, params=params, headers=h)
            assert r.status_code == 200, r.text
            return [c["id"] for c in r.json()["items"]]

        assert set(await ids()) == {a["id"], b["id"]}
        assert await ids(subject="Информатика") == [a["id"]]
        assert await ids(level="basic") == [b["id"]]
        assert await ids(published="true") == []
        assert set(await ids(author_id=str(world.id("teacher")))) == {a["id"], b["id"]}

    async def test_authoring_rights(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create(client, world)
        for who in ("teacher2", "staff"):
            r = await client.patch(
                f"{URL}/{course['id']}", json={"title": "Чужой"}, headers=world.headers(who)
            )
            assert r.status_code in (403, 404), who
        r = await client.patch(
            f"{URL}/{course['id']}",
            json={"title": "Новое название"},
            headers=world.headers("admin"),
        )
        assert r.json()["title"] == "Новое название"
        # an admin names the author; a teacher is always the author
        r = await client.post(URL, json=course_body(), headers=world.headers("admin"))
        assert_problem(r, 422, "author-required")
        r = await client.post(
            URL,
            json=course_body(author_id=str(world.id("teacher2"))),
            headers=world.headers("admin"),
        )
        assert r.status_code == 201
        assert r.json()["author_id"] == str(world.id("teacher2"))
        r = await client.post(
            URL,
            json=course_body(author_id=str(world.id("teacher2"))),
            headers=world.headers("teacher"),
        )
        assert_problem(r, 403)
        r = await client.post(
            URL,
            json=course_body(author_id=str(world.id("student"))),
            headers=world.headers("admin"),
        )
        assert_problem(r, 422, "author-not-a-teacher")
        for who in ("student", "guardian", "staff"):
            r = await client.post(URL, json=course_body(), headers=world.headers(who))
            assert_problem(r, 403)

    async def test_unknown_items_refused(
        self, client: httpx.AsyncClient, world: World, other_world: World, learning_app: FastAPI
    ) -> None:
        course = await create(client, world)
        foreign = await make_material(learning_app, other_world)
        for bad in (uuid.uuid4(), foreign):
            r = await client.post(
                f"{URL}/{course['id']}/modules",
                json={"title": "М", "material_ids": [str(bad)]},
                headers=world.headers("teacher"),
            )
            body = assert_problem(r, 422, "material-not-found")
            assert str(bad) in body["detail"]
        own = await make_material(learning_app, world)
        ok = await add_module(client, world, course["id"], materials=[own, own])
        assert ok["modules"][0]["material_ids"] == [str(own)]


class TestEnrolmentAndProgress:
    async def test_complete_course_issues_certificate(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course, items = await published_course(client, world, learning_app)
        r = await enrol(client, world, course["id"], "student")
        assert r.status_code == 201, r.text
        enrolment = r.json()
        assert enrolment["status"] == "active"
        assert enrolment["items_total"] == 3
        assert enrolment["items_done"] == 0
        assert [len(m["items"]) for m in enrolment["modules"]] == [2, 1]

        assert_problem(await enrol(client, world, course["id"], "student"), 409, "already-enrolled")

        for index, (module_id, kind, item) in enumerate(items[:-1], start=1):
            r = await mark(client, world, enrolment["id"], module_id, kind, item)
            assert r.status_code == 200, r.text
            assert r.json()["items_done"] == index
            assert r.json()["certificate"] is None
        # marking again changes nothing
        r = await mark(client, world, enrolment["id"], *items[0])
        assert r.json()["items_done"] == 2
        assert r.json()["percent"] == 66
        assert await events(learning_app, world, "online_course.completed") == []

        r = await mark(client, world, enrolment["id"], *items[-1])
        assert r.status_code == 200
        done = r.json()
        assert done["status"] == "completed"
        assert done["percent"] == 100
        cert = done["certificate"]
        assert NUMBER.match(cert["number"]), cert
        assert cert["number"].startswith(f"ОК-{local_today(world).year}-")
        assert cert["issued_on"] == local_today(world).isoformat()
        assert cert["hours"] == 16
        assert all(i["done"] for m in done["modules"] for i in m["items"])

        sent = await events(learning_app, world, "online_course.completed")
        assert len(sent) == 1
        assert sent[0]["payload"] == {
            "enrolment_id": enrolment["id"],
            "online_course_id": course["id"],
            "title": "Финансовая грамотность",
            "student_id": str(world.id("student")),
            "completed_at": sent[0]["payload"]["completed_at"],
            "certificate": {
                "id": cert["id"],
                "number": cert["number"],
                "issued_on": cert["issued_on"],
                "hours": 16,
            },
        }
        assert sent[0]["payload"]["completed_at"].endswith("+00:00")

        # a further mark neither issues another certificate nor another event
        r = await mark(client, world, enrolment["id"], *items[-1])
        assert r.json()["certificate"]["id"] == cert["id"]
        assert len(await events(learning_app, world, "online_course.completed")) == 1

    async def test_certificate_numbers_are_unique_and_running(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course, items = await published_course(client, world, learning_app)
        numbers = []
        for student in ("student", "student2", "student3"):
            enrolment = (await enrol(client, world, course["id"], student)).json()
            for item in items:
                r = await mark(client, world, enrolment["id"], *item, who=student)
                assert r.status_code == 200, r.text
            numbers.append(r.json()["certificate"]["number"])
        sequence = [int(n.rsplit("-", 1)[1]) for n in numbers]
        assert sequence == [sequence[0], sequence[0] + 1, sequence[0] + 2]

    async def test_concurrent_completions_get_distinct_numbers(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course, items = await published_course(client, world, learning_app)
        enrolments = {}
        for student in ("student", "student2"):
            enrolments[student] = (await enrol(client, world, course["id"], student)).json()["id"]
            for item in items[:-1]:
                await mark(client, world, enrolments[student], *item, who=student)
        results = await asyncio.gather(
            *(mark(client, world, enrolments[s], *items[-1], who=s) for s in enrolments)
        )
        assert all(r.status_code == 200 for r in results), [r.text for r in results]
        numbers = {r.json()["certificate"]["number"] for r in results}
        assert len(numbers) == 2
        async with learning_app.state.database.session() as session:
            stmt = select(func.count()).where(OnlineCourseCertificate.school_id == world.school_id)
            assert (await session.execute(stmt)).scalar_one() == 2

    async def test_concurrent_last_items_complete_once(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course, items = await published_course(client, world, learning_app)
        enrolment = (await enrol(client, world, course["id"], "student")).json()["id"]
        await mark(client, world, enrolment, *items[0])
        results = await asyncio.gather(
            mark(client, world, enrolment, *items[1]), mark(client, world, enrolment, *items[2])
        )
        assert all(r.status_code == 200 for r in results), [r.text for r in results]
        final = await client.get(f"{ENROLMENTS}/{enrolment}", headers=world.headers("student"))
        assert final.json()["status"] == "completed"
        assert len(await events(learning_app, world, "online_course.completed")) == 1

    async def test_teacher_enrols_students_and_guardians_read(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course, items = await published_course(client, world, learning_app)
        r = await enrol(client, world, course["id"], "teacher2", student="student")
        assert r.status_code == 201, r.text
        assert r.json()["enrolled_by"] == str(world.id("teacher2"))
        enrolment = r.json()["id"]
        r = await enrol(client, world, course["id"], "admin", student="student2")
        assert r.status_code == 201
        assert_problem(await enrol(client, world, course["id"], "teacher"), 422, "student-required")
        assert_problem(await enrol(client, world, course["id"], "guardian", student="student"), 403)
        assert_problem(await enrol(client, world, course["id"], "staff", student="student"), 403)
        assert_problem(await enrol(client, world, course["id"], "student", student="student2"), 404)

        await mark(client, world, enrolment, *items[0])
        # the guardian reads the child's progress, not another child's
        r = await client.get(f"{ENROLMENTS}/{enrolment}", headers=world.headers("guardian"))
        assert r.status_code == 200
        assert r.json()["items_done"] == 1
        assert_problem(
            await client.get(f"{ENROLMENTS}/{enrolment}", headers=world.headers("guardian2")), 404
        )
        assert_problem(
            await client.get(f"{ENROLMENTS}/{enrolment}", headers=world.headers("student2")), 404
        )
        # only the student marks progress
        for who in ("guardian", "teacher", "admin"):
            r = await mark(client, world, enrolment, *items[1], who=who)
            assert_problem(r, 403)
        assert_problem(await mark(client, world, enrolment, *items[1], who="student2"), 404)

        listed = await client.get(ENROLMENTS, headers=world.headers("guardian"))
        assert [e["id"] for e in listed.json()["items"]] == [enrolment]
        assert listed.json()["items"][0]["items_done"] == 1
        all_of_course = await client.get(
            f"{URL}/{course['id']}/enrolments", headers=world.headers("teacher")
        )
        assert len(all_of_course.json()["items"]) == 2
        own_only = await client.get(
            f"{URL}/{course['id']}/enrolments", headers=world.headers("student2")
        )
        assert [e["student_id"] for e in own_only.json()["items"]] == [str(world.id("student2"))]
        by_student = await client.get(
            ENROLMENTS,
            params={"student_id": str(world.id("student"))},
            headers=world.headers("admin"),
        )
        assert [e["id"] for e in by_student.json()["items"]] == [enrolment]
        r = await client.get(
            ENROLMENTS,
            params={"student_id": str(world.id("student2"))},
            headers=world.headers("guardian"),
        )
        assert_problem(r, 404)

    async def test_enrolled_student_keeps_an_unpublished_course(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course, _ = await published_course(client, world, learning_app)
        await enrol(client, world, course["id"], "student")
        r = await client.patch(
            f"{URL}/{course['id']}", json={"is_published": False}, headers=world.headers("teacher")
        )
        assert r.json()["is_published"] is False
        assert (
            await client.get(f"{URL}/{course['id']}", headers=world.headers("student"))
        ).status_code == 200
        assert (
            await client.get(f"{URL}/{course['id']}", headers=world.headers("guardian"))
        ).status_code == 200
        r = await client.get(f"{URL}/{course['id']}", headers=world.headers("student2"))
        assert_problem(r, 404)
        assert_problem(
            await enrol(client, world, course["id"], "admin", student="student2"),
            422,
            "online-course-not-published",
        )

    async def test_bad_progress(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course, items = await published_course(client, world, learning_app)
        other, _ = await published_course(client, world, learning_app)
        enrolment = (await enrol(client, world, course["id"], "student")).json()["id"]
        other_module = (
            await client.get(f"{URL}/{other['id']}", headers=world.headers("student"))
        ).json()["modules"][0]["id"]
        module_id, kind, item = items[0]
        assert_problem(
            await mark(client, world, enrolment, other_module, kind, item),
            422,
            "module-not-in-course",
        )
        assert_problem(
            await mark(client, world, enrolment, module_id, "quiz", item), 422, "item-not-in-module"
        )
        assert_problem(
            await mark(client, world, enrolment, module_id, kind, uuid.uuid4()),
            422,
            "item-not-in-module",
        )
        r = await client.post(
            f"{ENROLMENTS}/{enrolment}/progress",
            json={"module_id": module_id, "item_kind": "video", "item_id": str(item)},
            headers=world.headers("student"),
        )
        assert_problem(r, 422, "validation-error")
        async with learning_app.state.database.session() as session:
            stmt = select(func.count()).where(
                OnlineCourseProgress.enrolment_id == uuid.UUID(enrolment)
            )
            assert (await session.execute(stmt)).scalar_one() == 0

    async def test_draft_takes_no_enrolments(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course = await create(client, world)
        r = await enrol(client, world, course["id"], "teacher", student="student")
        assert_problem(r, 422, "online-course-not-published")
        assert_problem(await enrol(client, world, course["id"], "student"), 404)
        async with learning_app.state.database.session() as session:
            stmt = select(func.count()).where(
                OnlineCourseEnrolment.online_course_id == uuid.UUID(course["id"])
            )
            assert (await session.execute(stmt)).scalar_one() == 0


class TestBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"hours": 0}, "body.hours"),
            ({"hours": "16"}, "body.hours"),
            ({"title": ""}, "body.title"),
            ({"title": "   "}, "body.title"),
            ({"level": "university"}, "body.level"),
            ({"subject": "x" * 201}, "body.subject"),
            ({"is_published": True}, "body.is_published"),
        ],
    )
    async def test_create_validation(
        self, client: httpx.AsyncClient, world: World, overrides: dict[str, Any], field: str
    ) -> None:
        r = await client.post(URL, json=course_body(**overrides), headers=world.headers("teacher"))
        body = assert_problem(r, 422, "validation-error")
        assert field in [e["field"] for e in body["errors"]]
        listed = await client.get(URL, headers=world.headers("admin"))
        assert listed.json()["items"] == []

    async def test_module_validation(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create(client, world)
        bodies: list[dict[str, Any]] = [
            {"title": "М", "material_ids": ["nope"]},
            {"title": "М", "position": 0},
            {"material_ids": []},
        ]
        for body in bodies:
            r = await client.post(
                f"{URL}/{course['id']}/modules", json=body, headers=world.headers("teacher")
            )
            assert_problem(r, 422, "validation-error")
        r = await client.patch(
            f"{URL}/{course['id']}/modules/{uuid.uuid4()}",
            json={"title": "М"},
            headers=world.headers("teacher"),
        )
        assert_problem(r, 404, "online-module-not-found")
