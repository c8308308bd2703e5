"""Who may do what with courses and their thematic plans (LE-1, LE-2, X-7).

Each row is one operation with the expected status per caller (see
``tests.learning.courses_support.ROLES``); every cell runs against fresh objects: a
sub-group course of 7Б for "student" taught by "teacher". Reads: the course's student
and their guardian, every teacher, staff and admin; another child (and their
guardian) 404; another school 404. Writes: the course's teacher and the admin; any
other caller of the school 403; another school 404; anonymous 401 everywhere.
"""

from __future__ import annotations

import uuid
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


@dataclass(frozen=True)
class Row:
    operation: str
    call: Call
    expect: dict[str, int]


def _create_body(world: World) -> dict[str, object]:
    return {
        "subject": f"Новый предмет {uuid.uuid4().hex[:6]}",
        "class_group_id": str(world.class_id()),
        "teacher_ids": [str(world.id("teacher"))],
    }


async def _create_course(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(f"{API}/courses", json=_create_body(w), headers=h)


async def _list_courses(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    r = await c.get(f"{API}/courses", headers=h)
    if r.status_code == 200 and h == w.headers("student2"):
        assert o["course"] not in r.text
    return r


async def _get_course(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.get(f"{API}/courses/{o['course']}", headers=h)


async def _update_course(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.patch(f"{API}/courses/{o['course']}", json={"delivery": "blended"}, headers=h)


async def _archive_course(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(f"{API}/courses/{o['course']}/archive", headers=h)


async def _restore_course(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(f"{API}/courses/{o['course']}/restore", headers=h)


async def _list_topics(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.get(f"{API}/courses/{o['course']}/topics", headers=h)


async def _create_topic(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(
        f"{API}/courses/{o['course']}/topics",
        json={"title": "Ещё тема", "planned_hours": 1},
        headers=h,
    )


async def _update_topic(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.patch(
        f"{API}/courses/{o['course']}/topics/{o['topic']}", json={"planned_hours": 2}, headers=h
    )


async def _delete_topic(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.delete(f"{API}/courses/{o['course']}/topics/{o['unused_topic']}", headers=h)


async def _reorder_topics(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.put(
        f"{API}/courses/{o['course']}/topics/order",
        json={"topic_ids": [o["unused_topic"], o["topic"]]},
        headers=h,
    )


async def _import_plan(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.post(
        f"{API}/courses/{o['course']}/topics/import",
        content="Тема;Часы\nПервая;1\nВторая;1\nТретья;2\n".encode(),
        headers={**h, "Content-Type": "text/csv"},
    )


def _create_expect() -> dict[str, int]:
    # a teacher creates a course listing themself; the other school knows no such class
    expect = dict.fromkeys(ROLES, 403)
    expect.update(anonymous=401, teacher=201, admin=201, other_school=422)
    expect["teacher2"] = 403  # lists "teacher", not themself
    return expect


def _list_expect() -> dict[str, int]:
    return {role: 401 if role == "anonymous" else 200 for role in ROLES}


ROWS = [
    Row("learning_create_course", _create_course, _create_expect()),
    Row("learning_list_courses", _list_courses, _list_expect()),
    Row("learning_get_course", _get_course, read_expect()),
    Row("learning_update_course", _update_course, write_expect()),
    Row("learning_archive_course", _archive_course, write_expect()),
    Row("learning_restore_course", _restore_course, write_expect()),
    Row("learning_list_course_topics", _list_topics, read_expect()),
    Row("learning_create_course_topic", _create_topic, write_expect(201)),
    Row("learning_update_course_topic", _update_topic, write_expect()),
    Row("learning_delete_course_topic", _delete_topic, write_expect(204)),
    Row("learning_reorder_course_topics", _reorder_topics, write_expect()),
    Row("learning_import_course_plan", _import_plan, write_expect()),
]

COVERED: set[str] = {row.operation for row in ROWS}


@pytest.mark.parametrize("row", ROWS, ids=[r.operation for r in ROWS])
async def test_access(
    row: Row, client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    objects: dict[str, str] | None = None
    for role in ROLES:
        if objects is None:
            objects = await access_objects(client, world)
        r = await row.call(client, world, objects, role_headers(world, other_world, role))
        if r.status_code < 400 and r.request.method != "GET":
            objects = None  # it changed something: the next caller gets fresh objects
        assert r.status_code == row.expect[role], (row.operation, role, r.text)
        if r.status_code >= 400:
            assert r.headers["content-type"] == "application/problem+json"
        else:
            assert str(other_world.school_id) not in r.text


async def test_the_other_school_sees_no_course(
    client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    objects = await access_objects(client, world)
    r = await client.get(f"{API}/courses", headers=other_world.headers("admin"))
    assert r.status_code == 200
    assert objects["course"] not in r.text
