"""All SQL about the school and its academic years (ID-4, X-7)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.identity.models import AcademicYear, School


class SchoolRepository(Repository[School]):
    model = School

    async def by_id(self, school_id: uuid.UUID) -> School | None:
        return await self.session.get(School, school_id)


class AcademicYearRepository(Repository[AcademicYear]):
    model = AcademicYear

    async def page_in_school(
        self, school_id: uuid.UUID, params: PageParams
    ) -> tuple[list[AcademicYear], dict[str, Any] | None]:
        return await self.page(self._scoped(school_id), params)

    async def current(self, school_id: uuid.UUID) -> AcademicYear | None:
        return await self.first(self._scoped(school_id).where(AcademicYear.is_current.is_(True)))

    async def named(self, school_id: uuid.UUID, name: str) -> AcademicYear | None:
        return await self.first(self._scoped(school_id).where(AcademicYear.name == name))

    async def overlapping(
        self, school_id: uuid.UUID, starts_on: date, ends_on: date, exclude: uuid.UUID | None
    ) -> AcademicYear | None:
        stmt = self._scoped(school_id).where(
            AcademicYear.starts_on <= ends_on, AcademicYear.ends_on >= starts_on
        )
        if exclude is not None:
            stmt = stmt.where(AcademicYear.id != exclude)
        return await self.first(stmt)

    async def current_others(
        self, school_id: uuid.UUID, keep: uuid.UUID | None
    ) -> list[AcademicYear]:
        stmt = self._scoped(school_id).where(AcademicYear.is_current.is_(True))
        if keep is not None:
            stmt = stmt.where(AcademicYear.id != keep)
        return list(await self.all(stmt))
