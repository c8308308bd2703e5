"""All SQL about class groups and membership (ID-4, X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import func, select

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.identity.models import AcademicYear, ClassGroup, ClassMembership, User
from services.identity.users.repository import chunks


class ClassGroupRepository(Repository[ClassGroup]):
    model = ClassGroup

    async def page_in_school(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        academic_year_id: uuid.UUID | None,
        grade: int | None,
        only_ids: Iterable[uuid.UUID] | None,
    ) -> tuple[list[ClassGroup], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if academic_year_id is not None:
            stmt = stmt.where(ClassGroup.academic_year_id == academic_year_id)
        if grade is not None:
            stmt = stmt.where(ClassGroup.grade == grade)
        if only_ids is not None:
            stmt = stmt.where(ClassGroup.id.in_(list(only_ids)))
        return await self.page(stmt, params)

    async def same_name(
        self, school_id: uuid.UUID, year_id: uuid.UUID, grade: int, letter: str
    ) -> ClassGroup | None:
        stmt = self._scoped(school_id).where(
            ClassGroup.academic_year_id == year_id,
            ClassGroup.grade == grade,
            ClassGroup.letter == letter,
        )
        return await self.first(stmt)

    async def in_year_by_name(
        self, school_id: uuid.UUID, year_id: uuid.UUID
    ) -> dict[str, ClassGroup]:
        """Class groups of a year by name (``7Б``)."""
        stmt = self._scoped(school_id).where(ClassGroup.academic_year_id == year_id)
        return {g.name: g for g in await self.all(stmt)}

    async def years(self, year_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, AcademicYear]:
        ids = list(set(year_ids))
        if not ids:
            return {}
        rows = await self.all(select(AcademicYear).where(AcademicYear.id.in_(ids)))
        return {y.id: y for y in rows}

    async def teachers(self, user_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, User]:
        ids = list(set(user_ids))
        if not ids:
            return {}
        rows = await self.all(select(User).where(User.id.in_(ids)))
        return {u.id: u for u in rows}

    async def student_counts(self, group_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        out: dict[uuid.UUID, int] = {}
        for part in chunks(list(group_ids)):
            stmt = (
                select(ClassMembership.class_group_id, func.count(ClassMembership.id))
                .where(ClassMembership.class_group_id.in_(part))
                .group_by(ClassMembership.class_group_id)
            )
            out.update({gid: int(n) for gid, n in (await self.session.execute(stmt)).all()})
        return out


class MembershipRepository(Repository[ClassMembership]):
    model = ClassMembership

    async def find(
        self, class_group_id: uuid.UUID, student_id: uuid.UUID
    ) -> ClassMembership | None:
        stmt = select(ClassMembership).where(
            ClassMembership.class_group_id == class_group_id,
            ClassMembership.student_id == student_id,
        )
        return await self.first(stmt)

    async def class_in_year(self, student_id: uuid.UUID, year_id: uuid.UUID) -> ClassGroup | None:
        """The class group the student already belongs to in that academic year."""
        stmt = (
            select(ClassGroup)
            .join(ClassMembership, ClassMembership.class_group_id == ClassGroup.id)
            .where(ClassMembership.student_id == student_id, ClassGroup.academic_year_id == year_id)
        )
        return await self.first(stmt)

    async def delete(self, membership: ClassMembership) -> None:
        await self.session.delete(membership)
        await self.session.flush()
