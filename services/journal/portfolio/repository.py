"""All SQL of the portfolio (JO-7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.journal.models import PortfolioItem, directory


class PortfolioRepository(Repository[PortfolioItem]):
    model = PortfolioItem

    async def of_student(
        self, school_id: uuid.UUID, student_id: uuid.UUID, statuses: Iterable[str] | None
    ) -> list[PortfolioItem]:
        stmt = self._scoped(school_id).where(PortfolioItem.student_id == student_id)
        if statuses is not None:
            stmt = stmt.where(PortfolioItem.status.in_(list(statuses)))
        rows: list[PortfolioItem] = await self.all(
            stmt.order_by(PortfolioItem.kind, PortfolioItem.occurred_on, PortfolioItem.created_at)
        )
        return rows

    async def queue(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        status: str | None,
        student_ids: set[uuid.UUID] | None,
    ) -> tuple[list[PortfolioItem], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if status is not None:
            stmt = stmt.where(PortfolioItem.status == status)
        if student_ids is not None:
            stmt = stmt.where(PortfolioItem.student_id.in_(list(student_ids)))
        return await self.page(stmt, params)

    async def ref_exists(self, source_ref: str) -> bool:
        row = await self.session.execute(
            select(PortfolioItem.id).where(PortfolioItem.source_ref == source_ref)
        )
        return row.scalar_one_or_none() is not None

    async def add_once(self, item: PortfolioItem) -> bool:
        """Insert an item carrying a ``source_ref``; False when a concurrent consumer
        has recorded the same event meanwhile (the unique constraint decides)."""
        self.session.add(item)
        try:
            async with self.session.begin_nested():
                await self.session.flush()
        except IntegrityError:
            return False
        return True

    async def class_names(self, school_id: uuid.UUID, student_id: uuid.UUID) -> list[str]:
        m, g = directory.membership, directory.class_group
        rows = await self.session.execute(
            select(g.name)
            .join(m, m.class_group_id == g.id)
            .where(m.school_id == school_id, m.student_id == student_id)
            .order_by(g.name)
        )
        return [str(n) for n in rows.scalars()]
