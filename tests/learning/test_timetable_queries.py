"""Reading a timetable costs a constant number of SQL statements (LE-3): the same for a
class of one student with one lesson as for a class of thirty with thirty lessons."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from tests.learning.courses_support import (
    API,
    add_student,
    add_topics,
    create_course,
    create_lesson,
)
from tests.support.service_world import World


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    engine = app.state.database.engine.sync_engine
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def cost(
    app: FastAPI, client: httpx.AsyncClient, world: World, caller: str, **params: str
) -> tuple[int, int]:
    """(statements, lessons) of one timetable read."""
    query = {"from": "2026-11-01", "to": "2026-12-31", **params}
    with statements(app) as seen:
        r = await client.get(f"{API}/timetable", params=query, headers=world.headers(caller))
    assert r.status_code == 200, r.text
    return len(seen), len(r.json()["lessons"])


async def test_the_number_of_queries_does_not_grow_with_the_class(
    learning_app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    course = await create_course(
        client, world, subject="Чтение", class_name="3А", teachers=("teacher2",), caller="teacher2"
    )
    topics = await add_topics(client, world, course["id"], ["Тема 1", "Тема 2"], caller="teacher2")
    first = await create_lesson(
        client, world, course["id"], caller="teacher2", topic_id=topics[0]["id"]
    )
    r = await client.post(
        f"{API}/lessons/{first['id']}/substitute",
        json={"substitute_teacher_id": str(world.id("teacher"))},
        headers=world.headers("admin"),
    )
    assert r.status_code == 200

    reads: dict[str, tuple[str, dict[str, str]]] = {
        "student": ("student3", {}),
        "class": ("teacher", {"class_group_id": str(world.class_id("3А"))}),
        "teacher": ("teacher2", {}),
        "substitute": ("teacher", {}),
        "course": ("admin", {"course_id": course["id"]}),
        "student by admin": ("admin", {"student_id": str(world.id("student3"))}),
    }
    small = {
        name: await cost(learning_app, client, world, c, **p) for name, (c, p) in reads.items()
    }

    for _ in range(29):
        await add_student(learning_app, world, "3А")
    for n in range(29):
        day = f"2026-12-{n + 1:02d}"
        lesson = await create_lesson(
            client,
            world,
            course["id"],
            day=day,
            caller="teacher2",
            topic_id=topics[n % 2]["id"],
            homework=f"Задание {n}",
        )
        if n % 3 == 0:
            r = await client.post(
                f"{API}/lessons/{lesson['id']}/substitute",
                json={"substitute_teacher_id": str(world.id("teacher"))},
                headers=world.headers("admin"),
            )
            assert r.status_code == 200
    large = {
        name: await cost(learning_app, client, world, c, **p) for name, (c, p) in reads.items()
    }

    for name in reads:
        (few, one_lesson), (many, all_lessons) = small[name], large[name]
        if name == "substitute":
            assert (one_lesson, all_lessons) == (1, 11), name
        else:
            assert (one_lesson, all_lessons) == (1, 30), name
        assert few == many, f"{name}: {few} statements for 1 lesson, {many} for 30"
        assert many <= 12, name
