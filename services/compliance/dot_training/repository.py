"""All SQL of the DOT-training flags (CO-7, X-7): lessons of learning's replica."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select

from services.compliance.models import timetable

# Lessons given with ЭО or ДОТ (§3.4 asks for trained teachers for both).
ONLINE_FORMS = ("distance", "e_learning")


class LessonRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    async def online_lessons(
        self, school_id: uuid.UUID, first: date, last: date, limit: int | None = None
    ) -> list[tuple[Any, Any]]:
        """(lesson, course) of the school's ЭО/ДОТ lessons dated first…last, not
        cancelled, in date and time order."""
        lesson, course = timetable.lesson, timetable.course
        stmt = (
            select(lesson, course)
            .join(course, course.id == lesson.course_id)
            .where(
                lesson.school_id == school_id,
                lesson.date >= first,
                lesson.date <= last,
                lesson.status != "cancelled",
                lesson.delivery_form.in_(ONLINE_FORMS),
            )
            .order_by(lesson.date, lesson.starts_at, lesson.id)
        )
        if limit is not None:
            stmt = stmt.limit(limit)
        rows = await self.session.execute(stmt)
        return [(row[0], row[1]) for row in rows.all()]
