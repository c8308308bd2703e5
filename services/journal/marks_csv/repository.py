"""The SQL of the marks CSV files (JO-2, X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.journal.models import Mark, directory, timetable


class MarksCsvRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def marks(
        self, course_id: uuid.UUID, starts: date, ends: date, students: set[uuid.UUID]
    ) -> list[Mark]:
        if not students:
            return []
        rows = await self.session.execute(
            select(Mark)
            .where(
                Mark.course_id == course_id,
                Mark.status == "active",
                Mark.date >= starts,
                Mark.date <= ends,
                Mark.student_id.in_(students),
            )
            .order_by(Mark.date, Mark.created_at, Mark.id)
        )
        return list(rows.scalars())

    async def students_by_external(self, school_id: uuid.UUID, system: str) -> dict[str, uuid.UUID]:
        model = directory.external_id
        rows = await self.session.execute(
            select(model.value, model.entity_id).where(
                model.school_id == school_id,
                model.entity_type == "user",
                model.system == system,
            )
        )
        return dict(rows.all())

    async def lessons(self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        lesson = timetable.lesson
        rows = await self.session.execute(
            select(lesson).where(lesson.school_id == school_id, lesson.id.in_(wanted))
        )
        return {row.id: row for row in rows.scalars()}
