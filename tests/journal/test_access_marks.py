"""Access to marks, the grid, the scale and periods: every role, own and other school,
own and other child."""

from __future__ import annotations

import uuid
from datetime import date

import httpx
import pytest
from fastapi import FastAPI

from tests.journal.learning_events import a_course, feed, lesson_scheduled
from tests.support.access_check import expect
from tests.support.service_world import World

API = "/api/v1/journal"

COVERED: set[str] = {
    "journal_get_scale",
    "journal_put_scale",
    "journal_create_mark",
    "journal_create_lesson_marks",
    "journal_list_marks",
    "journal_get_mark",
    "journal_update_mark",
    "journal_annul_mark",
    "journal_mark_history",
    "journal_course_grid",
    "journal_list_periods",
    "journal_configure_periods",
    "journal_close_period",
    "journal_reopen_period",
    "journal_period_history",
}

EVERYONE_READS = {
    "anonymous": 401,
    "student": 200,
    "guardian": 200,
    "teacher": 200,
    "staff": 200,
    "admin": 200,
}
ADMIN_ONLY = {
    "anonymous": 401,
    "student": 403,
    "guardian": 403,
    "teacher": 403,
    "staff": 403,
}


@pytest.fixture
async def course(journal_app: FastAPI, world: World) -> uuid.UUID:
    return await a_course(journal_app, world)


async def new_mark(client: httpx.AsyncClient, world: World, course: uuid.UUID) -> str:
    r = await client.post(
        f"{API}/marks",
        json={
            "course_id": str(course),
            "student_id": str(world.id("student")),
            "value": "4",
            "date": "2026-11-20",
        },
        headers=world.headers("teacher"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_scale(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    await expect(client, "GET", f"{API}/scale", world, other_world, EVERYONE_READS)
    body = {"values": [{"value": "5", "numeric": 5}, {"value": "2", "numeric": 2}]}
    await expect(
        client,
        "PUT",
        f"{API}/scale",
        world,
        other_world,
        {**ADMIN_ONLY, "admin": 200, "other:admin": 200},
        json=body,
    )


async def test_mark_writes(
    journal_app: FastAPI,
    client: httpx.AsyncClient,
    world: World,
    other_world: World,
    course: uuid.UUID,
) -> None:
    body = {
        "course_id": str(course),
        "student_id": str(world.id("student")),
        "value": "5",
        "date": "2026-11-20",
    }
    await expect(
        client,
        "POST",
        f"{API}/marks",
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 403,
            "guardian": 403,
            "teacher2": 403,
            "staff": 403,
            "teacher": 201,
            "admin": 201,
            "other:admin": 404,
            "other:teacher": 404,
        },
        json=body,
    )
    lesson = lesson_scheduled(world, course, date(2026, 11, 23))
    await feed(journal_app, lesson)
    url = f"{API}/lessons/{lesson['payload']['id']}/marks"
    marks = {"marks": [{"student_id": str(world.id("student")), "value": "5"}]}
    await expect(
        client,
        "POST",
        url,
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 403,
            "guardian": 403,
            "teacher2": 403,
            "staff": 403,
            "teacher": 201,
            "admin": 201,
            "other:admin": 404,
        },
        json=marks,
    )


async def test_mark_reads(
    client: httpx.AsyncClient, world: World, other_world: World, course: uuid.UUID
) -> None:
    mark = await new_mark(client, world, course)
    cells = {
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
        "other:student": 404,
    }
    await expect(client, "GET", f"{API}/marks/{mark}", world, other_world, cells)
    await expect(client, "GET", f"{API}/marks/{mark}/history", world, other_world, cells)
    by_student = {"student_id": str(world.id("student"))}
    await expect(
        client,
        "GET",
        f"{API}/marks",
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
            "other:admin": 404,
        },
        params=by_student,
    )
    by_course = {"course_id": str(course)}
    await expect(
        client,
        "GET",
        f"{API}/marks",
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
            "other:admin": 404,
            "other:teacher": 404,
        },
        params=by_course,
    )
    grid = {"from": "2026-11-01", "to": "2026-11-30"}
    await expect(
        client,
        "GET",
        f"{API}/courses/{course}/grid",
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
        params=grid,
    )


async def test_mark_changes(
    client: httpx.AsyncClient, world: World, other_world: World, course: uuid.UUID
) -> None:
    mark = await new_mark(client, world, course)
    url = f"{API}/marks/{mark}"
    # no If-Match: the access answer comes first (403/404), owners get 428
    await expect(
        client,
        "PATCH",
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
            "teacher": 428,
            "admin": 428,
        },
        json={"value": "5", "reason": "x"},
    )
    await expect(
        client,
        "POST",
        f"{url}/annul",
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 403,
            "guardian": 403,
            "teacher2": 403,
            "staff": 403,
            "other:admin": 404,
            "teacher": 428,
            "admin": 428,
        },
        json={"reason": "x"},
    )


async def test_periods(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    await expect(client, "GET", f"{API}/periods", world, other_world, EVERYONE_READS)
    config = {
        "academic_year_id": str(world.year_id),
        "kind": "half_year",
        "periods": [
            {"starts_on": "2026-09-01", "ends_on": "2026-12-28"},
            {"starts_on": "2027-01-09", "ends_on": "2027-05-31"},
        ],
    }
    await expect(
        client,
        "PUT",
        f"{API}/periods",
        world,
        other_world,
        {**ADMIN_ONLY, "other:admin": 422, "admin": 200},
        json=config,
    )
    listed = await client.get(f"{API}/periods", headers=world.headers("admin"))
    period = listed.json()["items"][0]["id"]
    await expect(
        client,
        "POST",
        f"{API}/periods/{period}/close",
        world,
        other_world,
        {**ADMIN_ONLY, "other:admin": 404, "admin": 200},
        json={},
    )
    reopen = {"order_number": "1", "order_date": "2026-12-29", "reason": "Апелляция"}
    await expect(
        client,
        "POST",
        f"{API}/periods/{period}/reopen",
        world,
        other_world,
        {**ADMIN_ONLY, "other:admin": 404, "admin": 200},
        json=reopen,
    )
    await expect(
        client,
        "GET",
        f"{API}/periods/{period}/history",
        world,
        other_world,
        {**EVERYONE_READS, "other:admin": 404},
    )
