"""The class × subject × term grid (JO-2, JO-3, P2): what lands in which cell.

The grid reads marks and absences without SQLAlchemy's type processing (ids, dates and
numbers as each driver returns them), so its content is checked on every backend.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.journal.learning_events import a_course, feed, lesson_scheduled
from tests.support.service_world import World

API = "/api/v1/journal"
NOVEMBER = {"from": "2026-11-01", "to": "2026-11-30"}


async def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.text
    return dict(response.json())


@pytest.fixture
async def course(journal_app: FastAPI, client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    """Mathematics of 7Б: lessons on 16 and 17 November (and 2 December, outside the
    range); student gets 5 (weight 2) and 3 on the 16th, «зачёт» on the 17th, 4 without
    a lesson on the 20th and 2 on 2 December; student2 is absent on the 16th and gets 4
    on the 17th and a 2 that is annulled."""
    course_id = await a_course(journal_app, world)
    lessons = [
        lesson_scheduled(world, course_id, date(2026, 11, 16)),
        lesson_scheduled(world, course_id, date(2026, 11, 17)),
        lesson_scheduled(world, course_id, date(2026, 12, 2)),
    ]
    await feed(journal_app, *lessons)
    ids = [str(x["payload"]["id"]) for x in lessons]
    teacher = world.headers("teacher")
    student, student2 = str(world.id("student")), str(world.id("student2"))
    await ok(
        await client.post(
            f"{API}/lessons/{ids[0]}/marks",
            json={
                "marks": [
                    {"student_id": student, "value": "5", "weight": "2"},
                    {"student_id": student, "value": "3"},
                ]
            },
            headers=teacher,
        ),
        201,
    )
    await ok(
        await client.put(
            f"{API}/lessons/{ids[0]}/attendance",
            json={"entries": [{"student_id": student2, "reason": "illness"}]},
            headers=teacher,
        )
    )
    made = await ok(
        await client.post(
            f"{API}/lessons/{ids[1]}/marks",
            json={
                "marks": [
                    {"student_id": student, "value": "зачёт"},
                    {"student_id": student2, "value": "4"},
                    {"student_id": student2, "value": "2"},
                ]
            },
            headers=teacher,
        ),
        201,
    )
    wrong = made["items"][2]["id"]
    await ok(
        await client.post(
            f"{API}/marks/{wrong}/annul",
            json={"reason": "Не тот ученик"},
            headers=world.headers("teacher", **{"If-Match": f'"{wrong}:1"'}),
        )
    )
    await ok(
        await client.post(
            f"{API}/marks",
            json={
                "course_id": str(course_id),
                "student_id": student,
                "value": "4",
                "date": "2026-11-20",
            },
            headers=teacher,
        ),
        201,
    )
    await ok(
        await client.post(
            f"{API}/lessons/{ids[2]}/marks",
            json={"marks": [{"student_id": student, "value": "2"}]},
            headers=teacher,
        ),
        201,
    )
    return {"id": course_id, "lessons": ids}


def row(grid: dict[str, Any], world: World, name: str) -> dict[str, Any]:
    return next(r for r in grid["rows"] if r["student"]["id"] == str(world.id(name)))


async def test_cells_absences_extra_marks_and_averages(
    client: httpx.AsyncClient, world: World, course: dict[str, Any]
) -> None:
    grid = await ok(
        await client.get(
            f"{API}/courses/{course['id']}/grid", params=NOVEMBER, headers=world.headers("teacher")
        )
    )
    assert grid["course_id"] == str(course["id"])
    assert (grid["starts_on"], grid["ends_on"], grid["period_id"]) == (
        "2026-11-01",
        "2026-11-30",
        None,
    )
    assert [(x["id"], x["date"]) for x in grid["lessons"]] == [
        (course["lessons"][0], "2026-11-16"),
        (course["lessons"][1], "2026-11-17"),
    ]
    assert len(grid["rows"]) == 2
    first = row(grid, world, "student")
    assert first["marks"] == [["5", "3"], ["зачёт"]]
    assert first["absences"] == []
    assert first["extra_marks"] == [{"date": "2026-11-20", "value": "4"}]
    # 5 (weight 2), 3 and 4; «зачёт» has no number; the December 2 is outside the range
    assert first["average"] == 4.0
    assert first["weighted_average"] == 4.25
    second = row(grid, world, "student2")
    assert second["marks"] == [[], ["4"]]  # the annulled 2 is not shown
    assert second["absences"] == [{"lesson_index": 0, "reason": "illness"}]
    assert second["extra_marks"] == []
    assert (second["average"], second["weighted_average"]) == (4.0, 4.0)
    names = [r["student"]["name"] for r in grid["rows"]]
    assert names == sorted(names)
    assert all(names)


async def test_a_guardian_and_a_student_see_their_own_row_only(
    client: httpx.AsyncClient, world: World, course: dict[str, Any]
) -> None:
    url = f"{API}/courses/{course['id']}/grid"
    for caller, own in (("guardian", "student"), ("student2", "student2")):
        grid = await ok(await client.get(url, params=NOVEMBER, headers=world.headers(caller)))
        assert [r["student"]["id"] for r in grid["rows"]] == [str(world.id(own))], caller


async def test_a_sub_group_course_lists_its_students_even_without_a_name(
    journal_app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    stranger = uuid.uuid4()  # listed by learning, not (yet) known to the directory replica
    course_id = await a_course(journal_app, world, student_ids=[world.id("student2"), stranger])
    grid = await ok(
        await client.get(
            f"{API}/courses/{course_id}/grid", params=NOVEMBER, headers=world.headers("teacher")
        )
    )
    assert {r["student"]["id"]: r["student"]["name"] != "" for r in grid["rows"]} == {
        str(world.id("student2")): True,
        str(stranger): False,
    }
