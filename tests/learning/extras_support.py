"""Helpers of the consultations, online-course, individual-plan and settings tests:
courses written straight into learning's database, local dates of the test school,
rows of other features' tables, and problem+json checks."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import insert, select

from services.learning.models import Base, Course, CourseStudent, CourseTeacher, kernel
from tests.support.service_world import World

API = "/api/v1/learning"
PROBLEM = "application/problem+json"


def local_today(world: World) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(world.timezone)).date()


def day(world: World, offset: int) -> str:
    """An ISO date ``offset`` days from the school's today."""
    return (local_today(world) + timedelta(days=offset)).isoformat()


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
                course_id=course_id, teacher_id=world.id(teacher), school_id=world.school_id
            )
        )
        for name in students or []:
            session.add(
                CourseStudent(
                    course_id=course_id, student_id=world.id(name), school_id=world.school_id
                )
            )
    return course_id


def has_table(name: str) -> bool:
    return name in Base.metadata.tables


async def make_material(app: FastAPI, world: World, *, author: str = "teacher") -> uuid.UUID:
    """A row of the materials feature's table (only the columns without defaults)."""
    material_id = uuid.uuid4()
    table = Base.metadata.tables["materials"]
    async with app.state.database.session() as session:
        await session.execute(
            insert(table).values(
                id=material_id,
                school_id=world.school_id,
                author_id=world.id(author),
                kind="own",
                title="Конспект урока",
            )
        )
    return material_id


async def make_quiz(
    app: FastAPI, world: World, course_id: uuid.UUID, *, author: str = "teacher"
) -> uuid.UUID:
    """A row of the online-tests feature's table (only the columns without defaults)."""
    quiz_id = uuid.uuid4()
    table = Base.metadata.tables["quizzes"]
    async with app.state.database.session() as session:
        await session.execute(
            insert(table).values(
                id=quiz_id,
                school_id=world.school_id,
                course_id=course_id,
                title="Проверочный тест",
                created_by=world.id(author),
            )
        )
    return quiz_id


async def make_assignment(
    app: FastAPI, world: World, course_id: uuid.UUID, *, author: str = "teacher"
) -> uuid.UUID:
    """A row of the assignments feature's table, filled from its column defaults."""
    assignment_id = uuid.uuid4()
    table = Base.metadata.tables["assignments"]
    values: dict[str, Any] = {"id": assignment_id, "school_id": world.school_id}
    for column in table.columns:
        if column.name in values or column.nullable or column.default is not None:
            continue
        if column.name == "course_id":
            values[column.name] = course_id
        elif column.name.endswith("_by") or column.name.endswith("_id"):
            values[column.name] = world.id(author)
        elif column.name.endswith("_at"):
            values[column.name] = datetime.now(UTC) + timedelta(days=7)
        else:
            values[column.name] = "Задание"
    async with app.state.database.session() as session:
        await session.execute(insert(table).values(**values))
    return assignment_id


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:eo:problem:")
    assert body["title"]
    if code is not None:
        assert body["type"] == f"urn:eo:problem:{code}", body
    detail = body.get("detail") or ""
    assert any("а" <= ch.lower() <= "я" for ch in detail), body  # a Russian message
    return body


async def events(app: FastAPI, world: World, type_: str) -> list[dict[str, Any]]:
    """The school's outbox events of one type, in order."""
    outbox = kernel.outbox
    async with app.state.database.session() as session:
        rows = await session.execute(
            select(outbox)
            .where(outbox.school_id == world.school_id, outbox.type == type_)
            .order_by(outbox.id)
        )
        return [{"type": r.type, "payload": r.payload} for r in rows.scalars()]
