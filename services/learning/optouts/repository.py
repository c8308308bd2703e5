"""All SQL of learning's replica of compliance's opt-outs (LE-12)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.learning.models import OptOutReplica


class OptOutReplicaRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_students(
        self, school_id: uuid.UUID, student_ids: Iterable[uuid.UUID]
    ) -> list[OptOutReplica]:
        """The students' registered (or since withdrawn) opt-outs, in one query."""
        wanted = set(student_ids)
        if not wanted:
            return []
        rows = await self.session.execute(
            select(OptOutReplica)
            .where(
                OptOutReplica.school_id == school_id,
                OptOutReplica.student_id.in_(wanted),
                OptOutReplica.status.in_(("registered", "withdrawn")),
                OptOutReplica.effective_from.is_not(None),
            )
            .order_by(OptOutReplica.student_id, OptOutReplica.effective_from)
        )
        return list(rows.scalars())
