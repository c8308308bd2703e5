"""Helpers of the opt-out tests (CO-4): more people and courses in compliance's replicas.

People are added through the same handler identity's feed uses, courses through the
handler of learning's feed, so the tests see what the services would see.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.directory import apply_identity_event
from services.common.timetable import apply_timetable_event
from services.compliance.models import OptOut, OptOutHistory, directory, kernel, timetable
from tests.support.keys import mint
from tests.support.service_world import TIMEZONE, World

API = "/api/v1/compliance"


def school_today() -> date:
    return datetime.now(ZoneInfo(TIMEZONE)).date()


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def event(world: World, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "type": type_,
        "school_id": str(world.school_id),
        "payload": payload,
    }


@dataclass
class Extra:
    """People of a world beyond the standard callers (each with its own roles)."""

    world: World
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    classes: dict[str, uuid.UUID] = field(default_factory=dict)

    def id(self, name: str) -> uuid.UUID:
        return self.ids[name]

    def headers(self, name: str) -> dict[str, str]:
        token = mint(self.ids[name], self.world.school_id, self.roles[name])
        return {"Authorization": f"Bearer {token}"}


async def apply_identity(app: FastAPI, *events: dict[str, Any]) -> None:
    async with app.state.database.session() as session:
        for e in events:
            await apply_identity_event(session, directory, e)


async def add_class(app: FastAPI, extra: Extra, name: str, grade: int) -> uuid.UUID:
    group_id = uuid.uuid4()
    extra.classes[name] = group_id
    await apply_identity(
        app,
        event(
            extra.world,
            "class_group.created",
            {
                "id": str(group_id),
                "name": name,
                "grade": grade,
                "letter": name[-1],
                "academic_year_id": str(extra.world.year_id),
                "homeroom_teacher_id": str(extra.world.id("teacher2")),
            },
        ),
    )
    return group_id


async def add_student(
    app: FastAPI,
    extra: Extra,
    name: str,
    *,
    class_id: uuid.UUID | None,
    birth_date: date | None,
) -> uuid.UUID:
    student_id = uuid.uuid4()
    extra.ids[name], extra.roles[name] = student_id, ("student",)
    payload: dict[str, Any] = {
        "id": str(student_id),
        "last_name": "Орлов",
        "first_name": name.capitalize(),
        "middle_name": None,
        "roles": ["student"],
        "is_active": True,
        "birth_date": birth_date.isoformat() if birth_date else None,
    }
    events = [event(extra.world, "user.created", payload)]
    if class_id is not None:
        events.append(
            event(
                extra.world,
                "class_membership.added",
                {
                    "id": str(uuid.uuid4()),
                    "class_group_id": str(class_id),
                    "student_id": str(student_id),
                },
            )
        )
    await apply_identity(app, *events)
    return student_id


async def link_guardian(
    app: FastAPI, world: World, guardian_id: uuid.UUID, student_id: uuid.UUID
) -> None:
    await apply_identity(
        app,
        event(
            world,
            "guardianship.created",
            {
                "id": str(uuid.uuid4()),
                "guardian_id": str(guardian_id),
                "student_id": str(student_id),
                "relation": "отец",
            },
        ),
    )


async def add_course(
    app: FastAPI,
    world: World,
    class_id: uuid.UUID,
    *,
    subject: str = "Математика",
    delivery: str = "in_person",
    grade: int = 7,
    teacher: str = "teacher",
) -> uuid.UUID:
    """A course in compliance's replica of learning's courses (learning's event)."""
    course_id = uuid.uuid4()
    async with app.state.database.session() as session:
        await apply_timetable_event(
            session,
            timetable,
            event(
                world,
                "course.created",
                {
                    "id": str(course_id),
                    "subject": subject,
                    "class_group_id": str(class_id),
                    "grade": grade,
                    "level": "basic",
                    "subgroup": None,
                    "student_ids": None,
                    "teacher_ids": [str(world.id(teacher))],
                    "academic_year_id": str(world.year_id),
                    "delivery": delivery,
                },
            ),
        )
    return course_id


def application(student_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "student_id": str(student_id),
        "document_date": (school_today() - timedelta(days=1)).isoformat(),
        "reason": "Прошу организовать обучение без применения ЭО и ДОТ",
    }
    body.update(overrides)
    return body


async def file(
    client: httpx.AsyncClient, headers: dict[str, str], student_id: uuid.UUID, **overrides: Any
) -> dict[str, Any]:
    r = await client.post(
        f"{API}/optouts", json=application(student_id, **overrides), headers=headers
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


async def register(
    client: httpx.AsyncClient, world: World, optout_id: str, *, as_: str = "admin", **body: Any
) -> dict[str, Any]:
    r = await client.post(
        f"{API}/optouts/{optout_id}/register",
        json={"registration_number": "вх-15", **body},
        headers=world.headers(as_),
    )
    assert r.status_code == 200, r.text
    return dict(r.json())


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:eo:problem:{code}", body
    assert any("а" <= ch.lower() <= "я" for ch in body.get("detail") or body["title"])
    return body


async def stored(app: FastAPI, school_id: uuid.UUID) -> tuple[int, int, int]:
    """(applications, history rows, opt-out events) of a school."""
    async with app.state.database.session() as session:
        optouts = await session.scalar(
            select(func.count()).select_from(OptOut).where(OptOut.school_id == school_id)
        )
        history = await session.scalar(
            select(func.count())
            .select_from(OptOutHistory)
            .where(OptOutHistory.school_id == school_id)
        )
        events = await session.scalar(
            select(func.count())
            .select_from(kernel.outbox)
            .where(kernel.outbox.school_id == school_id, kernel.outbox.type.like("optout.%"))
        )
    return int(optouts or 0), int(history or 0), int(events or 0)


async def optout_events(client: httpx.AsyncClient, world: World) -> list[dict[str, Any]]:
    r = await client.get(
        f"{API}/events",
        params={"types": "optout.submitted,optout.registered,optout.withdrawn", "limit": 1000},
        headers=world.headers("admin"),
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])
