"""Individual plans (LE-11; §5.6 categories, §5.7): created by an admin on the basis of
an order, content kept by the tutor, read by the student and linked guardians."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import IndividualPlan
from tests.learning.extras_support import (
    API,
    assert_problem,
    day,
    events,
    make_assignment,
    make_course,
)
from tests.learning.test_online_courses import create as create_online_course
from tests.support.service_world import World

URL = f"{API}/individual-plans"


def plan_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "student_id": str(world.id("student")),
        "category": "olympiad_preparation",
        "basis_document_title": "Приказ директора",
        "basis_document_number": "45-од",
        "basis_document_date": day(world, -3),
        "valid_from": day(world, -1),
        "valid_to": day(world, 60),
        "tutor_id": str(world.id("teacher")),
        "notes": "Подготовка к региональному этапу олимпиады по математике",
    }
    body.update(overrides)
    return body


async def create(client: httpx.AsyncClient, world: World, **overrides: Any) -> dict[str, Any]:
    r = await client.post(URL, json=plan_body(world, **overrides), headers=world.headers("admin"))
    assert r.status_code == 201, r.text
    result: dict[str, Any] = r.json()
    return result


async def plan_count(app: FastAPI, world: World) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count()).where(IndividualPlan.school_id == world.school_id)
        return int((await session.execute(stmt)).scalar_one())


class TestPlans:
    async def test_create_and_read(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course = await make_course(learning_app, world)
        online = await create_online_course(client, world)
        plan = await create(
            client,
            world,
            course_ids=[str(course), str(course)],
            online_course_ids=[online["id"]],
        )
        assert plan["category"] == "olympiad_preparation"
        assert plan["category_label"].startswith("обучающиеся, проходящие подготовку")
        assert plan["basis_document"] == {
            "title": "Приказ директора",
            "number": "45-од",
            "date": day(world, -3),
        }
        assert plan["course_ids"] == [str(course)]
        assert plan["online_course_ids"] == [online["id"]]
        assert plan["is_active"] is True
        assert plan["tutor_name"] == "Иванова Анна"
        assert plan["student_name"] == "Соколов Артём"
        assert plan["version"] == 1

        for who in ("student", "guardian", "teacher", "teacher2", "staff", "admin"):
            r = await client.get(f"{URL}/{plan['id']}", headers=world.headers(who))
            assert r.status_code == 200, who
            listed = await client.get(URL, headers=world.headers(who))
            assert [p["id"] for p in listed.json()["items"]] == [plan["id"]], who
        for who in ("student2", "guardian2", "student3"):
            r = await client.get(f"{URL}/{plan['id']}", headers=world.headers(who))
            assert_problem(r, 404, "individual-plan-not-found")
            listed = await client.get(URL, headers=world.headers(who))
            assert listed.json()["items"] == [], who

        created = await events(learning_app, world, "individual_plan.created")
        assert len(created) == 1
        payload = created[0]["payload"]
        assert payload["id"] == plan["id"]
        assert payload["student_id"] == str(world.id("student"))
        assert payload["category"] == "olympiad_preparation"
        assert payload["basis_document"]["number"] == "45-од"
        assert payload["valid_to"] == day(world, 60)
        assert payload["course_ids"] == [str(course)]
        assert payload["version"] == 1

    @pytest.mark.parametrize(
        "category", ["olympiad_preparation", "high_achiever", "absent_valid_reason", "part_time"]
    )
    async def test_every_category_of_5_6(
        self, client: httpx.AsyncClient, world: World, category: str
    ) -> None:
        plan = await create(client, world, category=category)
        assert plan["category"] == category
        assert plan["category_label"].startswith("обучающиеся")

    async def test_filters(self, client: httpx.AsyncClient, world: World) -> None:
        a = await create(client, world, category="high_achiever")
        b = await create(
            client,
            world,
            student_id=str(world.id("student2")),
            category="absent_valid_reason",
            tutor_id=str(world.id("teacher2")),
            valid_from=day(world, 10),
            valid_to=day(world, 20),
        )
        h = world.headers("admin")

        async def ids(**params: Any) -> list[str]:
            r = await client.get(URL, params=params, headers=h)
            assert r.status_code == 200, r.text
            return [p["id"] for p in r.json()["items"]]

        assert set(await ids()) == {a["id"], b["id"]}
        assert await ids(category="absent_valid_reason") == [b["id"]]
        assert await ids(student_id=str(world.id("student"))) == [a["id"]]
        assert await ids(tutor_id=str(world.id("teacher2"))) == [b["id"]]
        assert await ids(active_on=day(world, 0)) == [a["id"]]
        assert set(await ids(active_on=day(world, 15))) == {a["id"], b["id"]}
        r = await client.get(
            URL, params={"student_id": str(world.id("student2"))}, headers=world.headers("guardian")
        )
        assert_problem(r, 404)

    async def test_tutor_edits_content_only(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course = await make_course(learning_app, world)
        plan = await create(client, world)
        url = f"{URL}/{plan['id']}"
        r = await client.patch(
            url,
            json={"course_ids": [str(course)], "notes": "Добавлен курс"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["course_ids"] == [str(course)]
        assert r.json()["version"] == 2
        for change in (
            {"category": "part_time"},
            {"valid_to": day(world, 90)},
            {"tutor_id": str(world.id("teacher2"))},
            {"basis_document_number": "1"},
        ):
            r = await client.patch(url, json=change, headers=world.headers("teacher"))
            assert_problem(r, 403, "individual-plan-forbidden")
        for who in ("teacher2", "staff", "student", "guardian"):
            r = await client.patch(url, json={"notes": "x"}, headers=world.headers(who))
            assert_problem(r, 403)
        r = await client.patch(url, json={"notes": "x"}, headers=world.headers("guardian2"))
        assert_problem(r, 404)

        r = await client.patch(
            url,
            json={"category": "part_time", "tutor_id": str(world.id("teacher2"))},
            headers=world.headers("admin"),
        )
        assert r.status_code == 200
        assert r.json()["category"] == "part_time"
        assert r.json()["version"] == 3
        # the former tutor no longer edits
        r = await client.patch(url, json={"notes": "y"}, headers=world.headers("teacher"))
        assert_problem(r, 403)
        # nothing changed: no new version, no event
        r = await client.patch(url, json={"category": "part_time"}, headers=world.headers("admin"))
        assert r.json()["version"] == 3

        updated = await events(learning_app, world, "individual_plan.updated")
        assert [e["payload"]["version"] for e in updated] == [2, 3]
        assert updated[-1]["payload"]["category"] == "part_time"
        assert updated[-1]["payload"]["tutor_id"] == str(world.id("teacher2"))

    async def test_only_admin_creates(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        for who in ("teacher", "staff", "student", "guardian"):
            r = await client.post(URL, json=plan_body(world), headers=world.headers(who))
            assert_problem(r, 403)
        assert await plan_count(learning_app, world) == 0

    async def test_assignments_of_the_students_courses(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course = await make_course(learning_app, world)
        other_class = await make_course(learning_app, world, class_name="3А", teacher="teacher2")
        own = await make_assignment(learning_app, world, course)
        foreign = await make_assignment(learning_app, world, other_class)
        plan = await create(client, world, course_ids=[str(course)], assignment_ids=[str(own)])
        assert plan["assignment_ids"] == [str(own)]
        r = await client.patch(
            f"{URL}/{plan['id']}",
            json={"assignment_ids": [str(foreign)]},
            headers=world.headers("admin"),
        )
        assert_problem(r, 422, "reference-outside-courses")
        r = await client.patch(
            f"{URL}/{plan['id']}",
            json={"assignment_ids": [str(uuid.uuid4())]},
            headers=world.headers("admin"),
        )
        assert_problem(r, 422, "assignment-not-found")


class TestBadInput:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"category": "gifted"}, "body.category"),
            ({"category": "Олимпиадники"}, "body.category"),
            ({"category": None}, "body.category"),
            ({"basis_document_number": ""}, "body.basis_document_number"),
            ({"basis_document_date": "12.10.2026"}, "body.basis_document_date"),
            ({"student_id": "x"}, "body.student_id"),
            ({"course_ids": "all"}, "body.course_ids"),
            ({"notes": "a\x00b"}, "body.notes"),
        ],
    )
    async def test_validation(
        self,
        client: httpx.AsyncClient,
        world: World,
        learning_app: FastAPI,
        overrides: dict[str, Any],
        field: str,
    ) -> None:
        r = await client.post(
            URL, json=plan_body(world, **overrides), headers=world.headers("admin")
        )
        body = assert_problem(r, 422, "validation-error")
        assert field in [e["field"] for e in body["errors"]], body
        assert await plan_count(learning_app, world) == 0

    async def test_rules(
        self, client: httpx.AsyncClient, world: World, other_world: World, learning_app: FastAPI
    ) -> None:
        h = world.headers("admin")
        backwards = plan_body(world, valid_from=day(world, 10), valid_to=day(world, 1))
        r = await client.post(URL, json=backwards, headers=h)
        body = assert_problem(r, 422, "validation-error")
        assert "раньше" in body["errors"][0]["message"]
        r = await client.post(
            URL, json=plan_body(world, tutor_id=str(world.id("staff"))), headers=h
        )
        assert_problem(r, 422, "tutor-not-a-teacher")
        r = await client.post(
            URL, json=plan_body(world, student_id=str(world.id("teacher"))), headers=h
        )
        assert_problem(r, 404, "student-not-found")
        r = await client.post(
            URL, json=plan_body(world, student_id=str(other_world.id("student"))), headers=h
        )
        assert_problem(r, 404, "student-not-found")
        third_grade = await make_course(learning_app, world, class_name="3А", teacher="teacher2")
        r = await client.post(URL, json=plan_body(world, course_ids=[str(third_grade)]), headers=h)
        assert_problem(r, 422, "course-not-taken")
        r = await client.post(
            URL, json=plan_body(world, online_course_ids=[str(uuid.uuid4())]), headers=h
        )
        assert_problem(r, 422, "online-course-not-found")
        assert await plan_count(learning_app, world) == 0

        plan = await create(client, world)
        r = await client.patch(f"{URL}/{plan['id']}", json={"valid_to": day(world, -5)}, headers=h)
        assert_problem(r, 422, "invalid-date-range")
        r = await client.patch(f"{URL}/{plan['id']}", json={"valid_to": None}, headers=h)
        assert_problem(r, 422, "validation-error")
        r = await client.get(f"{URL}/{plan['id']}", headers=other_world.headers("admin"))
        assert_problem(r, 404)
