"""Helpers of the attestation, DOT-training flag and dashboard tests (CO-6, CO-7, CO-8, ID-8).

* :class:`LearningRecorder` stands in for learning's identifications endpoint on the app
  (``app.state.learning_identifications``): it keeps what compliance told learning and
  can be switched to fail like a learning that is down. The real call is covered through
  the gateway (tests/platform/test_attestation_story.py).
* :func:`seed_course` and :func:`seed_lesson` write learning's course and lesson events
  into compliance's timetable replica through the feed handler.
* :func:`reauth_proof` mints identity's proof of a password re-entry with the test key.
"""

from __future__ import annotations

import time
import uuid
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common import jwt
from services.common.errors import ServiceUnavailable
from services.compliance.feeds import apply_learning
from services.compliance.models import (
    AttestationCode,
    AttestationEvent,
    AttestationIdentification,
    AttestationIncident,
    AttestationViolation,
)
from tests.support.keys import AUDIENCE, ISSUER, test_key
from tests.support.service_world import World

API = "/api/v1/compliance/attestation"


class LearningRecorder:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.down = False

    async def record(self, payload: dict[str, Any]) -> None:
        if self.down:
            raise ServiceUnavailable("learning is down (test)", code="learning-unavailable")
        self.calls.append(payload)


def school_today(world: World) -> date:
    return datetime.now(ZoneInfo(world.timezone)).date()


async def learning_event(app: FastAPI, world: World, type_: str, payload: dict[str, Any]) -> None:
    async with app.state.database.session() as session:
        await apply_learning(
            session,
            {
                "id": str(uuid.uuid4()),
                "type": type_,
                "school_id": str(world.school_id),
                "payload": payload,
            },
        )
        await session.commit()


async def seed_course(
    app: FastAPI,
    world: World,
    *,
    class_name: str = "7Б",
    teachers: tuple[str, ...] = ("teacher",),
    subject: str = "Математика",
    delivery: str = "blended",
    student_ids: list[str] | None = None,
) -> uuid.UUID:
    course_id = uuid.uuid4()
    await learning_event(
        app,
        world,
        "course.created",
        {
            "id": str(course_id),
            "subject": subject,
            "class_group_id": str(world.class_id(class_name)),
            "grade": 7 if class_name == "7Б" else 3,
            "level": "basic" if class_name == "7Б" else "primary",
            "subgroup": "группа 1" if student_ids else None,
            "student_ids": student_ids,
            "teacher_ids": [str(world.id(t)) for t in teachers],
            "academic_year_id": str(world.year_id),
            "delivery": delivery,
            "class_name": class_name,
            "is_archived": False,
        },
    )
    return course_id


async def seed_lesson(
    app: FastAPI,
    world: World,
    course_id: uuid.UUID,
    *,
    on: date,
    delivery_form: str = "distance",
    teacher: str | None = "teacher",
    alternative: str | None = None,
    status: str = "scheduled",
) -> uuid.UUID:
    lesson_id = uuid.uuid4()
    await learning_event(
        app,
        world,
        "lesson.scheduled",
        {
            "id": str(lesson_id),
            "course_id": str(course_id),
            "date": on.isoformat(),
            "starts_at": "09:00",
            "duration_minutes": 30,
            "organisational_form": "lesson",
            "delivery_form": delivery_form,
            "devices": [],
            "status": status,
            "teacher_id": str(world.id(teacher)) if teacher else None,
            "alternative": alternative,
            "version": 1,
        },
    )
    return lesson_id


def event_body(world: World, **overrides: Any) -> dict[str, Any]:
    today = school_today(world)
    body: dict[str, Any] = {
        "title": "Контрольная работа по математике за I полугодие",
        "kind": "interim_attestation",
        "class_group_id": str(world.class_id("7Б")),
        "held_on": today.isoformat(),
        "starts_at": "10:00",
        "duration_minutes": 40,
        "local_act_number": "№ 112-о",
        "local_act_date": (today - timedelta(days=30)).isoformat(),
        "identification_method": "one_time_code",
        "condition_control": (
            "Веб-камера включена весь урок; запись в Сферуме; проктор — учитель класса"
        ),
        "technical_problems_procedure": (
            "При обрыве связи — сообщить учителю в чат; при потере более 10 минут — пересдача"
        ),
        "results_location": "Электронный дневник, на следующий рабочий день",
    }
    body.update(overrides)
    return body


async def create_event(
    client: httpx.AsyncClient, world: World, who: str = "admin", **overrides: Any
) -> dict[str, Any]:
    r = await client.post(
        f"{API}/events", json=event_body(world, **overrides), headers=world.headers(who)
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def reauth_proof(
    world: World, student: str = "student", *, lifetime: int = 300, **overrides: Any
) -> str:
    kid, pem = test_key()
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(world.id(student)),
        "iat": now,
        "nbf": now,
        "exp": now + lifetime,
        "auth_time": now,
        "jti": uuid.uuid4().hex,
        "typ": "reauth",
        "purpose": "reauth",
        "school": str(world.school_id),
    }
    claims.update(overrides)
    return jwt.sign(claims, pem, kid, typ="reauth+jwt")


async def count_rows(app: FastAPI, model: type[Any], school_id: uuid.UUID) -> int:
    async with app.state.database.session() as session:
        n = await session.scalar(
            select(func.count()).select_from(model).where(model.school_id == school_id)
        )
        return int(n or 0)


async def stored(app: FastAPI, world: World) -> dict[str, int]:
    """What compliance keeps of the world's attestations."""
    return {
        "events": await count_rows(app, AttestationEvent, world.school_id),
        "codes": await count_rows(app, AttestationCode, world.school_id),
        "identifications": await count_rows(app, AttestationIdentification, world.school_id),
        "violations": await count_rows(app, AttestationViolation, world.school_id),
        "incidents": await count_rows(app, AttestationIncident, world.school_id),
    }


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["type"] == f"urn:eo:problem:{code}", response.text
