"""All SQL about courses (LE-1, X-7): every query is scoped by the school."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, select

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.models import Course, CourseExternalId, CourseTeacher, directory


class CourseRepository(Repository[Course]):
    model = Course

    async def page_in_school(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        class_group_id: uuid.UUID | None,
        teacher_id: uuid.UUID | None,
        academic_year_id: uuid.UUID | None,
        archived: bool | None,
        only_ids: Iterable[uuid.UUID] | None,
    ) -> tuple[list[Course], dict[str, Any] | None]:
        stmt: Select[Any] = self._scoped(school_id)
        if class_group_id is not None:
            stmt = stmt.where(Course.class_group_id == class_group_id)
        if academic_year_id is not None:
            stmt = stmt.where(Course.academic_year_id == academic_year_id)
        if archived is not None:
            stmt = stmt.where(Course.is_archived.is_(archived))
        if teacher_id is not None:
            taught = select(CourseTeacher.course_id).where(
                CourseTeacher.school_id == school_id, CourseTeacher.teacher_id == teacher_id
            )
            stmt = stmt.where(Course.id.in_(taught))
        if only_ids is not None:
            stmt = stmt.where(Course.id.in_(list(only_ids)))
        return await self.page(stmt, params)

    async def of_class_in_year(
        self, school_id: uuid.UUID, class_group_id: uuid.UUID, academic_year_id: uuid.UUID
    ) -> list[Course]:
        stmt = self._scoped(school_id).where(
            Course.class_group_id == class_group_id,
            Course.academic_year_id == academic_year_id,
        )
        return await self.all(stmt)

    async def external_ids(
        self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, str]]:
        """``{course id: {system: value}}`` (one query per 900 courses)."""
        wanted = list(set(ids))
        out: dict[uuid.UUID, dict[str, str]] = {}
        for start in range(0, len(wanted), 900):
            rows = await self.session.execute(
                select(CourseExternalId).where(
                    CourseExternalId.school_id == school_id,
                    CourseExternalId.course_id.in_(wanted[start : start + 900]),
                )
            )
            for row in rows.scalars():
                out.setdefault(row.course_id, {})[row.system] = row.value
        return out

    async def class_groups(
        self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, Any]:
        """Class groups of the directory replica by id (one query)."""
        wanted = set(ids)
        if not wanted:
            return {}
        cg = directory.class_group
        rows = await self.all(select(cg).where(cg.school_id == school_id, cg.id.in_(wanted)))
        return {g.id: g for g in rows}

    async def members_of(self, school_id: uuid.UUID, class_group_id: uuid.UUID) -> set[uuid.UUID]:
        m = directory.membership
        rows = await self.session.execute(
            select(m.student_id).where(m.school_id == school_id, m.class_group_id == class_group_id)
        )
        return set(rows.scalars())
