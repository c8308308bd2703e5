"""All SQL about people: accounts, roles, and the facts deciding who sees whom.

Serves ID-1 … ID-4 and X-7 (every query scoped by school).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlalchemy.orm import selectinload

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.identity.models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    ExternalId,
    Guardianship,
    TeacherTraining,
    User,
    UserRole,
)

# Keep IN lists well below every driver's bind-parameter limit.
CHUNK = 900


def chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def name_matches(term: str) -> ColumnElement[bool]:
    """A name search that works for Cyrillic on SQLite too.

    SQLite folds case for ASCII only, so the usual spellings of the term (as typed,
    lower, Capitalised, UPPER) are tried; PostgreSQL's ILIKE folds any case itself.
    """
    variants = {term, term.lower(), term.capitalize(), term.upper()}
    clauses = []
    for variant in variants:
        pattern = f"%{_like_escape(variant)}%"
        for column in (User.last_name, User.first_name, User.middle_name):
            clauses.append(column.ilike(pattern, escape="\\"))
    return or_(*clauses)


class UserRepository(Repository[User]):
    model = User

    def _select(self) -> Select[tuple[User]]:
        return super()._select().options(selectinload(User.roles))

    async def in_school(self, user_id: uuid.UUID, school_id: uuid.UUID) -> User | None:
        return await self.get(user_id, school_id=school_id)

    async def many_in_school(self, ids: Sequence[uuid.UUID], school_id: uuid.UUID) -> list[User]:
        out: list[User] = []
        for part in chunks(list(ids)):
            out.extend(await self.all(self._scoped(school_id).where(User.id.in_(part))))
        return out

    async def page_in_school(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        role: str | None = None,
        class_group_id: uuid.UUID | None = None,
        q: str | None = None,
        active: bool | None = None,
        only_ids: Iterable[uuid.UUID] | None = None,
    ) -> tuple[list[User], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if only_ids is not None:
            stmt = stmt.where(User.id.in_(list(only_ids)))
        if role is not None:
            stmt = stmt.where(
                select(UserRole.id)
                .where(UserRole.user_id == User.id, UserRole.role == role)
                .exists()
            )
        if class_group_id is not None:
            stmt = stmt.where(
                select(ClassMembership.id)
                .where(
                    ClassMembership.student_id == User.id,
                    ClassMembership.class_group_id == class_group_id,
                    ClassMembership.school_id == school_id,
                )
                .exists()
            )
        if q:
            for term in q.split()[:5]:
                stmt = stmt.where(name_matches(term))
        if active is not None:
            stmt = stmt.where(User.is_active.is_(active))
        return await self.page(stmt, params)

    async def taken_usernames(self, usernames: Sequence[str]) -> set[str]:
        """Which of ``usernames`` exist already, in any school (logins are global), lower-cased."""
        lowered = sorted({u.lower() for u in usernames})
        found: set[str] = set()
        for part in chunks(lowered):
            rows = await self.session.execute(
                select(func.lower(User.username)).where(func.lower(User.username).in_(part))
            )
            found.update(str(r) for r in rows.scalars())
        return found

    async def by_usernames(self, usernames: Sequence[str], school_id: uuid.UUID) -> dict[str, User]:
        """Users of the school by lower-cased login."""
        lowered = sorted({u.lower() for u in usernames})
        out: dict[str, User] = {}
        for part in chunks(lowered):
            stmt = self._scoped(school_id).where(func.lower(User.username).in_(part))
            for user in await self.all(stmt):
                out[user.username.lower()] = user
        return out

    async def class_refs(
        self, user_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[tuple[ClassGroup, AcademicYear]]]:
        out: dict[uuid.UUID, list[tuple[ClassGroup, AcademicYear]]] = defaultdict(list)
        for part in chunks(list(user_ids)):
            stmt = (
                select(ClassMembership.student_id, ClassGroup, AcademicYear)
                .join(ClassGroup, ClassGroup.id == ClassMembership.class_group_id)
                .join(AcademicYear, AcademicYear.id == ClassGroup.academic_year_id)
                .where(ClassMembership.student_id.in_(part))
                .order_by(AcademicYear.starts_on.desc(), ClassGroup.grade, ClassGroup.letter)
            )
            for student_id, group, year in (await self.session.execute(stmt)).all():
                out[student_id].append((group, year))
        return out

    async def trained_ids(self, user_ids: Sequence[uuid.UUID], today: date) -> set[uuid.UUID]:
        """Teachers among ``user_ids`` with a DOT training valid ``today`` (ID-7)."""
        found: set[uuid.UUID] = set()
        for part in chunks(list(user_ids)):
            stmt = select(TeacherTraining.teacher_id).where(
                TeacherTraining.teacher_id.in_(part),
                TeacherTraining.completed_on <= today,
                or_(TeacherTraining.valid_until.is_(None), TeacherTraining.valid_until >= today),
            )
            found.update((await self.session.execute(stmt)).scalars())
        return found

    async def external_ids(
        self, entity_type: str, entity_ids: Sequence[uuid.UUID]
    ) -> dict[uuid.UUID, list[ExternalId]]:
        out: dict[uuid.UUID, list[ExternalId]] = defaultdict(list)
        for part in chunks(list(entity_ids)):
            stmt = (
                select(ExternalId)
                .where(ExternalId.entity_type == entity_type, ExternalId.entity_id.in_(part))
                .order_by(ExternalId.system)
            )
            for row in await self.all(stmt):
                out[row.entity_id].append(row)
        return out

    async def children_ids(self, guardian_id: uuid.UUID, school_id: uuid.UUID) -> set[uuid.UUID]:
        stmt = select(Guardianship.student_id).where(
            Guardianship.guardian_id == guardian_id, Guardianship.school_id == school_id
        )
        return set((await self.session.execute(stmt)).scalars())

    async def homeroom_student_ids(
        self, teacher_id: uuid.UUID, school_id: uuid.UUID
    ) -> set[uuid.UUID]:
        """Students of the current year's classes whose homeroom teacher is ``teacher_id``."""
        stmt = (
            select(ClassMembership.student_id)
            .join(ClassGroup, ClassGroup.id == ClassMembership.class_group_id)
            .join(AcademicYear, AcademicYear.id == ClassGroup.academic_year_id)
            .where(
                ClassGroup.homeroom_teacher_id == teacher_id,
                ClassGroup.school_id == school_id,
                AcademicYear.is_current.is_(True),
            )
        )
        return set((await self.session.execute(stmt)).scalars())

    async def class_ids_of_students(
        self, student_ids: Iterable[uuid.UUID], school_id: uuid.UUID
    ) -> set[uuid.UUID]:
        ids = list(student_ids)
        if not ids:
            return set()
        stmt = select(ClassMembership.class_group_id).where(
            ClassMembership.student_id.in_(ids), ClassMembership.school_id == school_id
        )
        return set((await self.session.execute(stmt)).scalars())

    async def role_links(self, user_id: uuid.UUID) -> dict[str, bool]:
        """Whether the user is tied to data through a role: class member, homeroom, guardian."""

        async def exists(stmt: Select[Any]) -> bool:
            return (await self.session.execute(stmt.limit(1))).first() is not None

        return {
            "student": await exists(
                select(ClassMembership.id).where(ClassMembership.student_id == user_id)
            )
            or await exists(select(Guardianship.id).where(Guardianship.student_id == user_id)),
            "teacher": await exists(
                select(ClassGroup.id).where(ClassGroup.homeroom_teacher_id == user_id)
            ),
            "guardian": await exists(
                select(Guardianship.id).where(Guardianship.guardian_id == user_id)
            ),
        }
