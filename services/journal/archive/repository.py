"""All SQL of closed years, their archives and retention rules (JO-8)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select, update

from services.common.repository import Repository
from services.journal.models import ArchiveFile, ClosedYear, Period, RetentionRule, YearChange


class ArchiveRepository(Repository[ArchiveFile]):
    model = ArchiveFile

    async def closed_year(self, school_id: uuid.UUID, year_id: uuid.UUID) -> ClosedYear | None:
        row: ClosedYear | None = await self.first(
            select(ClosedYear).where(
                ClosedYear.school_id == school_id, ClosedYear.academic_year_id == year_id
            )
        )
        return row

    async def changes(self, school_id: uuid.UUID, year_id: uuid.UUID) -> list[YearChange]:
        return await self.all(
            select(YearChange)
            .where(YearChange.school_id == school_id, YearChange.academic_year_id == year_id)
            .order_by(YearChange.at, YearChange.id)
        )

    async def open_periods(self, school_id: uuid.UUID, year_id: uuid.UUID) -> list[Period]:
        return await self.all(
            select(Period)
            .where(
                Period.school_id == school_id,
                Period.academic_year_id == year_id,
                Period.is_closed.is_(False),
            )
            .order_by(Period.starts_on)
        )

    async def files(
        self, school_id: uuid.UUID, year_id: uuid.UUID, generation: int
    ) -> list[ArchiveFile]:
        return await self.all(
            self._scoped(school_id)
            .where(ArchiveFile.academic_year_id == year_id, ArchiveFile.generation == generation)
            .order_by(ArchiveFile.record_type, ArchiveFile.title, ArchiveFile.format)
        )

    async def file(
        self, school_id: uuid.UUID, year_id: uuid.UUID, file_id: uuid.UUID
    ) -> ArchiveFile | None:
        row: ArchiveFile | None = await self.first(
            self._scoped(school_id).where(
                ArchiveFile.id == file_id, ArchiveFile.academic_year_id == year_id
            )
        )
        return row

    async def rules(self, school_id: uuid.UUID) -> dict[str, RetentionRule]:
        rows: list[RetentionRule] = await self.all(
            select(RetentionRule).where(RetentionRule.school_id == school_id)
        )
        return {r.record_type: r for r in rows}

    async def set_retain_until(
        self, school_id: uuid.UUID, record_type: str, year_id: uuid.UUID, until: date
    ) -> None:
        await self.session.execute(
            update(ArchiveFile)
            .where(
                ArchiveFile.school_id == school_id,
                ArchiveFile.record_type == record_type,
                ArchiveFile.academic_year_id == year_id,
            )
            .values(retain_until=until)
        )

    async def archived_years(
        self, school_id: uuid.UUID, record_types: Iterable[str]
    ) -> list[ClosedYear]:
        """Years of the school with archived files of the given types."""
        years = (
            select(ArchiveFile.academic_year_id)
            .where(
                ArchiveFile.school_id == school_id,
                ArchiveFile.record_type.in_(list(record_types)),
            )
            .group_by(ArchiveFile.academic_year_id)
        )
        return await self.all(
            select(ClosedYear).where(
                ClosedYear.school_id == school_id, ClosedYear.academic_year_id.in_(years)
            )
        )
