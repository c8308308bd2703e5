"""The SQL the timetable import needs (LE-3, X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, time

from sqlalchemy import select

from services.common.repository import Repository
from services.learning.models import Course, Lesson


class TimetableImportRepository(Repository[Course]):
    model = Course

    async def courses(
        self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, Course]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = await self.all(
            select(Course).where(Course.school_id == school_id, Course.id.in_(wanted))
        )
        return {c.id: c for c in rows}

    async def busy_slots(
        self, school_id: uuid.UUID, course_ids: Iterable[uuid.UUID], start: date, end: date
    ) -> set[tuple[uuid.UUID, date, time]]:
        wanted = list(set(course_ids))
        if not wanted:
            return set()
        rows = await self.session.execute(
            select(Lesson.course_id, Lesson.date, Lesson.starts_at).where(
                Lesson.school_id == school_id,
                Lesson.course_id.in_(wanted),
                Lesson.date >= start,
                Lesson.date <= end,
                Lesson.status == "scheduled",
            )
        )
        return {(c, d, t) for c, d, t in rows.all()}
