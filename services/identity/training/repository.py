"""All SQL about DOT training records (ID-7, X-7)."""

from __future__ import annotations

import uuid
from typing import Any

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.identity.models import TeacherTraining


class TrainingRepository(Repository[TeacherTraining]):
    model = TeacherTraining

    async def page_of(
        self, school_id: uuid.UUID, teacher_id: uuid.UUID, params: PageParams
    ) -> tuple[list[TeacherTraining], dict[str, Any] | None]:
        stmt = self._scoped(school_id).where(TeacherTraining.teacher_id == teacher_id)
        return await self.page(stmt, params)

    async def of_teacher(
        self, school_id: uuid.UUID, teacher_id: uuid.UUID
    ) -> list[TeacherTraining]:
        stmt = (
            self._scoped(school_id)
            .where(TeacherTraining.teacher_id == teacher_id)
            .order_by(TeacherTraining.completed_on, TeacherTraining.id)
        )
        return list(await self.all(stmt))
