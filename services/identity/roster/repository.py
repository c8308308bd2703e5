"""The SQL the roster import needs, over the repositories of the features it feeds (ID-1)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.identity.class_groups.repository import ClassGroupRepository
from services.identity.external_ids.repository import ExternalIdRepository
from services.identity.models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    ExternalId,
    Guardianship,
    User,
)
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

    # -- the export -------------------------------------------------------------------

    async def active_users(self, school_id: uuid.UUID) -> list[User]:
        stmt = (
            self.users._scoped(school_id)
            .where(User.is_active.is_(True))
            .order_by(User.last_name, User.first_name, User.username)
        )
        return await self.users.all(stmt)

    async def current_classes(self, school_id: uuid.UUID) -> dict[uuid.UUID, str]:
        """``{student id: class name}`` in the current academic year."""
        stmt = (
            select(ClassMembership.student_id, ClassGroup.grade, ClassGroup.letter)
            .join(ClassGroup, ClassGroup.id == ClassMembership.class_group_id)
            .join(AcademicYear, AcademicYear.id == ClassGroup.academic_year_id)
            .where(ClassMembership.school_id == school_id, AcademicYear.is_current.is_(True))
        )
        rows = await self.session.execute(stmt)
        return {sid: f"{grade}{letter}" for sid, grade, letter in rows.all()}

    async def children(self, school_id: uuid.UUID) -> list[tuple[uuid.UUID, uuid.UUID]]:
        rows = await self.session.execute(
            select(Guardianship.guardian_id, Guardianship.student_id)
            .where(Guardianship.school_id == school_id)
            .order_by(Guardianship.created_at)
        )
        return [(g, s) for g, s in rows.all()]

    async def user_external_ids(self, school_id: uuid.UUID) -> dict[uuid.UUID, dict[str, str]]:
        rows = await self.session.execute(
            select(ExternalId.entity_id, ExternalId.system, ExternalId.value).where(
                ExternalId.school_id == school_id, ExternalId.entity_type == "user"
            )
        )
        out: dict[uuid.UUID, dict[str, str]] = {}
        for entity_id, system, value in rows.all():
            out.setdefault(entity_id, {})[system] = value
        return out
