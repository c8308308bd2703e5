"""Payloads of learning's course, thematic-plan and lesson events (LE-1, LE-2, LE-3).

The journal and compliance keep replicas of courses, plans and lessons from these
events (``services/common/timetable.py``) and never call learning back, so each
payload is complete: ids as strings, dates ``YYYY-MM-DD``, times ``HH:MM``, instants
ISO 8601 with an offset. Other features that describe a lesson in their own events
reuse :func:`lesson_payload`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.outbox import emit
from services.learning.models import Course, CourseExternalId, Lesson, Topic, kernel

COURSE_CREATED = "course.created"
COURSE_UPDATED = "course.updated"
COURSE_PLAN_UPDATED = "course_plan.updated"
LESSON_SCHEDULED = "lesson.scheduled"
LESSON_CHANGED = "lesson.changed"
LESSON_CANCELLED = "lesson.cancelled"

EVENT_TYPES = [
    COURSE_CREATED,
    COURSE_UPDATED,
    COURSE_PLAN_UPDATED,
    LESSON_SCHEDULED,
    LESSON_CHANGED,
    LESSON_CANCELLED,
]


def hours(value: Decimal | float | int) -> float:
    """Planned hours as a JSON number (stored with one decimal place)."""
    return float(value)


def _ids(values: Iterable[uuid.UUID]) -> list[str]:
    return [str(v) for v in values]


def course_brief(course: Course) -> dict[str, Any]:
    """What a lesson event tells about its course."""
    return {
        "subject": course.subject,
        "class_group_id": str(course.class_group_id),
        "grade": course.grade,
        "level": course.level,
        "subgroup": course.subgroup,
        "student_ids": _ids(course.student_ids) if course.subgroup else None,
        "teacher_ids": _ids(course.teacher_ids),
    }


def course_payload(
    course: Course, class_name: str | None, external_ids: dict[str, str] | None = None
) -> dict[str, Any]:
    """``course.created`` / ``course.updated`` (with the course's external ids, ID-9)."""
    return {
        "id": str(course.id),
        **course_brief(course),
        "class_name": class_name,
        "academic_year_id": str(course.academic_year_id),
        "delivery": course.delivery,
        "work_program_title": course.work_program_title,
        "work_program_url": course.work_program_url,
        "hours_per_week": (
            hours(course.hours_per_week) if course.hours_per_week is not None else None
        ),
        "is_archived": course.is_archived,
        "external_ids": dict(external_ids or {}),
    }


def topic_payload(topic: Topic) -> dict[str, Any]:
    return {
        "id": str(topic.id),
        "position": topic.position,
        "section": topic.section,
        "title": topic.title,
        "planned_hours": hours(topic.planned_hours),
        "planned_date": topic.planned_date.isoformat() if topic.planned_date else None,
    }


def plan_payload(course_id: uuid.UUID, topics: Iterable[Topic]) -> dict[str, Any]:
    """``course_plan.updated``: the whole plan after the change, in order."""
    ordered = sorted(topics, key=lambda t: t.position)
    return {"course_id": str(course_id), "topics": [topic_payload(t) for t in ordered]}


def acting_teacher_id(lesson: Lesson, course: Course) -> uuid.UUID | None:
    """Who actually teaches the lesson: the substitute, else the course's first teacher."""
    if lesson.substitute_teacher_id is not None:
        return lesson.substitute_teacher_id
    teachers = course.teacher_ids
    return teachers[0] if teachers else None


def lesson_payload(lesson: Lesson, course: Course, topic: Topic | None) -> dict[str, Any]:
    """``lesson.scheduled`` / ``lesson.changed`` / ``lesson.cancelled``.

    ``course`` is the lesson's course (with its teachers and sub-group students loaded)
    and ``topic`` the lesson's topic of the thematic plan, if any.
    """
    teacher_id = acting_teacher_id(lesson, course)
    return {
        "id": str(lesson.id),
        "course_id": str(course.id),
        "course": course_brief(course),
        "date": lesson.date.isoformat(),
        "starts_at": lesson.starts_at.strftime("%H:%M"),
        "starts_at_utc": lesson.starts_at_utc.isoformat(),
        "duration_minutes": lesson.duration_minutes,
        "lesson_number": lesson.lesson_number,
        "topic": (
            {"id": str(topic.id), "position": topic.position, "title": topic.title}
            if topic is not None
            else None
        ),
        "organisational_form": lesson.organisational_form,
        "delivery_form": lesson.delivery_form,
        "support_mode": lesson.support_mode,
        "devices": [
            {"device": d["device"], "minutes": int(d["minutes"]), "kind": d["kind"]}
            for d in lesson.devices or []
        ],
        "video_room_url": lesson.video_room_url,
        "room": lesson.room,
        "status": lesson.status,
        "cancel_reason": lesson.cancel_reason,
        "substitute_teacher_id": (
            str(lesson.substitute_teacher_id) if lesson.substitute_teacher_id else None
        ),
        "teacher_id": str(teacher_id) if teacher_id else None,
        "homework": lesson.homework,
        "alternative": lesson.alternative,
        "moved_from_date": lesson.moved_from_date.isoformat() if lesson.moved_from_date else None,
        "version": lesson.version,
        # Reg §2.5: checked_ok / warnings / not_checked, null without screen devices
        "compliance_status": lesson.compliance_status,
    }


async def course_external_ids(session: AsyncSession, course_id: uuid.UUID) -> dict[str, str]:
    rows = await session.execute(
        select(CourseExternalId.system, CourseExternalId.value).where(
            CourseExternalId.course_id == course_id
        )
    )
    return dict(rows.all())


async def emit_course_event(
    session: AsyncSession, type_: str, course: Course, class_name: str | None
) -> None:
    externals = await course_external_ids(session, course.id)
    await emit(
        session,
        kernel.outbox,
        school_id=course.school_id,
        type=type_,
        aggregate_type="course",
        aggregate_id=course.id,
        payload=course_payload(course, class_name, externals),
    )


async def emit_plan_event(session: AsyncSession, course: Course, topics: Iterable[Topic]) -> None:
    await emit(
        session,
        kernel.outbox,
        school_id=course.school_id,
        type=COURSE_PLAN_UPDATED,
        aggregate_type="course",
        aggregate_id=course.id,
        payload=plan_payload(course.id, topics),
    )


async def emit_lesson_event(
    session: AsyncSession, type_: str, lesson: Lesson, course: Course, topic: Topic | None
) -> None:
    await emit(
        session,
        kernel.outbox,
        school_id=lesson.school_id,
        type=type_,
        aggregate_type="lesson",
        aggregate_id=lesson.id,
        payload=lesson_payload(lesson, course, topic),
    )
