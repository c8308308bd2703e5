"""A local replica of identity's directory, kept from identity's change feed.

Learning, journal and compliance need to know schools (time zone), academic years,
class groups, who is in which class, who is whose guardian, people's names, roles,
birth dates and DOT training — on every request, without calling identity. Each of
them calls :func:`directory_models` once with its declarative base and registers
:func:`apply_identity_event` as the handler of identity's feed. Handlers are upserts:
applying an event twice, or an older copy after a newer one of the same aggregate,
leaves the same state (events of one aggregate arrive in commit order).

The replica holds no contact data (identity's events carry none).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import JSON, Index, String, UniqueConstraint, delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UTCDateTime, utcnow

DEFAULT_TIMEZONE = "Europe/Moscow"

IDENTITY_EVENT_TYPES = [
    "school.created",
    "school.updated",
    "academic_year.created",
    "academic_year.updated",
    "user.created",
    "user.updated",
    "user.deactivated",
    "user.reactivated",
    "class_group.created",
    "class_group.updated",
    "class_membership.added",
    "class_membership.removed",
    "guardianship.created",
    "guardianship.removed",
    "teacher_training.recorded",
    "external_id.set",
    "external_id.removed",
]


def level_of(grade: int) -> str:
    """Общее образование: начальное 1–4, основное 5–9, среднее 10–11."""
    if grade <= 4:
        return "primary"
    if grade <= 9:
        return "basic"
    return "secondary"


class DirSchoolMixin:
    __tablename__ = "dir_schools"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), default="")
    short_name: Mapped[str | None] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default=DEFAULT_TIMEZONE)
    region: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class DirYearMixin:
    __tablename__ = "dir_academic_years"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    is_current: Mapped[bool] = mapped_column(default=False)


class DirClassGroupMixin:
    __tablename__ = "dir_class_groups"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    academic_year_id: Mapped[uuid.UUID | None]
    name: Mapped[str] = mapped_column(String(50))
    grade: Mapped[int]
    letter: Mapped[str | None] = mapped_column(String(10))
    homeroom_teacher_id: Mapped[uuid.UUID | None] = mapped_column(index=True)


class DirMembershipMixin:
    __tablename__ = "dir_class_memberships"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID]
    class_group_id: Mapped[uuid.UUID] = mapped_column(index=True)
    student_id: Mapped[uuid.UUID] = mapped_column(index=True)


class DirPersonMixin:
    __tablename__ = "dir_people"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    last_name: Mapped[str] = mapped_column(String(100), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    middle_name: Mapped[str | None] = mapped_column(String(100))
    # The login: exports keyed by it (OneRoster ``username``); not contact data.
    username: Mapped[str | None] = mapped_column(String(64))
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_active: Mapped[bool] = mapped_column(default=True)
    birth_date: Mapped[date | None]
    trained_for_dot: Mapped[bool] = mapped_column(default=False)
    dot_training_valid_until: Mapped[date | None]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def has_role(self, role: str) -> bool:
        return role in (self.roles or [])

    def is_trained_for_dot(self, today: date) -> bool:
        until = self.dot_training_valid_until
        return bool(self.trained_for_dot) and (until is None or until >= today)

    def age_on(self, day: date) -> int | None:
        born = self.birth_date
        if born is None:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class DirGuardianshipMixin:
    __tablename__ = "dir_guardianships"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID]
    guardian_id: Mapped[uuid.UUID] = mapped_column(index=True)
    student_id: Mapped[uuid.UUID] = mapped_column(index=True)
    relation: Mapped[str | None] = mapped_column(String(50))


class DirExternalIdMixin:
    """An id of a person or class group in an external system (ID-9)."""

    __tablename__ = "dir_external_ids"
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID]
    entity_type: Mapped[str] = mapped_column(String(32))  # user / class_group
    entity_id: Mapped[uuid.UUID] = mapped_column(index=True)
    system: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(200))


@dataclass(frozen=True)
class DirectoryModels:
    school: type[Any]
    year: type[Any]
    class_group: type[Any]
    membership: type[Any]
    person: type[Any]
    guardianship: type[Any]
    external_id: type[Any]


def directory_models(base: type[DeclarativeBase]) -> DirectoryModels:
    module = base.__module__

    def make(name: str, mixin: type, table_args: tuple[Any, ...] = ()) -> type[Any]:
        attrs: dict[str, Any] = {"__module__": module}
        if table_args:
            attrs["__table_args__"] = table_args
        return type(name, (mixin, base), attrs)

    return DirectoryModels(
        school=make("DirSchool", DirSchoolMixin),
        year=make("DirAcademicYear", DirYearMixin),
        class_group=make("DirClassGroup", DirClassGroupMixin),
        membership=make(
            "DirClassMembership",
            DirMembershipMixin,
            (UniqueConstraint("class_group_id", "student_id"),),
        ),
        person=make("DirPerson", DirPersonMixin),
        guardianship=make(
            "DirGuardianship",
            DirGuardianshipMixin,
            (
                UniqueConstraint("guardian_id", "student_id"),
                Index("ix_dir_guardianships_school_id_student_id", "school_id", "student_id"),
            ),
        ),
        external_id=make(
            "DirExternalId",
            DirExternalIdMixin,
            (
                UniqueConstraint("entity_type", "entity_id", "system"),
                Index("ix_dir_external_ids_lookup", "school_id", "system", "value"),
            ),
        ),
    )


# -- applying identity's events ---------------------------------------------------------


def _uuid(value: Any) -> uuid.UUID | None:
    return uuid.UUID(str(value)) if value else None


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


async def _upsert(session: AsyncSession, model: type[Any], id_: uuid.UUID, **values: Any) -> Any:
    row = await session.get(model, id_)
    if row is None:
        row = model(id=id_, **values)
        session.add(row)
    else:
        for name, value in values.items():
            setattr(row, name, value)
    return row


async def apply_identity_event(
    session: AsyncSession, models: DirectoryModels, event: dict[str, Any]
) -> None:
    """Apply one event of identity's feed to the replica (idempotent)."""
    type_ = str(event["type"])
    p: dict[str, Any] = event.get("payload") or {}
    school_id = uuid.UUID(str(event["school_id"]))
    if type_ in ("school.created", "school.updated"):
        await _upsert(
            session,
            models.school,
            school_id,
            name=p.get("name") or "",
            short_name=p.get("short_name"),
            timezone=p.get("timezone") or DEFAULT_TIMEZONE,
            region=p.get("region"),
        )
    elif type_.startswith("academic_year."):
        await _upsert(
            session,
            models.year,
            uuid.UUID(p["id"]),
            school_id=school_id,
            name=p["name"],
            starts_on=_date(p["starts_on"]),
            ends_on=_date(p["ends_on"]),
            is_current=bool(p.get("is_current")),
        )
        if p.get("is_current"):
            others = await session.execute(
                select(models.year).where(
                    models.year.school_id == school_id, models.year.id != uuid.UUID(p["id"])
                )
            )
            for other in others.scalars():
                other.is_current = False
    elif type_.startswith("user."):
        values: dict[str, Any] = {
            "school_id": school_id,
            "last_name": p.get("last_name") or "",
            "first_name": p.get("first_name") or "",
            "middle_name": p.get("middle_name"),
            "roles": sorted(p.get("roles") or []),
            "is_active": bool(p.get("is_active", True)),
        }
        if "birth_date" in p:
            values["birth_date"] = _date(p["birth_date"])
        if "username" in p:
            values["username"] = p["username"]
        if "trained_for_dot" in p:
            values["trained_for_dot"] = bool(p["trained_for_dot"])
        await _upsert(session, models.person, uuid.UUID(p["id"]), **values)
    elif type_.startswith("class_group."):
        await _upsert(
            session,
            models.class_group,
            uuid.UUID(p["id"]),
            school_id=school_id,
            academic_year_id=_uuid(p.get("academic_year_id")),
            name=p.get("name") or f"{p['grade']}{p.get('letter') or ''}",
            grade=int(p["grade"]),
            letter=p.get("letter"),
            homeroom_teacher_id=_uuid(p.get("homeroom_teacher_id")),
        )
    elif type_ == "class_membership.added":
        group_id, student_id = uuid.UUID(p["class_group_id"]), uuid.UUID(p["student_id"])
        existing = await session.execute(
            select(models.membership).where(
                models.membership.class_group_id == group_id,
                models.membership.student_id == student_id,
            )
        )
        if existing.scalar_one_or_none() is None:
            session.add(
                models.membership(
                    id=uuid.UUID(p["id"]),
                    school_id=school_id,
                    class_group_id=group_id,
                    student_id=student_id,
                )
            )
    elif type_ == "class_membership.removed":
        await session.execute(
            delete(models.membership).where(
                models.membership.class_group_id == uuid.UUID(p["class_group_id"]),
                models.membership.student_id == uuid.UUID(p["student_id"]),
            )
        )
    elif type_ == "guardianship.created":
        guardian_id, student_id = uuid.UUID(p["guardian_id"]), uuid.UUID(p["student_id"])
        existing = await session.execute(
            select(models.guardianship).where(
                models.guardianship.guardian_id == guardian_id,
                models.guardianship.student_id == student_id,
            )
        )
        if existing.scalar_one_or_none() is None:
            session.add(
                models.guardianship(
                    id=uuid.UUID(p["id"]),
                    school_id=school_id,
                    guardian_id=guardian_id,
                    student_id=student_id,
                    relation=p.get("relation"),
                )
            )
    elif type_ == "guardianship.removed":
        await session.execute(
            delete(models.guardianship).where(
                models.guardianship.guardian_id == uuid.UUID(p["guardian_id"]),
                models.guardianship.student_id == uuid.UUID(p["student_id"]),
            )
        )
    elif type_ == "teacher_training.recorded":
        teacher = await session.get(models.person, uuid.UUID(p["teacher_id"]))
        if teacher is None:
            teacher = models.person(
                id=uuid.UUID(p["teacher_id"]),
                school_id=school_id,
                last_name=(p.get("teacher") or {}).get("last_name") or "",
                first_name=(p.get("teacher") or {}).get("first_name") or "",
                middle_name=(p.get("teacher") or {}).get("middle_name"),
                roles=["teacher"],
            )
            session.add(teacher)
        teacher.trained_for_dot = bool(p.get("trained_for_dot"))
        teacher.dot_training_valid_until = _date(p.get("valid_until"))
    elif type_ in ("external_id.set", "external_id.removed"):
        await _apply_external_id(session, models, school_id, type_, p)
    await session.flush()


async def _apply_external_id(
    session: AsyncSession,
    models: DirectoryModels,
    school_id: uuid.UUID,
    type_: str,
    p: dict[str, Any],
) -> None:
    model = models.external_id
    entity_id = uuid.UUID(p["entity_id"])
    existing = (
        await session.execute(
            select(model).where(
                model.entity_type == p["entity_type"],
                model.entity_id == entity_id,
                model.system == p["system"],
            )
        )
    ).scalar_one_or_none()
    if type_ == "external_id.removed":
        if existing is not None:
            await session.delete(existing)
        return
    if existing is None:
        session.add(
            model(
                id=uuid.UUID(p["id"]),
                school_id=school_id,
                entity_type=p["entity_type"],
                entity_id=entity_id,
                system=p["system"],
                value=p["value"],
            )
        )
    else:
        existing.value = p["value"]


# -- reading the replica ------------------------------------------------------------------


class Directory:
    """Queries over the replica. Every method costs one query whatever the sizes."""

    def __init__(self, session: AsyncSession, models: DirectoryModels) -> None:
        self.session = session
        self.m = models

    async def timezone(self, school_id: uuid.UUID) -> ZoneInfo:
        school = await self.session.get(self.m.school, school_id)
        name = school.timezone if school is not None else DEFAULT_TIMEZONE
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            return ZoneInfo(DEFAULT_TIMEZONE)

    async def today(self, school_id: uuid.UUID) -> date:
        return utcnow().astimezone(await self.timezone(school_id)).date()

    async def person(self, school_id: uuid.UUID, person_id: uuid.UUID) -> Any | None:
        row = await self.session.get(self.m.person, person_id)
        return row if row is not None and row.school_id == school_id else None

    async def people(self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(self.m.person).where(
                self.m.person.school_id == school_id, self.m.person.id.in_(wanted)
            )
        )
        return {p.id: p for p in rows.scalars()}

    async def class_group(self, school_id: uuid.UUID, group_id: uuid.UUID) -> Any | None:
        row = await self.session.get(self.m.class_group, group_id)
        return row if row is not None and row.school_id == school_id else None

    async def year(self, school_id: uuid.UUID, year_id: uuid.UUID) -> Any | None:
        row = await self.session.get(self.m.year, year_id)
        return row if row is not None and row.school_id == school_id else None

    async def current_year(self, school_id: uuid.UUID) -> Any | None:
        rows = await self.session.execute(
            select(self.m.year).where(self.m.year.school_id == school_id, self.m.year.is_current)
        )
        return rows.scalars().first()

    async def year_of_date(self, school_id: uuid.UUID, day: date) -> Any | None:
        rows = await self.session.execute(
            select(self.m.year).where(
                self.m.year.school_id == school_id,
                self.m.year.starts_on <= day,
                self.m.year.ends_on >= day,
            )
        )
        return rows.scalars().first()

    async def students_of(
        self, school_id: uuid.UUID, group_ids: Iterable[uuid.UUID]
    ) -> set[uuid.UUID]:
        groups = set(group_ids)
        if not groups:
            return set()
        rows = await self.session.execute(
            select(self.m.membership.student_id).where(
                self.m.membership.school_id == school_id,
                self.m.membership.class_group_id.in_(groups),
            )
        )
        return set(rows.scalars())

    async def groups_of_student(
        self, school_id: uuid.UUID, student_id: uuid.UUID
    ) -> set[uuid.UUID]:
        rows = await self.session.execute(
            select(self.m.membership.class_group_id).where(
                self.m.membership.school_id == school_id,
                self.m.membership.student_id == student_id,
            )
        )
        return set(rows.scalars())

    async def children_of(self, school_id: uuid.UUID, guardian_id: uuid.UUID) -> set[uuid.UUID]:
        rows = await self.session.execute(
            select(self.m.guardianship.student_id).where(
                self.m.guardianship.school_id == school_id,
                self.m.guardianship.guardian_id == guardian_id,
            )
        )
        return set(rows.scalars())

    async def guardians_of(
        self, school_id: uuid.UUID, student_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, set[uuid.UUID]]:
        students = set(student_ids)
        result: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        if not students:
            return result
        rows = await self.session.execute(
            select(self.m.guardianship.student_id, self.m.guardianship.guardian_id).where(
                self.m.guardianship.school_id == school_id,
                self.m.guardianship.student_id.in_(students),
            )
        )
        for student_id, guardian_id in rows:
            result[student_id].add(guardian_id)
        return result

    async def external_ids(
        self, school_id: uuid.UUID, entity_type: str, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, dict[str, str]]:
        """``{entity id: {system: value}}`` of people or class groups (ID-9)."""
        wanted = list(set(ids))
        out: dict[uuid.UUID, dict[str, str]] = defaultdict(dict)
        model = self.m.external_id
        for start in range(0, len(wanted), 900):
            rows = await self.session.execute(
                select(model).where(
                    model.school_id == school_id,
                    model.entity_type == entity_type,
                    model.entity_id.in_(wanted[start : start + 900]),
                )
            )
            for row in rows.scalars():
                out[row.entity_id][row.system] = row.value
        return out

    async def by_external_id(
        self, school_id: uuid.UUID, entity_type: str, system: str, value: str
    ) -> uuid.UUID | None:
        model = self.m.external_id
        rows = await self.session.execute(
            select(model.entity_id).where(
                model.school_id == school_id,
                model.entity_type == entity_type,
                model.system == system,
                model.value == value,
            )
        )
        return rows.scalars().first()

    async def homeroom_groups(self, school_id: uuid.UUID, teacher_id: uuid.UUID) -> set[uuid.UUID]:
        rows = await self.session.execute(
            select(self.m.class_group.id).where(
                self.m.class_group.school_id == school_id,
                self.m.class_group.homeroom_teacher_id == teacher_id,
            )
        )
        return set(rows.scalars())
