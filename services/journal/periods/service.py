"""Periods (quarters or half-years) and their lock (JO-4, JO-5)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Conflict, Locked, NotFound
from services.journal.models import ClosedYear, Period, PeriodChange

PERIOD_NAMES = {
    "quarter": "{n}-я четверть",
    "half_year": "{n}-е полугодие",
}


async def period_of(session: AsyncSession, school_id: uuid.UUID, day: date) -> Period | None:
    rows = await session.execute(
        select(Period).where(
            Period.school_id == school_id, Period.starts_on <= day, Period.ends_on >= day
        )
    )
    return rows.scalars().first()


async def ensure_open(session: AsyncSession, school_id: uuid.UUID, day: date) -> None:
    """423 when ``day`` lies in a closed school year (JO-8) or a closed period (JO-5)."""
    closed_year = await session.execute(
        select(ClosedYear.name).where(
            ClosedYear.school_id == school_id,
            ClosedYear.is_closed.is_(True),
            ClosedYear.starts_on <= day,
            ClosedYear.ends_on >= day,
        )
    )
    year_name = closed_year.scalars().first()
    if year_name is not None:
        raise Locked(
            f"Учебный год {year_name} закрыт и передан в архив; изменения возможны после "
            "его открытия администратором по приказу",
            code="year-closed",
        )
    period = await period_of(session, school_id, day)
    if period is not None and period.is_closed:
        raise Locked(
            f"Период «{period.name}» закрыт; изменения возможны после его открытия "
            "администратором по приказу",
            code="period-closed",
        )


async def get_period(session: AsyncSession, school_id: uuid.UUID, period_id: uuid.UUID) -> Period:
    period = await session.get(Period, period_id)
    if period is None or period.school_id != school_id:
        raise NotFound("Период не найден", code="period-not-found")
    return period


async def list_periods(
    session: AsyncSession, school_id: uuid.UUID, academic_year_id: uuid.UUID | None
) -> list[Period]:
    stmt = select(Period).where(Period.school_id == school_id)
    if academic_year_id is not None:
        stmt = stmt.where(Period.academic_year_id == academic_year_id)
    return list((await session.execute(stmt.order_by(Period.starts_on))).scalars())


async def configure(
    session: AsyncSession,
    school_id: uuid.UUID,
    year: object,
    kind: str,
    bounds: list[tuple[date, date]],
) -> list[Period]:
    """Replace the periods of a year (only while none of them is closed)."""
    year_id: uuid.UUID = year.id  # type: ignore[attr-defined]
    starts: date = year.starts_on  # type: ignore[attr-defined]
    ends: date = year.ends_on  # type: ignore[attr-defined]
    expected = 4 if kind == "quarter" else 2
    if len(bounds) != expected:
        raise BusinessRuleError(
            f"Для деления на {'четверти' if kind == 'quarter' else 'полугодия'} "
            f"нужно {expected} периода(ов)",
            code="period-count",
        )
    previous_end: date | None = None
    for start, end in bounds:
        if start > end:
            raise BusinessRuleError("Начало периода позже его конца", code="period-bounds")
        if start < starts or end > ends:
            raise BusinessRuleError(
                "Период выходит за границы учебного года", code="period-outside-year"
            )
        if previous_end is not None and start <= previous_end:
            raise BusinessRuleError(
                "Периоды пересекаются или идут не по порядку", code="period-overlap"
            )
        previous_end = end
    existing = await list_periods(session, school_id, year_id)
    if any(p.is_closed for p in existing):
        raise Conflict(
            "Нельзя изменить деление года: один из периодов уже закрыт", code="period-closed"
        )
    for period in existing:
        await session.delete(period)
    await session.flush()
    created = [
        Period(
            school_id=school_id,
            academic_year_id=year_id,
            kind=kind,
            number=n,
            name=PERIOD_NAMES[kind].format(n=n),
            starts_on=start,
            ends_on=end,
        )
        for n, (start, end) in enumerate(bounds, start=1)
    ]
    session.add_all(created)
    await session.flush()
    return created


async def close(session: AsyncSession, period: Period, by: uuid.UUID, reason: str | None) -> Period:
    if period.is_closed:
        raise Conflict("Период уже закрыт", code="period-already-closed")
    period.is_closed = True
    period.closed_at = utcnow()
    period.closed_by = by
    session.add(
        PeriodChange(
            school_id=period.school_id, period_id=period.id, action="closed", by=by, reason=reason
        )
    )
    await session.flush()
    return period


async def reopen(
    session: AsyncSession,
    period: Period,
    by: uuid.UUID,
    order_number: str,
    order_date: date,
    reason: str,
) -> Period:
    if not period.is_closed:
        raise Conflict("Период не закрыт", code="period-not-closed")
    period.is_closed = False
    period.closed_at = None
    period.closed_by = None
    session.add(
        PeriodChange(
            school_id=period.school_id,
            period_id=period.id,
            action="reopened",
            order_number=order_number,
            order_date=order_date,
            reason=reason,
            by=by,
        )
    )
    await session.flush()
    return period


async def history(session: AsyncSession, period: Period) -> list[PeriodChange]:
    rows = await session.execute(
        select(PeriodChange).where(PeriodChange.period_id == period.id).order_by(PeriodChange.at)
    )
    return list(rows.scalars())
