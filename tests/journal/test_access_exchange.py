"""Access to the marks CSV and the exchange files: every role, own and other school,
own and other child, and service tokens (GW-5, ID-9)."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
from fastapi import FastAPI

from tests.journal.learning_events import a_course, feed, lesson_scheduled
from tests.support.access_check import expect
from tests.support.service_world import World, service_headers

API = "/api/v1/journal"

COVERED: set[str] = {
    "journal_export_course_marks_csv",
    "journal_import_course_marks_csv",
    "journal_get_daily_exchange",
    "journal_export_oneroster",
}

ADMINISTRATION = {
    "anonymous": 401,
    "student": 403,
    "guardian": 403,
    "teacher": 403,
    "teacher2": 403,
    "staff": 200,
    "admin": 200,
}


async def test_marks_csv(
    client: httpx.AsyncClient, journal_app: FastAPI, world: World, other_world: World
) -> None:
    course = await a_course(journal_app, world)
    await feed(journal_app, lesson_scheduled(world, course, date(2026, 11, 20)))
    url = f"{API}/courses/{course}/marks/export.csv"
    await expect(
        client,
        "GET",
        url,
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 200,
            "student2": 200,
            "student3": 404,
            "guardian": 200,
            "guardian2": 200,
            "teacher": 200,
            "teacher2": 403,
            "staff": 200,
            "admin": 200,
            "other:admin": 404,
        },
        params={"from": "2026-11-01", "to": "2026-11-30"},
    )
    body = f"student_id,date,value\n{world.id('student')},2026-11-20,5\n".encode()
    cells = {
        "anonymous": 401,
        "student": 403,
        "guardian": 403,
        "teacher2": 403,
        "staff": 403,
        "other:admin": 404,
        "teacher": 201,
        "admin": 201,
    }
    mismatches = []
    for caller, wanted in cells.items():
        who, name = (other_world, "admin") if caller == "other:admin" else (world, caller)
        r = await client.post(
            f"{API}/courses/{course}/marks/import",
            content=body,
            headers={**who.headers(name), "Content-Type": "text/csv"},
        )
        if r.status_code != wanted:
            mismatches.append(f"{caller}: {r.status_code} {r.text[:200]}")
    assert not mismatches, mismatches
    # a student sees only their own marks in the export, a teacher everyone's
    own = await client.get(
        url, params={"from": "2026-11-01", "to": "2026-11-30"}, headers=world.headers("student2")
    )
    assert str(world.id("student")) not in own.text
    everyone = await client.get(
        url, params={"from": "2026-11-01", "to": "2026-11-30"}, headers=world.headers("teacher")
    )
    assert everyone.text.count(str(world.id("student"))) == 2


async def test_exchange_files(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    daily = {"date": "2026-11-20"}
    for url, params in (
        (f"{API}/exchange/daily", daily),
        (f"{API}/exchange/oneroster.zip", {}),
    ):
        await expect(
            client,
            "GET",
            url,
            world,
            other_world,
            {**ADMINISTRATION, "other:admin": 200},
            params=params,
        )
        # naming another school is 404 for its administration, fine for the service
        mine = {**params, "school_id": str(world.school_id)}
        await expect(
            client,
            "GET",
            url,
            world,
            other_world,
            {"admin": 200, "other:admin": 404},
            params=mine,
        )
        r = await client.get(url, params=params, headers=service_headers())
        assert r.status_code == 400, r.text
        assert r.json()["type"] == "urn:eo:problem:school-id-required"
        r = await client.get(url, params=mine, headers=service_headers())
        assert r.status_code == 200, r.text
        r = await client.get(
            url, params={**params, "school_id": str(uuid.uuid4())}, headers=service_headers()
        )
        assert r.status_code == 404
    other = await client.get(
        f"{API}/exchange/daily", params=daily, headers=other_world.headers("admin")
    )
    assert str(world.school_id) not in other.text


async def test_marks_csv_refuses_service_tokens(
    client: httpx.AsyncClient, journal_app: FastAPI, world: World
) -> None:
    course = await a_course(journal_app, world)
    r = await client.get(
        f"{API}/courses/{course}/marks/export.csv",
        params={"from": "2026-11-01", "to": "2026-11-30"},
        headers=service_headers(),
    )
    assert r.status_code == 403
    r = await client.post(
        f"{API}/courses/{course}/marks/import",
        content=b"student_id,date,value\n",
        headers={**service_headers(), "Content-Type": "text/csv"},
    )
    assert r.status_code == 403
