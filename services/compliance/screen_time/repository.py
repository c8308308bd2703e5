"""All SQL of actual screen time (CO-3): every query scoped by school."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.compliance.models import ScreenTimeAlert, ScreenTimeInterval, timetable


class IntervalRepository(Repository[ScreenTimeInterval]):
    model = ScreenTimeInterval

    async def lock_student(self, student_id: uuid.UUID) -> None:
        """Serialise reports about one student: on PostgreSQL a transaction-level advisory
        lock, so two reports never both count the same minutes (SQLite has one writer)."""
        if self.session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"screen_time:{student_id}".encode())
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})

    async def of_days(
        self, school_id: uuid.UUID, student_id: uuid.UUID, days: Iterable[date]
    ) -> list[ScreenTimeInterval]:
        wanted = sorted(set(days))
        if not wanted:
            return []
        stmt = (
            self._scoped(school_id)
            .where(ScreenTimeInterval.student_id == student_id, ScreenTimeInterval.day.in_(wanted))
            .order_by(ScreenTimeInterval.started_at, ScreenTimeInterval.id)
        )
        return await self.all(stmt)

    async def remove(self, rows: Iterable[ScreenTimeInterval]) -> None:
        """Delete intervals merged into another one (through the ORM: audited)."""
        for row in rows:
            await self.session.delete(row)
        await self.session.flush()

    async def totals(
        self, school_id: uuid.UUID, student_id: uuid.UUID, day: date
    ) -> dict[tuple[str, str], int]:
        """Seconds of the day by (device, context)."""
        stmt = (
            select(
                ScreenTimeInterval.device,
                ScreenTimeInterval.context,
                func.sum(ScreenTimeInterval.seconds),
            )
            .where(
                ScreenTimeInterval.school_id == school_id,
                ScreenTimeInterval.student_id == student_id,
                ScreenTimeInterval.day == day,
            )
            .group_by(ScreenTimeInterval.device, ScreenTimeInterval.context)
        )
        rows = await self.session.execute(stmt)
        return {(device, context): int(total or 0) for device, context, total in rows}


class AlertRepository(Repository[ScreenTimeAlert]):
    model = ScreenTimeAlert

    async def keys_of_day(
        self, school_id: uuid.UUID, student_id: uuid.UUID, day: date
    ) -> set[tuple[str, str, int]]:
        stmt = select(
            ScreenTimeAlert.device, ScreenTimeAlert.measure, ScreenTimeAlert.threshold
        ).where(
            ScreenTimeAlert.school_id == school_id,
            ScreenTimeAlert.student_id == student_id,
            ScreenTimeAlert.day == day,
        )
        return {(d, m, int(t)) for d, m, t in await self.session.execute(stmt)}

    async def of_day(
        self, school_id: uuid.UUID, student_id: uuid.UUID, day: date
    ) -> list[ScreenTimeAlert]:
        stmt = (
            self._scoped(school_id)
            .where(ScreenTimeAlert.student_id == student_id, ScreenTimeAlert.day == day)
            .order_by(ScreenTimeAlert.id)
        )
        return await self.all(stmt)

    async def add_once(self, alert: ScreenTimeAlert) -> bool:
        """Insert the alert unless an equal one exists (a concurrent report raised it)."""
        try:
            async with self.session.begin_nested():
                self.session.add(alert)
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def page_of(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        student_ids: set[uuid.UUID] | None,
        date_from: date | None,
        date_to: date | None,
    ) -> tuple[list[ScreenTimeAlert], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if student_ids is not None:
            if not student_ids:
                return [], None
            stmt = stmt.where(ScreenTimeAlert.student_id.in_(student_ids))
        if date_from is not None:
            stmt = stmt.where(ScreenTimeAlert.day >= date_from)
        if date_to is not None:
            stmt = stmt.where(ScreenTimeAlert.day <= date_to)
        return await self.page(stmt, params)


class LessonRepository:
    """The student's lessons in learning's timetable replica."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def teacher_groups(self, school_id: uuid.UUID, teacher_id: uuid.UUID) -> set[uuid.UUID]:
        """Classes of the courses a teacher teaches."""
        course = timetable.course
        rows = await self.session.execute(
            select(course.class_group_id, course.teacher_ids).where(course.school_id == school_id)
        )
        mine = str(teacher_id)
        return {group for group, teachers in rows if mine in (teachers or [])}

    async def lessons_of(
        self,
        school_id: uuid.UUID,
        student_id: uuid.UUID,
        group_ids: set[uuid.UUID],
        first: date,
        last: date,
    ) -> list[Any]:
        """Lessons (not cancelled) of the student's classes between the dates; a
        sub-group course's lessons only when the student is listed in it."""
        if not group_ids:
            return []
        course, lesson = timetable.course, timetable.lesson
        stmt = (
            select(lesson, course.student_ids)
            .join(course, course.id == lesson.course_id)
            .where(
                lesson.school_id == school_id,
                course.class_group_id.in_(group_ids),
                lesson.date >= first,
                lesson.date <= last,
                or_(lesson.status.is_(None), lesson.status != "cancelled"),
            )
        )
        mine = str(student_id)
        return [
            row
            for row, listed in await self.session.execute(stmt)
            if listed is None or mine in listed
        ]
