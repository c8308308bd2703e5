"""All SQL of the platform catalogue (LE-4): the global §5.13 rows and schools' own."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Select, or_, select

from services.common.repository import Repository
from services.learning.catalogue.data import REGULATION_CLAUSE, PlatformSeed
from services.learning.models import CataloguePlatform


class CatalogueRepository(Repository[CataloguePlatform]):
    model = CataloguePlatform

    def _visible(self, school_id: uuid.UUID) -> Select[Any]:
        return self._select().where(
            or_(CataloguePlatform.school_id.is_(None), CataloguePlatform.school_id == school_id)
        )

    async def visible(
        self, school_id: uuid.UUID, *, include_inactive: bool = False
    ) -> list[CataloguePlatform]:
        """The global catalogue and the school's platforms: global first, in order."""
        stmt = self._visible(school_id)
        if not include_inactive:
            stmt = stmt.where(CataloguePlatform.is_active.is_(True))
        rows: list[CataloguePlatform] = await self.all(stmt)
        rows.sort(key=lambda p: (p.school_id is not None, p.position, p.name.casefold(), p.code))
        return rows

    async def visible_one(
        self, platform_id: uuid.UUID, school_id: uuid.UUID
    ) -> CataloguePlatform | None:
        row: CataloguePlatform | None = await self.first(
            self._visible(school_id).where(CataloguePlatform.id == platform_id)
        )
        return row

    async def next_school_position(self, school_id: uuid.UUID) -> int:
        rows = await self.all(
            select(CataloguePlatform.position).where(CataloguePlatform.school_id == school_id)
        )
        return max(rows, default=0) + 1

    async def upsert_global(self, seeds: Iterable[PlatformSeed]) -> int:
        """Make the global catalogue equal to ``seeds`` (keyed by code); platforms no
        longer listed are deactivated, never deleted (materials may point at them).
        Returns the number of rows written."""
        existing = {
            p.code: p
            for p in await self.all(self._select().where(CataloguePlatform.school_id.is_(None)))
        }
        written = 0
        seen: set[str] = set()
        for position, seed in enumerate(seeds, start=1):
            seen.add(seed.code)
            values: dict[str, Any] = {
                "name": seed.name,
                "category": seed.category,
                "url": seed.url,
                "domains": list(seed.domains),
                "description": seed.description,
                "source_clause": REGULATION_CLAUSE,
                "position": position,
                "is_active": True,
            }
            row = existing.get(seed.code)
            if row is None:
                self.session.add(CataloguePlatform(school_id=None, code=seed.code, **values))
                written += 1
                continue
            changed = False
            for name, value in values.items():
                if getattr(row, name) != value:
                    setattr(row, name, value)
                    changed = True
            written += changed
        for code, row in existing.items():
            if code not in seen and row.is_active:
                row.is_active = False
                written += 1
        await self.session.flush()
        return written
