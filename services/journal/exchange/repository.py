"""The SQL of exchange files: one school, a date or an academic year (GW-5, X-7).

Every read is one query whatever the number of lessons, marks or people.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.journal.models import Attendance, LessonRecord, Mark, Period, directory, timetable


class ExchangeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def _all(self, stmt: Any) -> list[Any]:
        return list((await self.session.execute(stmt)).scalars())

    async def lessons_on(self, school_id: uuid.UUID, day: date) -> list[Any]:
        t = timetable.lesson
        return await self._all(
            select(t)
            .where(t.school_id == school_id, t.date == day)
            .order_by(t.starts_at, t.lesson_number, t.id)
        )

    async def courses(self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        c = timetable.course
        rows = await self._all(select(c).where(c.school_id == school_id, c.id.in_(wanted)))
        return {row.id: row for row in rows}

    async def courses_of_year(self, school_id: uuid.UUID, year_id: uuid.UUID) -> list[Any]:
        c = timetable.course
        return await self._all(
            select(c)
            .where(c.school_id == school_id, c.academic_year_id == year_id)
            .order_by(c.grade, c.subject, c.id)
        )

    async def records(self, lesson_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, LessonRecord]:
        wanted = list(set(lesson_ids))
        if not wanted:
            return {}
        rows = await self._all(select(LessonRecord).where(LessonRecord.lesson_id.in_(wanted)))
        return {r.lesson_id: r for r in rows}

    async def attendance(
        self, lesson_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, list[Attendance]]:
        wanted = list(set(lesson_ids))
        out: dict[uuid.UUID, list[Attendance]] = defaultdict(list)
        if not wanted:
            return out
        rows = await self._all(
            select(Attendance)
            .where(Attendance.lesson_id.in_(wanted))
            .order_by(Attendance.student_id)
        )
        for row in rows:
            out[row.lesson_id].append(row)
        return out

    async def marks_on(self, school_id: uuid.UUID, day: date) -> list[Mark]:
        return await self._all(
            select(Mark)
            .where(Mark.school_id == school_id, Mark.date == day, Mark.status == "active")
            .order_by(Mark.created_at, Mark.id)
        )

    async def marks_between(
        self, school_id: uuid.UUID, course_ids: Iterable[uuid.UUID], starts: date, ends: date
    ) -> list[Mark]:
        wanted = list(set(course_ids))
        if not wanted:
            return []
        return await self._all(
            select(Mark)
            .where(
                Mark.school_id == school_id,
                Mark.course_id.in_(wanted),
                Mark.status == "active",
                Mark.date >= starts,
                Mark.date <= ends,
            )
            .order_by(Mark.date, Mark.id)
        )

    async def lesson_topics(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        t = timetable.lesson
        rows = await self._all(select(t).where(t.id.in_(wanted)))
        return {row.id: row for row in rows}

    async def periods(self, school_id: uuid.UUID, year_id: uuid.UUID) -> list[Period]:
        return await self._all(
            select(Period)
            .where(Period.school_id == school_id, Period.academic_year_id == year_id)
            .order_by(Period.starts_on)
        )

    async def people(self, school_id: uuid.UUID) -> list[Any]:
        p = directory.person
        return await self._all(
            select(p).where(p.school_id == school_id).order_by(p.last_name, p.first_name, p.id)
        )

    async def class_groups(
        self, school_id: uuid.UUID, year_id: uuid.UUID | None = None
    ) -> list[Any]:
        g = directory.class_group
        stmt = select(g).where(g.school_id == school_id)
        if year_id is not None:
            stmt = stmt.where(g.academic_year_id == year_id)
        return await self._all(stmt.order_by(g.grade, g.letter, g.id))

    async def memberships(
        self, school_id: uuid.UUID, group_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        wanted = list(set(group_ids))
        out: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        if not wanted:
            return out
        m = directory.membership
        rows = await self.session.execute(
            select(m.class_group_id, m.student_id).where(
                m.school_id == school_id, m.class_group_id.in_(wanted)
            )
        )
        for group_id, student_id in rows.all():
            out[group_id].add(student_id)
        return out

    async def guardians(self, school_id: uuid.UUID) -> dict[uuid.UUID, set[uuid.UUID]]:
        g = directory.guardianship
        rows = await self.session.execute(
            select(g.student_id, g.guardian_id).where(g.school_id == school_id)
        )
        out: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for student_id, guardian_id in rows.all():
            out[student_id].add(guardian_id)
        return out

    async def external_ids(
        self, school_id: uuid.UUID
    ) -> dict[tuple[str, uuid.UUID], dict[str, str]]:
        """``{(entity type, id): {system: value}}`` of the school's people and classes."""
        e = directory.external_id
        rows = await self._all(select(e).where(e.school_id == school_id))
        out: dict[tuple[str, uuid.UUID], dict[str, str]] = defaultdict(dict)
        for row in rows:
            out[(row.entity_type, row.entity_id)][row.system] = row.value
        return out
