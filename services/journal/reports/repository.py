"""All SQL of the journal reports (JO-8): each method is one query whatever the sizes."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.journal.models import LessonRecord, Mark, Period, TermMark, directory, timetable


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def school_name(self, school_id: uuid.UUID) -> str:
        school = await self.session.get(directory.school, school_id)
        return str(school.name) if school is not None else ""

    async def periods(self, school_id: uuid.UUID, year_id: uuid.UUID) -> list[Period]:
        rows = await self.session.execute(
            select(Period)
            .where(Period.school_id == school_id, Period.academic_year_id == year_id)
            .order_by(Period.starts_on)
        )
        return list(rows.scalars())

    async def lesson_records(
        self, course_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, LessonRecord]:
        ids = list(course_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(LessonRecord).where(LessonRecord.course_id.in_(ids))
        )
        return {r.lesson_id: r for r in rows.scalars()}

    async def term_marks(self, course_ids: Iterable[uuid.UUID]) -> list[TermMark]:
        ids = list(course_ids)
        if not ids:
            return []
        rows = await self.session.execute(select(TermMark).where(TermMark.course_id.in_(ids)))
        return list(rows.scalars())

    async def marks(self, course_ids: Iterable[uuid.UUID], starts: date, ends: date) -> list[Mark]:
        ids = list(course_ids)
        if not ids:
            return []
        rows = await self.session.execute(
            select(Mark).where(
                Mark.course_id.in_(ids),
                Mark.status == "active",
                Mark.date >= starts,
                Mark.date <= ends,
            )
        )
        return list(rows.scalars())

    async def courses_of_year(
        self,
        school_id: uuid.UUID,
        year_id: uuid.UUID,
        group_ids: Iterable[uuid.UUID],
        *,
        class_group_id: uuid.UUID | None = None,
    ) -> list[Any]:
        """Courses of the year: those naming it, and those naming no year whose class
        belongs to it (optionally of one class only)."""
        c = timetable.course
        groups = list(group_ids)
        stmt = select(c).where(
            c.school_id == school_id,
            or_(
                c.academic_year_id == year_id,
                c.academic_year_id.is_(None) & c.class_group_id.in_(groups),
            ),
        )
        if class_group_id is not None:
            stmt = stmt.where(c.class_group_id == class_group_id)
        rows = await self.session.execute(stmt.order_by(c.subject, c.subgroup, c.id))
        return list(rows.scalars())

    async def class_groups_of_year(self, school_id: uuid.UUID, year_id: uuid.UUID) -> list[Any]:
        g = directory.class_group
        rows = await self.session.execute(
            select(g)
            .where(g.school_id == school_id, g.academic_year_id == year_id)
            .order_by(g.grade, g.name)
        )
        return list(rows.scalars())

    async def members(
        self, school_id: uuid.UUID, group_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        groups = list(group_ids)
        out: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        if not groups:
            return out
        m = directory.membership
        rows = await self.session.execute(
            select(m.class_group_id, m.student_id).where(
                m.school_id == school_id, m.class_group_id.in_(groups)
            )
        )
        for group_id, student_id in rows:
            out[group_id].add(student_id)
        return out
