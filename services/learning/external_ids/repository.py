"""All SQL about courses' external ids (ID-9, X-7)."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from services.common.repository import Repository
from services.learning.models import CourseExternalId


class CourseExternalIdRepository(Repository[CourseExternalId]):
    model = CourseExternalId

    async def of_course(
        self, school_id: uuid.UUID, course_id: uuid.UUID, system: str
    ) -> CourseExternalId | None:
        stmt = self._scoped(school_id).where(
            CourseExternalId.course_id == course_id, CourseExternalId.system == system
        )
        return await self.first(stmt)

    async def by_value(
        self, school_id: uuid.UUID, system: str, value: str
    ) -> CourseExternalId | None:
        stmt = self._scoped(school_id).where(
            CourseExternalId.system == system, CourseExternalId.value == value
        )
        return await self.first(stmt)

    async def values_of_system(self, school_id: uuid.UUID, system: str) -> dict[str, uuid.UUID]:
        """``{value: course id}`` of one system in a school (for imports)."""
        rows = await self.session.execute(
            select(CourseExternalId.value, CourseExternalId.course_id).where(
                CourseExternalId.school_id == school_id, CourseExternalId.system == system
            )
        )
        return dict(rows.all())

    async def delete(self, row: CourseExternalId) -> None:
        await self.session.delete(row)
        await self.session.flush()
