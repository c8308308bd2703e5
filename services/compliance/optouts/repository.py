"""All SQL of opt-out applications (CO-4)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import selectinload

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.compliance.models import OptOut, directory, timetable

OO = OptOut


class OptOutRepository(Repository[OptOut]):
    model = OptOut

    def _select(self) -> Select[Any]:
        return select(OptOut).options(selectinload(OptOut.history))

    async def in_school(
        self, school_id: uuid.UUID, optout_id: uuid.UUID, *, for_update: bool = False
    ) -> OptOut | None:
        stmt = self._scoped(school_id).where(OO.id == optout_id)
        if for_update:
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        found: OptOut | None = await self.first(stmt)
        return found

    async def active_of_student(self, school_id: uuid.UUID, student_id: uuid.UUID) -> OptOut | None:
        stmt = self._scoped(school_id).where(OO.student_id == student_id, OO.status != "withdrawn")
        found: OptOut | None = await self.first(stmt)
        return found

    async def page_in_school(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        students: set[uuid.UUID] | None,
        status: str | None,
        student_id: uuid.UUID | None,
        class_group_id: uuid.UUID | None,
    ) -> tuple[list[OptOut], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if students is not None:
            stmt = stmt.where(OO.student_id.in_(students))
        if status is not None:
            stmt = stmt.where(OO.status == status)
        if student_id is not None:
            stmt = stmt.where(OO.student_id == student_id)
        if class_group_id is not None:
            stmt = stmt.where(OO.class_group_id == class_group_id)
        return await self.page(stmt, params)

    async def in_force(
        self,
        school_id: uuid.UUID,
        on: date,
        *,
        class_group_ids: Iterable[uuid.UUID] | None = None,
        student_ids: Iterable[uuid.UUID] | None = None,
    ) -> list[OptOut]:
        """Registered applications in force on ``on`` (of these classes or students)."""
        stmt = self._scoped(school_id).where(
            OO.status == "registered", OO.effective_from.is_not(None), OO.effective_from <= on
        )
        filters = []
        if class_group_ids is not None:
            filters.append(OO.class_group_id.in_(set(class_group_ids)))
        if student_ids is not None:
            filters.append(OO.student_id.in_(set(student_ids)))
        if filters:
            stmt = stmt.where(or_(*filters))
        return await self.all(stmt.order_by(OO.class_group_id, OO.student_id))

    async def courses(self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        wanted = set(ids)
        if not wanted:
            return {}
        c = timetable.course
        rows = await self.session.execute(
            select(c).where(c.school_id == school_id, c.id.in_(wanted))
        )
        return {row.id: row for row in rows.scalars()}

    async def school_courses(self, school_id: uuid.UUID) -> list[Any]:
        c = timetable.course
        rows = await self.session.execute(select(c).where(c.school_id == school_id))
        return list(rows.scalars())

    async def class_groups(
        self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, Any]:
        wanted = set(ids)
        if not wanted:
            return {}
        g = directory.class_group
        rows = await self.session.execute(
            select(g).where(g.school_id == school_id, g.id.in_(wanted))
        )
        return {row.id: row for row in rows.scalars()}
