"""All SQL about guardian ↔ student links (ID-3, X-7)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import or_, select

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.identity.models import Guardianship


class GuardianshipRepository(Repository[Guardianship]):
    model = Guardianship

    async def find(self, guardian_id: uuid.UUID, student_id: uuid.UUID) -> Guardianship | None:
        stmt = select(Guardianship).where(
            Guardianship.guardian_id == guardian_id, Guardianship.student_id == student_id
        )
        return await self.first(stmt)

    async def page_for(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        guardian_id: uuid.UUID | None = None,
        student_id: uuid.UUID | None = None,
    ) -> tuple[list[Guardianship], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if guardian_id is not None:
            stmt = stmt.where(Guardianship.guardian_id == guardian_id)
        if student_id is not None:
            stmt = stmt.where(Guardianship.student_id == student_id)
        return await self.page(stmt, params)

    async def of_person(self, school_id: uuid.UUID, user_id: uuid.UUID) -> list[Guardianship]:
        """Every link where the person is the guardian or the child."""
        stmt = self._scoped(school_id).where(
            or_(Guardianship.guardian_id == user_id, Guardianship.student_id == user_id)
        )
        return list(await self.all(stmt.order_by(Guardianship.created_at, Guardianship.id)))

    async def delete(self, link: Guardianship) -> None:
        await self.session.delete(link)
        await self.session.flush()
