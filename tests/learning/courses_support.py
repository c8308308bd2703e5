"""Helpers for tests that need courses, plans and lessons, made through the HTTP API."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI

from services.common.directory import apply_identity_event
from services.learning.models import directory
from tests.support.service_world import World

API = "/api/v1/learning"


async def create_course(
    client: httpx.AsyncClient,
    world: World,
    *,
    subject: str = "Математика",
    class_name: str = "7Б",
    teachers: tuple[str, ...] = ("teacher",),
    caller: str = "teacher",
    **extra: Any,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject": subject,
        "class_group_id": str(world.class_id(class_name)),
        "teacher_ids": [str(world.id(t)) for t in teachers],
        **extra,
    }
    r = await client.post(f"{API}/courses", json=body, headers=world.headers(caller))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def add_topics(
    client: httpx.AsyncClient,
    world: World,
    course_id: str,
    titles: list[str],
    *,
    caller: str = "teacher",
    hours: float = 1,
) -> list[dict[str, Any]]:
    out = []
    for title in titles:
        r = await client.post(
            f"{API}/courses/{course_id}/topics",
            json={"title": title, "planned_hours": hours},
            headers=world.headers(caller),
        )
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


async def create_lesson(
    client: httpx.AsyncClient,
    world: World,
    course_id: str,
    *,
    day: str = "2026-11-26",
    starts_at: str = "09:00",
    caller: str = "teacher",
    **extra: Any,
) -> dict[str, Any]:
    r = await client.post(
        f"{API}/courses/{course_id}/lessons",
        json={"date": day, "starts_at": starts_at, **extra},
        headers=world.headers(caller),
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def events(client: httpx.AsyncClient, world: World, *types: str) -> list[dict[str, Any]]:
    """The school's events of these types, in commit order (read as the school's admin)."""
    items: list[dict[str, Any]] = []
    after: str | None = None
    while True:
        params: dict[str, Any] = {"limit": 1000, "types": ",".join(types)}
        if after:
            params["after"] = after
        r = await client.get(f"{API}/events", params=params, headers=world.headers("admin"))
        assert r.status_code == 200, r.text
        page = r.json()
        items.extend(page["items"])
        if not page["items"]:
            return items
        after = page["next_cursor"]


async def add_student(
    app: FastAPI, world: World, class_name: str, *, guardian: str | None = None
) -> uuid.UUID:
    """A new student of the class in learning's replica of the directory."""
    student_id = uuid.uuid4()
    school = str(world.school_id)
    payloads: list[tuple[str, dict[str, Any]]] = [
        (
            "user.created",
            {
                "id": str(student_id),
                "last_name": "Новиков",
                "first_name": f"Ученик {str(student_id)[:4]}",
                "middle_name": None,
                "roles": ["student"],
                "is_active": True,
                "birth_date": "2013-05-05",
            },
        ),
        (
            "class_membership.added",
            {
                "id": str(uuid.uuid4()),
                "class_group_id": str(world.class_id(class_name)),
                "student_id": str(student_id),
            },
        ),
    ]
    if guardian is not None:
        payloads.append(
            (
                "guardianship.created",
                {
                    "id": str(uuid.uuid4()),
                    "guardian_id": str(world.id(guardian)),
                    "student_id": str(student_id),
                    "relation": "мать",
                },
            )
        )
    async with app.state.database.session() as session:
        for type_, payload in payloads:
            await apply_identity_event(
                session,
                directory,
                {"id": str(uuid.uuid4()), "type": type_, "school_id": school, "payload": payload},
            )
    return student_id


# -- the access matrix of courses, plans and the timetable ------------------------------

# The callers of an access row: the course's students and guardians, others of the same
# school, its teacher, another teacher, staff, admin, anonymous and another school's admin.
ROLES = (
    "anonymous",
    "student",
    "student2",
    "guardian",
    "guardian2",
    "teacher",
    "teacher2",
    "staff",
    "admin",
    "other_school",
)


def read_expect(ok: int = 200) -> dict[str, int]:
    """A read of the sub-group course of "student" (not "student2")."""
    return {
        "anonymous": 401,
        "student": ok,
        "student2": 404,
        "guardian": ok,
        "guardian2": 404,
        "teacher": ok,
        "teacher2": ok,
        "staff": ok,
        "admin": ok,
        "other_school": 404,
    }


def write_expect(ok: int = 200) -> dict[str, int]:
    """A change of the course: its teacher and the admin only."""
    return {
        "anonymous": 401,
        "student": 403,
        "student2": 403,
        "guardian": 403,
        "guardian2": 403,
        "teacher": ok,
        "teacher2": 403,
        "staff": 403,
        "admin": ok,
        "other_school": 404,
    }


async def access_objects(client: httpx.AsyncClient, world: World) -> dict[str, str]:
    """A fresh sub-group course of 7Б for "student", taught by "teacher", with two
    topics, a lesson on the first and a weekly template."""
    course = await create_course(
        client,
        world,
        subject=f"Курс {uuid.uuid4().hex[:8]}",
        subgroup="группа 1",
        student_ids=[str(world.id("student"))],
    )
    first, second = await add_topics(client, world, course["id"], ["Первая", "Вторая"])
    lesson = await create_lesson(client, world, course["id"], topic_id=first["id"])
    r = await client.post(
        f"{API}/courses/{course['id']}/timetable/templates",
        json={"weekday": 1, "starts_at": "08:00"},
        headers=world.headers("teacher"),
    )
    assert r.status_code == 201, r.text
    return {
        "course": course["id"],
        "topic": first["id"],
        "unused_topic": second["id"],
        "lesson": lesson["id"],
        "template": r.json()["id"],
    }


def role_headers(world: World, other: World, role: str) -> dict[str, str]:
    if role == "other_school":
        return other.headers("admin")
    return world.headers(role)
