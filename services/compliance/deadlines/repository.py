"""All SQL of publication deadlines and the production calendar (CO-5, X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, and_, case, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.common.errors import BadRequest
from services.common.pagination import PageParams
from services.common.repository import Repository
from services.compliance.deadlines.schemas import NOTICE_STATES, NoticeState
from services.compliance.models import (
    DeadlineSettings,
    ProductionCalendarDay,
    ProductionCalendarYear,
    PublicationNotice,
)

N = PublicationNotice


def state_condition(state: NoticeState, today: date) -> ColumnElement[bool]:
    """The SQL twin of :func:`services.compliance.deadlines.service.notice_state`."""
    unpublished = N.published_on.is_(None)
    if state == "published_on_time":
        return and_(N.published_on.is_not(None), N.published_on <= N.deadline)
    if state == "published_late":
        return and_(N.published_on.is_not(None), N.published_on > N.deadline)
    if state == "late":
        return and_(unpublished, N.deadline < today)
    if state == "due_soon":
        return and_(unpublished, N.deadline >= today, N.due_soon_from <= today)
    return and_(unpublished, N.deadline >= today, N.due_soon_from > today)


class NoticeRepository(Repository[PublicationNotice]):
    model = PublicationNotice

    async def page_in_school(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        today: date,
        state: NoticeState | None,
        kind: str | None,
    ) -> tuple[list[PublicationNotice], dict[str, Any] | None]:
        """Ordered by deadline (nearest first), then id; the cursor holds both."""
        stmt = self._scoped(school_id)
        if state is not None:
            stmt = stmt.where(state_condition(state, today))
        if kind is not None:
            stmt = stmt.where(N.kind == kind)
        after = params.after()
        if after is not None:
            try:
                last_deadline = date.fromisoformat(str(after["d"]))
                last_id = uuid.UUID(str(after["id"]))
            except (KeyError, ValueError):
                raise BadRequest(
                    "Курсор повреждён или не распознан", code="invalid-cursor"
                ) from None
            stmt = stmt.where(
                or_(N.deadline > last_deadline, and_(N.deadline == last_deadline, N.id > last_id))
            )
        rows: list[PublicationNotice] = await self.all(
            stmt.order_by(N.deadline, N.id).limit(params.limit + 1)
        )
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            last = rows[-1]
            return rows, {"d": last.deadline.isoformat(), "id": str(last.id)}
        return rows, None

    async def count_by_state(
        self, school_id: uuid.UUID, today: date, kind: str | None
    ) -> dict[NoticeState, int]:
        columns = [
            func.coalesce(func.sum(case((state_condition(s, today), 1), else_=0)), 0)
            for s in NOTICE_STATES
        ]
        stmt = select(*columns).where(N.school_id == school_id)
        if kind is not None:
            stmt = stmt.where(N.kind == kind)
        row = (await self.session.execute(stmt)).one()
        return {s: int(n) for s, n in zip(NOTICE_STATES, row, strict=True)}

    async def in_school(self, school_id: uuid.UUID) -> list[PublicationNotice]:
        return await self.all(self._scoped(school_id))

    async def touching_years(self, first: int, last: int) -> list[PublicationNotice]:
        """Notices of every school whose period (decision, deadline] meets years first..last."""
        stmt = self._select().where(
            N.decision_or_change_date < date(last + 1, 1, 1), N.deadline >= date(first, 1, 1)
        )
        return await self.all(stmt.order_by(N.school_id, N.id))

    async def delete(self, notice: PublicationNotice) -> None:
        await self.session.delete(notice)
        await self.session.flush()


class SettingsRepository(Repository[DeadlineSettings]):
    model = DeadlineSettings

    async def of_school(self, school_id: uuid.UUID) -> DeadlineSettings | None:
        found: DeadlineSettings | None = await self.first(self._scoped(school_id))
        return found

    async def of_schools(self, school_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
        ids = list(set(school_ids))
        if not ids:
            return {}
        rows = await self.all(self._select().where(DeadlineSettings.school_id.in_(ids)))
        return {r.school_id: r.due_soon_working_days for r in rows}


class CalendarRepository:
    """The production calendar: global federal data, no school scope."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def years(self) -> list[ProductionCalendarYear]:
        stmt = select(ProductionCalendarYear).order_by(ProductionCalendarYear.year)
        return list((await self.session.execute(stmt)).scalars().all())

    async def year(self, year: int, *, for_update: bool = False) -> ProductionCalendarYear | None:
        stmt = select(ProductionCalendarYear).where(ProductionCalendarYear.year == year)
        if for_update:
            # re-read under the lock: the row may already sit in the session, stale
            stmt = stmt.with_for_update().execution_options(populate_existing=True)
        result: ProductionCalendarYear | None = (await self.session.execute(stmt)).scalars().first()
        return result

    async def days(self, years: Sequence[int] | None = None) -> list[ProductionCalendarDay]:
        stmt = select(ProductionCalendarDay).order_by(ProductionCalendarDay.day)
        if years is not None:
            stmt = stmt.where(ProductionCalendarDay.year.in_(list(years)))
        return list((await self.session.execute(stmt)).scalars().all())

    async def insert_year_if_absent(self, values: dict[str, Any]) -> bool:
        """Insert a year row unless one exists (concurrent first uses race here).

        True when this transaction inserted it (and so must insert its days).
        """
        dialect = self.session.get_bind().dialect.name
        table = cast(Table, ProductionCalendarYear.__table__)
        if dialect == "postgresql":
            stmt: Any = pg_insert(table).values(**values).on_conflict_do_nothing()
        else:
            stmt = sqlite_insert(table).values(**values).on_conflict_do_nothing()
        result = await self.session.execute(stmt)
        return bool(result.rowcount == 1)

    async def replace_days(self, year: int, rows: Sequence[dict[str, Any]]) -> None:
        await self.session.execute(
            delete(ProductionCalendarDay).where(ProductionCalendarDay.year == year)
        )
        if rows:
            await self.session.execute(
                insert(ProductionCalendarDay),
                [{"id": uuid.uuid4(), "year": year, **r} for r in rows],
            )
