"""Helpers of the assignment, submission and review tests (LE-5, LE-6, LE-7).

Courses and lessons are written straight into learning's tables, so these tests
depend only on the models, not on the course endpoints. The app's clock is replaced
by :class:`FakeClock` so deadlines, lateness and "the same day" are tested at chosen
instants rather than at the machine's time.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.common.directory import apply_identity_event
from services.learning.models import (
    Course,
    CourseStudent,
    CourseTeacher,
    Lesson,
    SchoolSettings,
    directory,
)
from tests.support.service_world import World

API = "/api/v1/learning"
SAMARA = ZoneInfo("Europe/Samara")
# A Wednesday morning at the school: 10:00 in Samara (UTC+4).
DEFAULT_NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)

# Minimal valid file contents for the sniffing store.
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x0f" + b"\x00" * 64
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32


@dataclass
class FakeClock:
    now: datetime = DEFAULT_NOW

    def __call__(self) -> datetime:
        return self.now

    def set_local(self, value: datetime) -> None:
        self.now = value.replace(tzinfo=SAMARA).astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def install_clock(app: FastAPI, now: datetime = DEFAULT_NOW) -> FakeClock:
    clock = FakeClock(now)
    app.state.clock = clock
    return clock


def local_iso(day: date, at: time) -> str:
    """A naive school-local date-time as the API accepts it."""
    return datetime.combine(day, at).isoformat()


async def make_course(
    app: FastAPI,
    world: World,
    *,
    teachers: Iterable[str] = ("teacher",),
    class_name: str = "7Б",
    subject: str = "Математика",
    subgroup: list[str] | None = None,
    delivery: str = "in_person",
) -> uuid.UUID:
    course_id = uuid.uuid4()
    grade = 7 if class_name == "7Б" else 3
    async with app.state.database.session() as session:
        course = Course(
            id=course_id,
            school_id=world.school_id,
            academic_year_id=world.year_id,
            class_group_id=world.class_id(class_name),
            subject=subject,
            subgroup="группа 1" if subgroup is not None else None,
            grade=grade,
            level="basic" if grade > 4 else "primary",
            delivery=delivery,
        )
        course.teachers = [
            CourseTeacher(teacher_id=world.id(t), school_id=world.school_id, position=i)
            for i, t in enumerate(teachers)
        ]
        course.students = [
            CourseStudent(student_id=world.id(s), school_id=world.school_id) for s in subgroup or []
        ]
        session.add(course)
    return course_id


async def make_lesson(
    app: FastAPI,
    world: World,
    course_id: uuid.UUID,
    *,
    day: date = date(2026, 11, 25),
    delivery_form: str = "distance",
) -> uuid.UUID:
    lesson_id = uuid.uuid4()
    async with app.state.database.session() as session:
        session.add(
            Lesson(
                id=lesson_id,
                school_id=world.school_id,
                course_id=course_id,
                date=day,
                starts_at=time(9, 0),
                starts_at_utc=datetime.combine(day, time(9, 0), tzinfo=SAMARA).astimezone(UTC),
                duration_minutes=40,
                delivery_form=delivery_form,
                devices=[],
            )
        )
    return lesson_id


async def set_school_settings(app: FastAPI, world: World, **values: Any) -> None:
    async with app.state.database.session() as session:
        row = await session.get(SchoolSettings, world.school_id)
        if row is None:
            row = SchoolSettings(school_id=world.school_id)
            session.add(row)
        for name, value in values.items():
            setattr(row, name, value)


async def add_students(
    app: FastAPI, world: World, count: int, class_name: str = "7Б"
) -> list[uuid.UUID]:
    """More students in a class, through the same handler identity's feed uses."""
    ids = [uuid.uuid4() for _ in range(count)]
    school = str(world.school_id)
    async with app.state.database.session() as session:
        for n, student_id in enumerate(ids):
            for type_, payload in (
                (
                    "user.created",
                    {
                        "id": str(student_id),
                        "last_name": f"Ученик{n:02d}",
                        "first_name": "Тест",
                        "middle_name": None,
                        "roles": ["student"],
                        "is_active": True,
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
            ):
                event = {
                    "id": str(uuid.uuid4()),
                    "type": type_,
                    "school_id": school,
                    "payload": payload,
                }
                await apply_identity_event(session, directory, event)
    return ids


async def link_guardian(app: FastAPI, world: World, guardian: str, student_id: uuid.UUID) -> None:
    event = {
        "id": str(uuid.uuid4()),
        "type": "guardianship.created",
        "school_id": str(world.school_id),
        "payload": {
            "id": str(uuid.uuid4()),
            "guardian_id": str(world.id(guardian)),
            "student_id": str(student_id),
            "relation": "отец",
        },
    }
    async with app.state.database.session() as session:
        await apply_identity_event(session, directory, event)


async def class_size(app: FastAPI, world: World, class_name: str = "7Б") -> int:
    m = directory.membership
    async with app.state.database.session() as session:
        rows = await session.execute(
            select(m.student_id).where(m.class_group_id == world.class_id(class_name))
        )
        return len(rows.all())


def assignment_body(course_id: uuid.UUID | None, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Решить задачи № 1–5",
        "instructions": "Решите задачи из параграфа 12 и пришлите фото решения.",
        "due_at": local_iso(date(2026, 11, 27), time(18, 0)),
    }
    if course_id is not None:
        body["course_id"] = str(course_id)
    body.update(overrides)
    return body


async def create_assignment(
    client: httpx.AsyncClient,
    world: World,
    course_id: uuid.UUID,
    *,
    as_: str = "teacher",
    **overrides: Any,
) -> dict[str, Any]:
    r = await client.post(
        f"{API}/assignments",
        json=assignment_body(course_id, **overrides),
        headers=world.headers(as_),
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def submit(
    client: httpx.AsyncClient,
    world: World,
    assignment_id: str,
    *,
    as_: str = "student",
    text: str | None = "Мой ответ",
    files: list[tuple[str, bytes, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    data = {"text": text} if text is not None else {}
    upload = [("files", f) for f in files or []]
    return await client.post(
        f"{API}/assignments/{assignment_id}/submissions",
        data=data,
        files=upload or None,
        headers={**world.headers(as_), **(headers or {})},
    )


async def review(
    client: httpx.AsyncClient,
    world: World,
    submission_id: str,
    *,
    as_: str = "teacher",
    status: str = "accepted",
    mark: str | None = "5",
    comment: str | None = "Молодец",
    media: tuple[str, bytes, str] | None = None,
) -> httpx.Response:
    data: dict[str, str] = {"status": status}
    if mark is not None:
        data["mark"] = mark
    if comment is not None:
        data["comment_text"] = comment
    return await client.post(
        f"{API}/submissions/{submission_id}/review",
        data=data,
        files={"comment_file": media} if media is not None else None,
        headers=world.headers(as_),
    )


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """A problem+json answer with this status and code, in Russian."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:eo:problem:{code}"
    assert any("а" <= ch.lower() <= "я" for ch in body.get("detail") or body["title"])
    return body


async def events(client: httpx.AsyncClient, world: World, type_: str) -> list[dict[str, Any]]:
    r = await client.get(
        f"{API}/events", params={"types": type_, "limit": 1000}, headers=world.headers("admin")
    )
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items
