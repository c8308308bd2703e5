"""All SQL of individual plans (LE-11, X-7)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.models import IndividualPlan


class PlanRepository(Repository[IndividualPlan]):
    model = IndividualPlan

    async def page_of(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        students: set[uuid.UUID] | None,
        student_id: uuid.UUID | None,
        category: str | None,
        tutor_id: uuid.UUID | None,
        active_on: date | None,
    ) -> tuple[list[IndividualPlan], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if students is not None:
            stmt = stmt.where(IndividualPlan.student_id.in_(students))
        if student_id is not None:
            stmt = stmt.where(IndividualPlan.student_id == student_id)
        if category is not None:
            stmt = stmt.where(IndividualPlan.category == category)
        if tutor_id is not None:
            stmt = stmt.where(IndividualPlan.tutor_id == tutor_id)
        if active_on is not None:
            stmt = stmt.where(
                IndividualPlan.valid_from <= active_on, IndividualPlan.valid_to >= active_on
            )
        return await self.page(stmt, params)
