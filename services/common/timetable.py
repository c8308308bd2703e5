"""A replica of learning's courses, thematic plans and lessons, kept from its change feed.

The journal records what was taught in each lesson and compliance checks lesson plans;
both learn about courses and lessons from learning's events (``course.*``,
``course_plan.updated``, ``lesson.*``) and never call learning back. Each calls
:func:`timetable_models` with its declarative base and passes learning's events to
:func:`apply_timetable_event`. Lesson events carry a ``version``: an older copy never
overwrites a newer one.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import JSON, Index, Numeric, String, Text, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UTCDateTime

TIMETABLE_EVENT_TYPES = [
    "course.created",
    "course.updated",
    "course_plan.updated",
    "lesson.scheduled",
    "lesson.changed",
    "lesson.cancelled",
]


class TtCourseMixin:
    __tablename__ = "tt_courses"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    academic_year_id: Mapped[uuid.UUID | None]
    class_group_id: Mapped[uuid.UUID] = mapped_column(index=True)
    subject: Mapped[str] = mapped_column(String(200))
    subgroup: Mapped[str | None] = mapped_column(String(100))
    grade: Mapped[int]
    level: Mapped[str] = mapped_column(String(16))
    delivery: Mapped[str] = mapped_column(String(16), default="in_person")
    # The listed students of a sub-group course; null: the whole class.
    student_ids: Mapped[list[str] | None] = mapped_column(JSON)
    teacher_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # {"moya_shkola": "…", "regional": "…"}: the course's ids in external systems (ID-9)
    external_ids: Mapped[dict[str, str] | None] = mapped_column(JSON)

    def taught_by(self, teacher_id: uuid.UUID) -> bool:
        return str(teacher_id) in (self.teacher_ids or [])


class TtTopicMixin:
    __tablename__ = "tt_topics"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(index=True)
    position: Mapped[int]
    section: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    planned_hours: Mapped[float] = mapped_column(Numeric(5, 1))


class TtLessonMixin:
    __tablename__ = "tt_lessons"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID]
    date: Mapped[date]
    starts_at: Mapped[time]
    starts_at_utc: Mapped[datetime | None] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int]
    lesson_number: Mapped[int | None]
    topic_id: Mapped[uuid.UUID | None]
    topic_title: Mapped[str | None] = mapped_column(String(500))
    organisational_form: Mapped[str] = mapped_column(String(32))
    delivery_form: Mapped[str] = mapped_column(String(16))
    support_mode: Mapped[str | None] = mapped_column(String(32))
    devices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    video_room_url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16))
    teacher_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    homework: Mapped[str | None] = mapped_column(Text)
    alternative: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)


@dataclass(frozen=True)
class TimetableModels:
    course: type[Any]
    topic: type[Any]
    lesson: type[Any]


def timetable_models(base: type[DeclarativeBase]) -> TimetableModels:
    module = base.__module__
    return TimetableModels(
        course=type("TtCourse", (TtCourseMixin, base), {"__module__": module}),
        topic=type(
            "TtTopic",
            (TtTopicMixin, base),
            {"__module__": module},
        ),
        lesson=type(
            "TtLesson",
            (TtLessonMixin, base),
            {
                "__module__": module,
                "__table_args__": (
                    Index("ix_tt_lessons_course_id_date", "course_id", "date"),
                    Index("ix_tt_lessons_school_id_date", "school_id", "date"),
                ),
            },
        ),
    )


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


async def apply_timetable_event(
    session: AsyncSession, models: TimetableModels, event: dict[str, Any]
) -> None:
    """Apply one of learning's course, plan or lesson events (idempotent)."""
    type_ = str(event["type"])
    p: dict[str, Any] = event.get("payload") or {}
    school_id = uuid.UUID(str(event["school_id"]))
    if type_ in ("course.created", "course.updated"):
        await _upsert_course(session, models, school_id, uuid.UUID(p["id"]), p)
    elif type_ == "course_plan.updated":
        course_id = uuid.UUID(p["course_id"])
        await session.execute(delete(models.topic).where(models.topic.course_id == course_id))
        await session.flush()
        for t in p.get("topics") or []:
            session.add(
                models.topic(
                    id=uuid.UUID(t["id"]),
                    school_id=school_id,
                    course_id=course_id,
                    position=int(t["position"]),
                    section=t.get("section"),
                    title=t["title"],
                    planned_hours=float(t.get("planned_hours") or 0),
                )
            )
    elif type_.startswith("lesson."):
        lesson_id = uuid.UUID(p["id"])
        course = p.get("course") or {}
        if course and await session.get(models.course, uuid.UUID(p["course_id"])) is None:
            await _upsert_course(session, models, school_id, uuid.UUID(p["course_id"]), course)
        row = await session.get(models.lesson, lesson_id)
        version = int(p.get("version") or 1)
        if row is not None and row.version > version:
            return  # an older copy of a lesson we already know better
        topic = p.get("topic") or None
        values = {
            "school_id": school_id,
            "course_id": uuid.UUID(p["course_id"]),
            "date": date.fromisoformat(p["date"]),
            "starts_at": time.fromisoformat(p["starts_at"]),
            "starts_at_utc": (
                datetime.fromisoformat(p["starts_at_utc"]) if p.get("starts_at_utc") else None
            ),
            "duration_minutes": int(p["duration_minutes"]),
            "lesson_number": p.get("lesson_number"),
            "topic_id": _uuid(topic["id"]) if topic else None,
            "topic_title": topic.get("title") if topic else None,
            "organisational_form": p.get("organisational_form") or "lesson",
            "delivery_form": p.get("delivery_form") or "in_person",
            "support_mode": p.get("support_mode"),
            "devices": list(p.get("devices") or []),
            "video_room_url": p.get("video_room_url"),
            "status": "cancelled" if type_ == "lesson.cancelled" else p.get("status", "scheduled"),
            "teacher_id": _uuid(p.get("teacher_id")),
            "homework": p.get("homework"),
            "alternative": p.get("alternative"),
            "version": version,
        }
        if row is None:
            session.add(models.lesson(id=lesson_id, **values))
        else:
            for name, value in values.items():
                setattr(row, name, value)
    await session.flush()


async def _upsert_course(
    session: AsyncSession,
    models: TimetableModels,
    school_id: uuid.UUID,
    course_id: uuid.UUID,
    p: dict[str, Any],
) -> None:
    grade = int(p.get("grade") or 0)
    values = {
        "school_id": school_id,
        "academic_year_id": _uuid(p.get("academic_year_id")),
        "class_group_id": uuid.UUID(p["class_group_id"]),
        "subject": p.get("subject") or "",
        "subgroup": p.get("subgroup"),
        "grade": grade,
        "level": p.get("level") or "",
        "delivery": p.get("delivery") or "in_person",
        "student_ids": p.get("student_ids"),
        "teacher_ids": [str(t) for t in p.get("teacher_ids") or []],
    }
    if "external_ids" in p:  # a lesson's brief course copy does not carry them
        values["external_ids"] = dict(p.get("external_ids") or {})
    row = await session.get(models.course, course_id)
    if row is None:
        session.add(models.course(id=course_id, **values))
    else:
        for name, value in values.items():
            if name == "academic_year_id" and value is None:
                continue  # a lesson's brief course copy does not name the year
            setattr(row, name, value)
