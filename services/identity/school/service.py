"""Rules of the school profile and academic years (ID-4, X-1).

At most one academic year of a school is current: marking one current un-marks the
others in the same transaction (a partial unique index backs this up). Years of a
school do not overlap and their names are unique.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.identity.models import AcademicYear, School, kernel
from services.identity.school.auth import require_school_admin
from services.identity.school.repository import AcademicYearRepository, SchoolRepository
from services.identity.school.schemas import AcademicYearCreate, AcademicYearUpdate, SchoolUpdate


def school_today(school: School, now: datetime | None = None) -> date:
    """Today's date at the school (X-1: the place of study is the school)."""
    return (now or utcnow()).astimezone(ZoneInfo(school.timezone)).date()


def school_payload(school: School) -> dict[str, Any]:
    return {
        "id": str(school.id),
        "name": school.name,
        "short_name": school.short_name,
        "timezone": school.timezone,
        "region": school.region,
    }


def year_payload(year: AcademicYear) -> dict[str, Any]:
    return {
        "id": str(year.id),
        "name": year.name,
        "starts_on": year.starts_on.isoformat(),
        "ends_on": year.ends_on.isoformat(),
        "is_current": year.is_current,
    }


class SchoolService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.schools = SchoolRepository(session)
        self.years = AcademicYearRepository(session)

    async def school(self, school_id: uuid.UUID) -> School:
        school = await self.schools.by_id(school_id)
        if school is None:
            raise NotFound("Школа не найдена", code="school-not-found")
        return school

    async def today(self, school_id: uuid.UUID) -> date:
        return school_today(await self.school(school_id))

    async def update_school(self, school_id: uuid.UUID, body: SchoolUpdate) -> School:
        school = await self.school(school_id)
        changes = body.changes()
        for name, value in changes.items():
            setattr(school, name, value)
        await self.session.flush()
        if changes:
            await emit(
                self.session,
                kernel.outbox,
                school_id=school_id,
                type="school.updated",
                aggregate_type="school",
                aggregate_id=school.id,
                payload=school_payload(school),
            )
        return school

    async def list_years(
        self, school_id: uuid.UUID, params: PageParams
    ) -> tuple[list[AcademicYear], dict[str, Any] | None]:
        return await self.years.page_in_school(school_id, params)

    async def year(self, school_id: uuid.UUID, year_id: uuid.UUID) -> AcademicYear:
        year = await self.years.get(year_id, school_id=school_id)
        if year is None:
            raise NotFound("Учебный год не найден", code="academic-year-not-found")
        return year

    async def _check_unique(
        self,
        school_id: uuid.UUID,
        name: str,
        starts_on: date,
        ends_on: date,
        exclude: uuid.UUID | None,
    ) -> None:
        same_name = await self.years.named(school_id, name)
        if same_name is not None and same_name.id != exclude:
            raise Conflict(f"Учебный год «{name}» уже есть", code="academic-year-exists")
        other = await self.years.overlapping(school_id, starts_on, ends_on, exclude)
        if other is not None:
            raise Conflict(
                f"Даты пересекаются с учебным годом «{other.name}»", code="academic-year-overlap"
            )

    async def _make_current(self, school_id: uuid.UUID, year: AcademicYear) -> None:
        """Un-mark the previous current year first, flushed, so the unique index holds."""
        for other in await self.years.current_others(school_id, keep=year.id):
            other.is_current = False
            await self.session.flush()
            await self._emit(school_id, "academic_year.updated", other)
        year.is_current = True

    async def _emit(self, school_id: uuid.UUID, type_: str, year: AcademicYear) -> None:
        await emit(
            self.session,
            kernel.outbox,
            school_id=school_id,
            type=type_,
            aggregate_type="academic_year",
            aggregate_id=year.id,
            payload=year_payload(year),
        )

    async def create_year(self, school_id: uuid.UUID, body: AcademicYearCreate) -> AcademicYear:
        await self._check_unique(school_id, body.name, body.starts_on, body.ends_on, None)
        year = AcademicYear(
            id=uuid.uuid4(),
            school_id=school_id,
            name=body.name,
            starts_on=body.starts_on,
            ends_on=body.ends_on,
            is_current=False,
        )
        await self.years.add(year)
        if body.is_current:
            await self._make_current(school_id, year)
            await self.session.flush()
        await self._emit(school_id, "academic_year.created", year)
        return year

    async def update_year(
        self, principal: Principal, year_id: uuid.UUID, body: AcademicYearUpdate
    ) -> AcademicYear:
        school_id = principal.school_id
        year = await self.year(school_id, year_id)
        require_school_admin(principal)
        before = year_payload(year)
        changes = body.changes()
        name = changes.get("name", year.name)
        starts_on = changes.get("starts_on", year.starts_on)
        ends_on = changes.get("ends_on", year.ends_on)
        if starts_on >= ends_on:
            raise BusinessRuleError(
                "Дата начала учебного года должна быть раньше даты окончания",
                code="academic-year-dates",
            )
        await self._check_unique(school_id, name, starts_on, ends_on, year.id)
        year.name, year.starts_on, year.ends_on = name, starts_on, ends_on
        if changes.get("is_current") is True and not year.is_current:
            await self._make_current(school_id, year)
        elif changes.get("is_current") is False:
            year.is_current = False
        await self.session.flush()
        if year_payload(year) != before:
            await self._emit(school_id, "academic_year.updated", year)
        return year
