"""Term and year marks (JO-4) and the diary (JO-6)."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.journal.learning_events import (
    a_course,
    course_created,
    feed,
    lesson_scheduled,
    plan_updated,
)
from tests.support.access_check import expect
from tests.support.service_world import World

API = "/api/v1/journal"


@pytest.fixture
async def periods(client: httpx.AsyncClient, world: World) -> list[dict[str, str]]:
    r = await client.put(
        f"{API}/periods",
        json={
            "academic_year_id": str(world.year_id),
            "kind": "quarter",
            "periods": [
                {"starts_on": "2026-09-01", "ends_on": "2026-10-25"},
                {"starts_on": "2026-11-05", "ends_on": "2026-12-28"},
                {"starts_on": "2027-01-09", "ends_on": "2027-03-21"},
                {"starts_on": "2027-03-30", "ends_on": "2027-05-31"},
            ],
        },
        headers=world.headers("admin"),
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


async def mark(
    client: httpx.AsyncClient,
    world: World,
    course: uuid.UUID,
    value: str,
    day: str,
    weight: str = "1",
    student: str = "student",
) -> None:
    r = await client.post(
        f"{API}/marks",
        json={
            "course_id": str(course),
            "student_id": str(world.id(student)),
            "value": value,
            "date": day,
            "weight": weight,
        },
        headers=world.headers("teacher"),
    )
    assert r.status_code == 201, r.text


class TestTermMarks:
    async def test_averages_suggest_and_teacher_sets(
        self,
        journal_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        periods: list[dict[str, str]],
    ) -> None:
        course = await a_course(journal_app, world)
        q2 = periods[1]["id"]
        await mark(client, world, course, "5", "2026-11-10")
        await mark(client, world, course, "3", "2026-11-12", weight="2")
        await mark(client, world, course, "зачёт", "2026-11-13")
        await mark(client, world, course, "2", "2026-10-01")  # the first quarter
        overview = await client.get(
            f"{API}/courses/{course}/term-marks",
            params={"period_id": q2},
            headers=world.headers("teacher"),
        )
        assert overview.status_code == 200, overview.text
        row = next(
            r for r in overview.json()["rows"] if r["student_id"] == str(world.id("student"))
        )
        assert row["average"] == 4.0
        assert row["weighted_average"] == pytest.approx(3.67, abs=0.01)
        assert row["suggested"] == "4"
        assert row["term_mark"] is None
        url = f"{API}/courses/{course}/term-marks/{world.id('student')}"
        set_ = await client.put(
            url, params={"period_id": q2}, json={"value": "4"}, headers=world.headers("teacher")
        )
        assert set_.status_code == 200, set_.text
        change = await client.put(
            url,
            params={"period_id": q2},
            json={"value": "5", "reason": "Пересдача"},
            headers=world.headers("teacher"),
        )
        assert change.status_code == 428
        ok = await client.put(
            url,
            params={"period_id": q2},
            json={"value": "5", "reason": "Пересдача"},
            headers=world.headers("teacher", **{"If-Match": set_.headers["etag"]}),
        )
        assert ok.status_code == 200
        history = await client.get(
            f"{API}/term-marks/{ok.json()['id']}/history", headers=world.headers("guardian")
        )
        assert [c["new"]["value"] for c in history.json()["changes"]] == ["4", "5"]
        other_child = await client.get(
            f"{API}/term-marks/{ok.json()['id']}/history", headers=world.headers("guardian2")
        )
        assert other_child.status_code == 404
        bad = await client.put(
            url,
            params={"period_id": q2},
            json={"value": "7"},
            headers=world.headers("teacher", **{"If-Match": ok.headers["etag"]}),
        )
        assert bad.status_code == 422
        year = await client.put(url, json={"value": "5"}, headers=world.headers("teacher"))
        assert year.status_code == 200
        assert year.json()["period_id"] is None


class TestDiary:
    async def test_a_week_of_a_student(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        math = await a_course(journal_app, world, subject="Математика")
        history = await a_course(journal_app, world, subject="История", teachers=("teacher2",))
        plan, topics = plan_updated(world, math, ["Дроби"])
        l1 = lesson_scheduled(world, math, date(2026, 11, 23), delivery_form="distance")
        l2 = lesson_scheduled(world, history, date(2026, 11, 24), teacher="teacher2")
        await feed(journal_app, plan, l1, l2)
        lesson1 = l1["payload"]["id"]
        record = await client.put(
            f"{API}/lessons/{lesson1}/record",
            json={"topic_id": str(topics[0]), "delivery_form": "in_person", "homework": "№ 7"},
            headers=world.headers("teacher"),
        )
        assert record.status_code == 201
        marked = await client.post(
            f"{API}/lessons/{lesson1}/marks",
            json={
                "marks": [
                    {"student_id": str(world.id("student")), "value": "5", "comment": "Отлично"}
                ]
            },
            headers=world.headers("teacher"),
        )
        assert marked.status_code == 201
        absent = await client.put(
            f"{API}/lessons/{l2['payload']['id']}/attendance",
            json={"entries": [{"student_id": str(world.id("student")), "reason": "illness"}]},
            headers=world.headers("teacher2"),
        )
        assert absent.status_code == 200
        params = {"from": "2026-11-23", "to": "2026-11-29"}
        url = f"{API}/students/{world.id('student')}/diary"
        diary = await client.get(url, params=params, headers=world.headers("guardian"))
        assert diary.status_code == 200, diary.text
        days = diary.json()["days"]
        assert [d["date"] for d in days] == ["2026-11-23", "2026-11-24"]
        first = days[0]["lessons"][0]
        assert first["subject"] == "Математика"
        assert first["topic"] == "Дроби"
        assert first["delivery_form"] == "in_person"
        assert first["homework"] == "№ 7"
        assert first["marks"][0]["value"] == "5"
        assert first["marks"][0]["comment"] == "Отлично"
        assert days[1]["lessons"][0]["absent"] is True
        assert days[1]["lessons"][0]["absence_reason"] == "illness"
        # the homeroom teacher of 7Б (teacher) sees every subject; teacher2 only history
        homeroom = await client.get(url, params=params, headers=world.headers("teacher"))
        assert {lesson["subject"] for d in homeroom.json()["days"] for lesson in d["lessons"]} == {
            "Математика",
            "История",
        }
        subject = await client.get(url, params=params, headers=world.headers("teacher2"))
        assert {lesson["subject"] for d in subject.json()["days"] for lesson in d["lessons"]} == {
            "История"
        }
        too_long = await client.get(
            url, params={"from": "2026-09-01", "to": "2027-01-01"}, headers=world.headers("student")
        )
        assert too_long.status_code == 400

    async def test_diary_queries_do_not_grow_with_lessons(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        engine = journal_app.state.database.engine
        sizes = []
        for n in (1, 20):
            w = World()
            from tests.support.service_world import seed_directory

            await seed_directory(journal_app, w)
            course = uuid.uuid4()
            await feed(journal_app, course_created(w, course_id=course))
            await feed(
                journal_app,
                *[lesson_scheduled(w, course, date(2026, 11, 2 + d % 25)) for d in range(n)],
            )
            counted: list[int] = []

            def count(*args: object, counted: list[int] = counted) -> None:
                counted.append(1)

            event.listen(engine.sync_engine, "before_cursor_execute", count)
            try:
                r = await client.get(
                    f"{API}/students/{w.id('student')}/diary",
                    params={"from": "2026-11-01", "to": "2026-11-30"},
                    headers=w.headers("guardian"),
                )
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", count)
            assert r.status_code == 200
            sizes.append(len(counted))
        assert sizes[0] == sizes[1]


async def test_access(
    journal_app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    other_world: World,
    periods: list[dict[str, str]],
) -> None:
    course = await a_course(journal_app, world)
    q2 = {"period_id": periods[1]["id"]}
    await expect(
        client,
        "GET",
        f"{API}/courses/{course}/term-marks",
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 200,
            "guardian": 200,
            "teacher": 200,
            "staff": 200,
            "admin": 200,
            "student3": 404,
            "teacher2": 403,
            "other:admin": 404,
        },
        params=q2,
    )
    url = f"{API}/courses/{course}/term-marks/{world.id('student')}"
    await expect(
        client,
        "PUT",
        url,
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 403,
            "guardian": 403,
            "teacher2": 403,
            "staff": 403,
            "other:admin": 404,
            "teacher": 200,
            "admin": 428,
        },
        json={"value": "5"},
        params=q2,
    )
    listed = await client.get(
        f"{API}/courses/{course}/term-marks", params=q2, headers=world.headers("admin")
    )
    term = next(r["term_mark"]["id"] for r in listed.json()["rows"] if r["term_mark"])
    await expect(
        client,
        "GET",
        f"{API}/term-marks/{term}/history",
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 200,
            "guardian": 200,
            "teacher": 200,
            "staff": 200,
            "admin": 200,
            "student2": 404,
            "guardian2": 404,
            "teacher2": 404,
            "other:admin": 404,
        },
    )
    diary = {"from": "2026-11-01", "to": "2026-11-30"}
    await expect(
        client,
        "GET",
        f"{API}/students/{world.id('student')}/diary",
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 200,
            "guardian": 200,
            "teacher": 200,
            "teacher2": 200,
            "staff": 200,
            "admin": 200,
            "student2": 404,
            "guardian2": 404,
            "other:admin": 404,
        },
        params=diary,
    )
