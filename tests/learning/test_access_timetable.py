"""Who may do what with the timetable: lessons, weekly templates, generation and
timetable reads (LE-3, X-7).

Each row is one operation with the expected status per caller (see
``tests.learning.courses_support.ROLES``) against a sub-group course of 7Б for
"student" taught by "teacher", with a lesson and a weekly template. Reads: the course's
student and their guardian, every teacher, staff and admin; another child (and their
guardian) 404; another school 404. Writes: the course's teacher and the admin; any
other caller of the school 403; another school 404; anonymous 401 everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.learning.courses_support import (
    API,
    ROLES,
    access_objects,
    read_expect,
    role_headers,
    write_expect,
)
from tests.support.service_world import World

Call = Callable[
    [httpx.AsyncClient, World, dict[str, str], dict[str, str]], Awaitable[httpx.Response]
]
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}


@dataclass(frozen=True)
class Row:
    operation: str
    call: Call
    expect: dict[str, int]


async def _timetable_of_course(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    r = await c.get(f"{API}/timetable", params={**PERIOD, "course_id": o["course"]}, headers=h)
    if r.status_code == 200:
        assert [ls["id"] for ls in r.json()["lessons"]] == [o["lesson"]]
    return r


async def _timetable_of_student(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    params = {**PERIOD, "student_id": str(w.id("student"))}
    return await c.get(f"{API}/timetable", params=params, headers=h)


async def _get_lesson(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.get(f"{API}/lessons/{o['lesson']}", headers=h)


async def _create_lesson(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(
        f"{API}/courses/{o['course']}/lessons",
        json={"date": "2026-11-27", "starts_at": "10:00", "topic_id": o["topic"]},
        headers=h,
    )


async def _update_lesson(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.patch(f"{API}/lessons/{o['lesson']}", json={"homework": "№ 5"}, headers=h)


async def _move_lesson(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(
        f"{API}/lessons/{o['lesson']}/move",
        json={"date": "2026-11-28", "starts_at": "09:00"},
        headers=h,
    )


async def _substitute_lesson(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(
        f"{API}/lessons/{o['lesson']}/substitute",
        json={"substitute_teacher_id": str(w.id("teacher2"))},
        headers=h,
    )


async def _cancel_lesson(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(
        f"{API}/lessons/{o['lesson']}/cancel", json={"reason": "Карантин"}, headers=h
    )


async def _list_templates(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.get(f"{API}/courses/{o['course']}/timetable/templates", headers=h)


async def _create_template(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(
        f"{API}/courses/{o['course']}/timetable/templates",
        json={"weekday": 4, "starts_at": "11:00"},
        headers=h,
    )


async def _update_template(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.patch(
        f"{API}/courses/{o['course']}/timetable/templates/{o['template']}",
        json={"room": "305"},
        headers=h,
    )


async def _delete_template(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.delete(
        f"{API}/courses/{o['course']}/timetable/templates/{o['template']}", headers=h
    )


async def _generate(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(
        f"{API}/courses/{o['course']}/timetable/generate",
        json={"from": "2026-11-30", "to": "2026-12-13"},
        headers=h,
    )


ROWS = [
    Row("learning_get_timetable", _timetable_of_course, read_expect()),
    Row("learning_get_timetable", _timetable_of_student, read_expect()),
    Row("learning_get_lesson", _get_lesson, read_expect()),
    Row("learning_create_lesson", _create_lesson, write_expect(201)),
    Row("learning_update_lesson", _update_lesson, write_expect()),
    Row("learning_move_lesson", _move_lesson, write_expect()),
    Row("learning_substitute_lesson", _substitute_lesson, write_expect()),
    Row("learning_cancel_lesson", _cancel_lesson, write_expect()),
    Row("learning_list_timetable_templates", _list_templates, read_expect()),
    Row("learning_create_timetable_template", _create_template, write_expect(201)),
    Row("learning_update_timetable_template", _update_template, write_expect()),
    Row("learning_delete_timetable_template", _delete_template, write_expect(204)),
    Row("learning_generate_course_lessons", _generate, write_expect()),
]

COVERED: set[str] = {row.operation for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.operation}-{r.call.__name__}" for r in ROWS])
async def test_access(
    row: Row, client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    objects: dict[str, str] | None = None
    for role in ROLES:
        if objects is None:
            objects = await access_objects(client, world)
        r = await row.call(client, world, objects, role_headers(world, other_world, role))
        assert r.status_code == row.expect[role], (row.operation, role, r.text)
        if r.status_code >= 400:
            assert r.headers["content-type"] == "application/problem+json"
        else:
            assert str(other_world.school_id) not in r.text
        if r.status_code < 400 and r.request.method != "GET":
            objects = None  # it changed something: the next caller gets fresh objects


async def test_a_substitute_may_edit_but_not_reschedule(
    client: httpx.AsyncClient, world: World
) -> None:
    objects = await access_objects(client, world)
    lesson = f"{API}/lessons/{objects['lesson']}"
    r = await client.post(
        f"{lesson}/substitute",
        json={"substitute_teacher_id": str(world.id("teacher2"))},
        headers=world.headers("teacher"),
    )
    assert r.status_code == 200
    teacher2 = world.headers("teacher2")
    assert (await client.patch(lesson, json={"homework": "x"}, headers=teacher2)).status_code == 200
    for path, body in (
        ("/move", {"date": "2026-11-28", "starts_at": "09:00"}),
        ("/cancel", {"reason": "—"}),
        ("/substitute", {"substitute_teacher_id": None}),
    ):
        r = await client.post(f"{lesson}{path}", json=body, headers=teacher2)
        assert r.status_code == 403, path
