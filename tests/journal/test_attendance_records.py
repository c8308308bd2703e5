"""Attendance (JO-3) with history, and lesson records (JO-1) with their report."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from fastapi import FastAPI

from tests.journal.learning_events import (
    a_course,
    feed,
    lesson_scheduled,
    plan_updated,
)
from tests.support.access_check import expect
from tests.support.service_world import World

API = "/api/v1/journal"

COVERED: set[str] = set()  # access cells are in test_access_records.py


@pytest.fixture
async def setup(journal_app: FastAPI, world: World) -> dict[str, object]:
    course = await a_course(journal_app, world)
    plan, topics = plan_updated(world, course, ["Дроби", "Проценты", "Уравнения"])
    lessons = [
        lesson_scheduled(
            world, course, date(2026, 11, d), topic=(topics[0], "Дроби"), delivery_form="distance"
        )
        for d in (16, 17, 18)
    ]
    await feed(journal_app, plan, *lessons)
    return {"course": course, "topics": topics, "lessons": [x["payload"]["id"] for x in lessons]}


class TestAttendance:
    async def test_absence_with_reason_and_history(
        self, client: httpx.AsyncClient, world: World, setup: dict[str, object]
    ) -> None:
        lesson = setup["lessons"][0]  # type: ignore[index]
        url = f"{API}/lessons/{lesson}/attendance"
        absent = {"entries": [{"student_id": str(world.id("student")), "reason": "illness"}]}
        r = await client.put(url, json=absent, headers=world.headers("teacher"))
        assert r.status_code == 200, r.text
        row = r.json()["items"][0]
        assert row["status"] == "absent"
        assert row["reason"] == "illness"
        fix = {
            "entries": [
                {
                    "student_id": str(world.id("student")),
                    "reason": "competition",
                    "change_reason": "Справка об участии в олимпиаде",
                }
            ]
        }
        assert (
            await client.put(url, json=fix, headers=world.headers("teacher"))
        ).status_code == 200
        history = await client.get(
            f"{API}/attendance/{row['id']}/history", headers=world.headers("guardian")
        )
        changes = history.json()["changes"]
        assert [c["action"] for c in changes] == ["created", "updated"]
        assert changes[1]["old"]["reason"] == "illness"
        assert changes[1]["new"]["reason"] == "competition"
        assert changes[1]["reason"] == "Справка об участии в олимпиаде"
        # patch needs If-Match
        patch = {"status": "present", "change_reason": "Опоздал, но был"}
        no_etag = await client.patch(
            f"{API}/attendance/{row['id']}", json=patch, headers=world.headers("teacher")
        )
        assert no_etag.status_code == 428
        etag = (
            await client.get(f"{API}/attendance/{row['id']}", headers=world.headers("teacher"))
        ).headers["etag"]
        ok = await client.patch(
            f"{API}/attendance/{row['id']}",
            json=patch,
            headers=world.headers("teacher", **{"If-Match": etag}),
        )
        assert ok.status_code == 200
        assert ok.json()["status"] == "present"
        assert ok.json()["reason"] is None

    async def test_bad_attendance(
        self, client: httpx.AsyncClient, world: World, setup: dict[str, object]
    ) -> None:
        url = f"{API}/lessons/{setup['lessons'][0]}/attendance"  # type: ignore[index]
        stranger = {"entries": [{"student_id": str(world.id("student3")), "reason": "illness"}]}
        r = await client.put(url, json=stranger, headers=world.headers("teacher"))
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:student-not-in-course"
        unknown = {"entries": [{"student_id": str(world.id("student")), "reason": "лень"}]}
        assert (
            await client.put(url, json=unknown, headers=world.headers("teacher"))
        ).status_code == 422


class TestLessonRecords:
    async def test_record_with_a_plan_topic_and_actual_form(
        self, client: httpx.AsyncClient, world: World, setup: dict[str, object]
    ) -> None:
        lesson = setup["lessons"][0]  # type: ignore[index]
        topics = setup["topics"]
        url = f"{API}/lessons/{lesson}/record"
        body = {
            "topic_id": str(topics[1]),
            "delivery_form": "in_person",  # type: ignore[index]
            "homework": "№ 12",
        }
        r = await client.put(url, json=body, headers=world.headers("teacher"))
        assert r.status_code == 201, r.text
        assert r.json()["topic_title"] == "Проценты"
        assert r.json()["planned_delivery_form"] == "distance"
        assert r.json()["held_as_planned"] is False
        again = await client.put(url, json=body, headers=world.headers("teacher"))
        assert again.status_code == 428
        etag = r.headers["etag"]
        ok = await client.put(
            url,
            json={**body, "delivery_form": "distance"},
            headers=world.headers("teacher", **{"If-Match": etag}),
        )
        assert ok.status_code == 200
        assert ok.json()["held_as_planned"] is True
        off_plan = await client.put(
            url,
            json={**body, "topic_id": str(uuid.uuid4())},
            headers=world.headers("teacher", **{"If-Match": ok.headers["etag"]}),
        )
        assert off_plan.status_code == 422
        assert off_plan.json()["type"] == "urn:eo:problem:topic-not-in-plan"

    async def test_report_lists_missing_and_off_plan(
        self,
        journal_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        setup: dict[str, object],
    ) -> None:
        lessons = setup["lessons"]
        topics = setup["topics"]
        course = setup["course"]
        url = f"{API}/lessons/{lessons[0]}/record"  # type: ignore[index]
        body = {"topic_id": str(topics[2]), "delivery_form": "distance"}  # type: ignore[index]
        assert (
            await client.put(url, json=body, headers=world.headers("teacher"))
        ).status_code == 201
        # the plan is re-imported without "Уравнения": the record's topic left the plan
        plan, _ = plan_updated(world, course, ["Дроби", "Проценты"])  # type: ignore[arg-type]
        await feed(journal_app, plan)
        report = await client.get(
            f"{API}/reports/lesson-records",
            params={"from": "2026-11-01", "to": "2026-11-30"},
            headers=world.headers("teacher"),
        )
        assert report.status_code == 200, report.text
        body = report.json()
        assert {x["lesson_id"] for x in body["without_record"]} == set(map(str, lessons[1:]))  # type: ignore[index]
        assert [x["topic_title"] for x in body["topic_not_in_plan"]] == ["Уравнения"]


async def test_access(
    client: httpx.AsyncClient, world: World, other_world: World, setup: dict[str, object]
) -> None:
    lesson = setup["lessons"][0]  # type: ignore[index]
    topics = setup["topics"]
    write = {"entries": [{"student_id": str(world.id("student")), "reason": "illness"}]}
    denied = {
        "anonymous": 401,
        "student": 403,
        "guardian": 403,
        "teacher2": 403,
        "staff": 403,
        "other:admin": 404,
    }
    await expect(
        client,
        "PUT",
        f"{API}/lessons/{lesson}/attendance",
        world,
        other_world,
        {**denied, "teacher": 200, "admin": 200},
        json=write,
    )
    reads = {
        "anonymous": 401,
        "student": 200,
        "guardian": 200,
        "teacher": 200,
        "staff": 200,
        "admin": 200,
        "student3": 404,
        "teacher2": 403,
        "other:admin": 404,
    }
    await expect(client, "GET", f"{API}/lessons/{lesson}/attendance", world, other_world, reads)
    rows = await client.get(f"{API}/lessons/{lesson}/attendance", headers=world.headers("admin"))
    att = rows.json()["items"][0]["id"]
    one = {
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
    }
    await expect(client, "GET", f"{API}/attendance/{att}", world, other_world, one)
    await expect(client, "GET", f"{API}/attendance/{att}/history", world, other_world, one)
    await expect(
        client,
        "PATCH",
        f"{API}/attendance/{att}",
        world,
        other_world,
        {**denied, "teacher": 428, "admin": 428},
        json={"status": "present", "change_reason": "ошибка"},
    )
    record = {"topic_id": str(topics[0]), "delivery_form": "distance"}  # type: ignore[index]
    await expect(
        client,
        "PUT",
        f"{API}/lessons/{lesson}/record",
        world,
        other_world,
        {**denied, "teacher": 201, "admin": 428},
        json=record,
    )
    await expect(client, "GET", f"{API}/lessons/{lesson}/record", world, other_world, {**reads})
    report = {"from": "2026-11-01", "to": "2026-11-30"}
    await expect(
        client,
        "GET",
        f"{API}/reports/lesson-records",
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 403,
            "guardian": 403,
            "teacher": 200,
            "teacher2": 200,
            "staff": 200,
            "admin": 200,
            "other:admin": 200,
        },
        params=report,
    )
