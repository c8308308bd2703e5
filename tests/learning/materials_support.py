"""Helpers of the materials and catalogue tests: courses and lessons written straight
into learning's database, sample files, and a create-material call."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import (
    Course,
    CourseStudent,
    CourseTeacher,
    Lesson,
    Material,
    StoredFile,
    kernel,
)
from tests.support.service_world import World

API = "/api/v1/learning"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32


async def make_course(
    app: FastAPI,
    world: World,
    *,
    teacher: str = "teacher",
    class_name: str = "7Б",
    subject: str = "Математика",
    students: list[str] | None = None,
) -> uuid.UUID:
    """A course of a class (or a sub-group of the listed students) taught by ``teacher``."""
    grade = 7 if class_name == "7Б" else 3
    course_id = uuid.uuid4()
    async with app.state.database.session() as session:
        session.add(
            Course(
                id=course_id,
                school_id=world.school_id,
                academic_year_id=world.year_id,
                class_group_id=world.class_id(class_name),
                subject=subject,
                subgroup="группа 1" if students else None,
                grade=grade,
                level="basic" if grade >= 5 else "primary",
                delivery="in_person",
            )
        )
        await session.flush()
        session.add(
            CourseTeacher(
                course_id=course_id,
                teacher_id=world.id(teacher),
                school_id=world.school_id,
                position=0,
            )
        )
        for name in students or []:
            session.add(
                CourseStudent(
                    course_id=course_id, student_id=world.id(name), school_id=world.school_id
                )
            )
    return course_id


async def make_lesson(
    app: FastAPI, world: World, course_id: uuid.UUID, *, substitute: str | None = None
) -> uuid.UUID:
    lesson_id = uuid.uuid4()
    async with app.state.database.session() as session:
        session.add(
            Lesson(
                id=lesson_id,
                school_id=world.school_id,
                course_id=course_id,
                date=date(2026, 12, 1),
                starts_at=time(9, 0),
                starts_at_utc=datetime(2026, 12, 1, 5, 0, tzinfo=UTC),
                duration_minutes=40,
                substitute_teacher_id=world.id(substitute) if substitute else None,
            )
        )
    return lesson_id


def form_fields(**fields: Any) -> dict[str, Any]:
    """Form data: None dropped, UUIDs as strings, lists kept (repeated fields)."""
    out: dict[str, Any] = {}
    for key, value in fields.items():
        if value is None:
            continue
        if isinstance(value, list):
            out[key] = [str(v) for v in value]
        else:
            out[key] = str(value)
    return out


async def post_material(
    client: httpx.AsyncClient,
    world: World,
    who: str = "teacher",
    *,
    files: list[tuple[str, bytes, str]] | None = None,
    **fields: Any,
) -> httpx.Response:
    data = form_fields(**fields)
    upload = [("files", f) for f in files or []]
    return await client.post(
        f"{API}/materials", data=data, files=upload or None, headers=world.headers(who)
    )


async def create_material(
    client: httpx.AsyncClient, world: World, who: str = "teacher", **kwargs: Any
) -> dict[str, Any]:
    response = await post_material(client, world, who, **kwargs)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def count_rows(app: FastAPI, school_id: uuid.UUID) -> dict[str, int]:
    """Materials, stored files and events of a school: what a failed request must not leave."""
    async with app.state.database.session() as session:
        materials = await session.scalar(
            select(func.count()).select_from(Material).where(Material.school_id == school_id)
        )
        files = await session.scalar(
            select(func.count()).select_from(StoredFile).where(StoredFile.school_id == school_id)
        )
        events = await session.scalar(
            select(func.count())
            .select_from(kernel.outbox)
            .where(kernel.outbox.school_id == school_id)
        )
    return {"materials": materials or 0, "files": files or 0, "events": events or 0}


async def events_of(app: FastAPI, school_id: uuid.UUID, type_: str) -> list[dict[str, Any]]:
    async with app.state.database.session() as session:
        rows = await session.scalars(
            select(kernel.outbox)
            .where(kernel.outbox.school_id == school_id, kernel.outbox.type == type_)
            .order_by(kernel.outbox.id)
        )
        return [dict(r.payload) for r in rows]
