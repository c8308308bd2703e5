"""The SQL the roster import needs, over the repositories of the features it feeds (ID-1)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.class_groups.repository import ClassGroupRepository
from services.identity.external_ids.repository import ExternalIdRepository
from services.identity.models import AcademicYear, ClassGroup, User
from services.identity.school.repository import AcademicYearRepository
from services.identity.users.repository import UserRepository


class RosterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.users = UserRepository(session)
        self.groups = ClassGroupRepository(session)
        self.years = AcademicYearRepository(session)
        self.external = ExternalIdRepository(session)

    async def taken_usernames(self, usernames: Sequence[str]) -> set[str]:
        return await self.users.taken_usernames(usernames)

    async def school_users(self, usernames: Sequence[str], school_id: uuid.UUID) -> dict[str, User]:
        return await self.users.by_usernames(usernames, school_id)

    async def current_year(self, school_id: uuid.UUID) -> AcademicYear | None:
        return await self.years.current(school_id)

    async def classes(self, school_id: uuid.UUID, year_id: uuid.UUID) -> dict[str, ClassGroup]:
        return await self.groups.in_year_by_name(school_id, year_id)

    async def taken_external(
        self, school_id: uuid.UUID, pairs: list[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        return await self.external.taken_values(school_id, "user", pairs)

    async def save(self, objects: Sequence[object]) -> None:
        self.session.add_all(objects)
        await self.session.flush()
