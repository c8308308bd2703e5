"""All SQL of the screen-device norms (CO-1, CO-2, X-7): every query scoped by school."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import defer, selectinload

from services.common.errors import BadRequest
from services.common.pagination import PageParams
from services.common.repository import Repository
from services.compliance.models import (
    NormCheckRun,
    NormRuleSet,
    NormRuleSetVersion,
    NormSettings,
)


def time_ordered_id() -> uuid.UUID:
    """A UUID whose leading 48 bits are the Unix time in ms (the layout of UUIDv7):
    check runs sort by id in the order they were made, so history pages by id."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (
        (ms & ((1 << 48) - 1)) << 80
        | 0x7 << 76
        | ((rand >> 62) & 0xFFF) << 64
        | 0b10 << 62
        | (rand & ((1 << 62) - 1))
    )
    return uuid.UUID(int=value)


class RuleSetRepository(Repository[NormRuleSet]):
    model = NormRuleSet

    async def by_code(self, school_id: uuid.UUID, code: str) -> NormRuleSet | None:
        stmt = (
            self._scoped(school_id)
            .where(NormRuleSet.code == code)
            .options(selectinload(NormRuleSet.versions).selectinload(NormRuleSetVersion.rules))
        )
        result: NormRuleSet | None = await self.first(stmt)
        return result

    async def lock_by_code(self, school_id: uuid.UUID, code: str) -> NormRuleSet | None:
        """The set for a write: on PostgreSQL the row is locked, so two new versions of
        the same set can't both pass the overlap check."""
        stmt = (
            self._scoped(school_id)
            .where(NormRuleSet.code == code)
            .options(selectinload(NormRuleSet.versions).selectinload(NormRuleSetVersion.rules))
            .with_for_update(of=NormRuleSet)
        )
        result: NormRuleSet | None = await self.first(stmt)
        return result

    async def page_of(
        self, school_id: uuid.UUID, after_code: str | None, limit: int
    ) -> list[NormRuleSet]:
        stmt: Select[Any] = (
            self._scoped(school_id)
            .options(selectinload(NormRuleSet.versions).selectinload(NormRuleSetVersion.rules))
            .order_by(NormRuleSet.code)
            .limit(limit)
        )
        if after_code is not None:
            stmt = stmt.where(NormRuleSet.code > after_code)
        return list(await self.all(stmt))

    async def versions_between(
        self, school_id: uuid.UUID, first: date, last: date
    ) -> list[NormRuleSetVersion]:
        """Versions whose period touches ``first``…``last``, with their rules and set."""
        stmt = (
            select(NormRuleSetVersion)
            .where(
                NormRuleSetVersion.school_id == school_id,
                NormRuleSetVersion.effective_from <= last,
                or_(
                    NormRuleSetVersion.effective_to.is_(None),
                    NormRuleSetVersion.effective_to >= first,
                ),
            )
            .options(
                selectinload(NormRuleSetVersion.rules),
                selectinload(NormRuleSetVersion.rule_set),
            )
            .order_by(NormRuleSetVersion.id)
        )
        return list((await self.session.execute(stmt)).scalars().all())


class SettingsRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    async def get(self, school_id: uuid.UUID) -> NormSettings | None:
        row: NormSettings | None = await self.session.get(NormSettings, school_id)
        return row

    async def add(self, row: NormSettings) -> None:
        self.session.add(row)
        await self.session.flush()


class CheckRunRepository(Repository[NormCheckRun]):
    model = NormCheckRun

    async def newest_first(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        kinds: Iterable[str] = (),
        statuses: Iterable[str] = (),
    ) -> tuple[list[NormCheckRun], dict[str, Any] | None]:
        stmt = self._scoped(school_id).options(defer(NormCheckRun.violations, raiseload=True))
        wanted_kinds, wanted_statuses = list(kinds), list(statuses)
        if wanted_kinds:
            stmt = stmt.where(NormCheckRun.kind.in_(wanted_kinds))
        if wanted_statuses:
            stmt = stmt.where(NormCheckRun.status.in_(wanted_statuses))
        after = params.after()
        if after is not None:
            try:
                last = uuid.UUID(str(after.get("id")))
            except ValueError:
                raise BadRequest(
                    "Курсор повреждён или не распознан", code="invalid-cursor"
                ) from None
            stmt = stmt.where(NormCheckRun.id < last)
        rows = await self.all(stmt.order_by(NormCheckRun.id.desc()).limit(params.limit + 1))
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            return rows, {"id": str(rows[-1].id)}
        return rows, None
