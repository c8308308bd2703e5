"""The production calendar kept as data (CO-5): seeded from the bundled years, read by
anyone authenticated, a year replaced by an operator.

The calendar is federal data shared by every school of the deployment. Loading a year
recomputes the stored deadlines of every notice whose period meets that year.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.compliance.deadlines.calendar import (
    CalendarYear,
    CalendarYearMissing,
    ProductionCalendar,
    is_weekend,
)
from services.compliance.deadlines.calendar_data import (
    BundledYear,
    DayNote,
    bundled_years,
    data_revision,
)
from services.compliance.deadlines.repository import (
    CalendarRepository,
    NoticeRepository,
    SettingsRepository,
)
from services.compliance.deadlines.rules import (
    WORKING_DAYS_RULE,
    calendar_missing,
    recompute_notices,
)
from services.compliance.deadlines.schemas import (
    CalendarDayInput,
    CalendarDayNote,
    CalendarMonth,
    CalendarYearBrief,
    CalendarYearPut,
    CalendarYearRead,
    WorkingDayDeadline,
)
from services.compliance.models import ProductionCalendarDay, ProductionCalendarYear


def _day_rows(
    holidays: Iterable[DayNote], days_off: Iterable[DayNote], working: Iterable[DayNote]
) -> list[dict[str, Any]]:
    rows = [{"day": d.day, "kind": "holiday", "note": d.note} for d in holidays]
    rows += [{"day": d.day, "kind": "day_off", "note": d.note} for d in days_off]
    rows += [{"day": d.day, "kind": "working_day", "note": d.note} for d in working]
    return rows


def _bundled_rows(data: BundledYear) -> list[dict[str, Any]]:
    return _day_rows(data.holidays, data.days_off, data.working_weekends)


def calendar_of(days: Iterable[ProductionCalendarDay], years: Iterable[int]) -> ProductionCalendar:
    kinds: dict[int, dict[str, set[date]]] = {
        y: {"holiday": set(), "day_off": set(), "working_day": set()} for y in years
    }
    for d in days:
        if d.year in kinds:
            kinds[d.year][d.kind].add(d.day)
    return ProductionCalendar(
        CalendarYear(
            year=y,
            holidays=frozenset(k["holiday"]),
            days_off=frozenset(k["day_off"]),
            working_weekends=frozenset(k["working_day"]),
        )
        for y, k in kinds.items()
    )


def _notes(items: Iterable[CalendarDayInput]) -> tuple[DayNote, ...]:
    return tuple(DayNote(i.date, i.note) for i in items)


def check_year_body(year: int, body: CalendarYearPut) -> None:
    """Every day in the year, in one list only; days off on weekdays, working days on
    weekends (anything else would not change the calendar and hides a typo)."""
    problems: list[str] = []
    seen: dict[date, str] = {}
    lists = (
        ("holidays", body.holidays),
        ("days_off", body.days_off),
        ("working_weekends", body.working_weekends),
    )
    for name, items in lists:
        for item in items:
            day = item.date
            if day.year != year:
                problems.append(f"{name}: {day.isoformat()} не относится к {year} году")
            elif day in seen:
                problems.append(f"{name}: {day.isoformat()} уже указан в {seen[day]}")
            elif name == "days_off" and is_weekend(day):
                problems.append(f"days_off: {day.isoformat()} — суббота или воскресенье")
            elif name == "working_weekends" and not is_weekend(day):
                problems.append(
                    f"working_weekends: {day.isoformat()} — не суббота и не воскресенье"
                )
            seen.setdefault(day, name)
    if problems:
        raise BusinessRuleError(
            "Календарь не принят: " + "; ".join(problems[:10]),
            code="production-calendar-invalid",
        )


class CalendarService:
    def __init__(self, session: AsyncSession, default_window: int) -> None:
        self.session = session
        self.default_window = default_window
        self.repo = CalendarRepository(session)

    # -- seeding

    async def ensure_seeded(self) -> list[ProductionCalendarYear]:
        """Copy the bundled years that are missing; refresh the years still holding an
        older bundled version (never a year an operator loaded). Returns the year rows."""
        rows = {r.year: r for r in await self.repo.years()}
        refreshed: list[int] = []
        changed = False
        for year, data in bundled_years().items():
            row = rows.get(year)
            if row is None:
                if await self.repo.insert_year_if_absent(self._year_values(data)):
                    await self.repo.replace_days(year, _bundled_rows(data))
                changed = True
            elif (
                row.origin == "bundled"
                and row.revision != data.revision()
                and await self._refresh(data)
            ):
                refreshed.append(year)
        if refreshed:
            await self._recompute(refreshed, strict=False)
        return await self.repo.years() if changed or refreshed else list(rows.values())

    @staticmethod
    def _year_values(data: BundledYear) -> dict[str, Any]:
        return {
            "year": data.year,
            "source": data.source,
            "provisional": data.provisional,
            "origin": "bundled",
            "revision": data.revision(),
        }

    async def _refresh(self, data: BundledYear) -> bool:
        row = await self.repo.year(data.year, for_update=True)
        # checked again under the row lock: a concurrent request may have refreshed it
        if row is None or row.origin != "bundled" or row.revision == data.revision():
            return False
        row.source, row.provisional, row.revision = data.source, data.provisional, data.revision()
        await self.session.flush()
        await self.repo.replace_days(data.year, _bundled_rows(data))
        return True

    async def calendar(self) -> ProductionCalendar:
        years = await self.ensure_seeded()
        return calendar_of(await self.repo.days(), [y.year for y in years])

    async def _recompute(self, years: Sequence[int], *, strict: bool) -> None:
        calendar = calendar_of(await self.repo.days(), [y.year for y in await self.repo.years()])
        notices = await NoticeRepository(self.session).touching_years(min(years), max(years))
        windows = await SettingsRepository(self.session).of_schools([n.school_id for n in notices])
        await recompute_notices(
            self.session, notices, calendar, windows, self.default_window, strict=strict
        )

    # -- reads

    @staticmethod
    def _brief(row: ProductionCalendarYear, year: CalendarYear) -> CalendarYearBrief:
        working = sum(year.working_days_by_month().values())
        total = sum(1 for _ in year.days())
        return CalendarYearBrief(
            year=row.year,
            source=row.source,
            provisional=row.provisional,
            origin=row.origin,  # type: ignore[arg-type]
            working_days=working,
            non_working_days=total - working,
            updated_at=row.updated_at,
        )

    async def list_years(self) -> list[CalendarYearBrief]:
        rows = await self.ensure_seeded()
        calendar = calendar_of(await self.repo.days(), [r.year for r in rows])
        return [self._brief(row, calendar.year(row.year)) for row in rows]

    async def get_year(self, year: int) -> CalendarYearRead:
        await self.ensure_seeded()
        row = await self.repo.year(year)
        if row is None:
            raise NotFound(
                f"Производственный календарь на {year} год не загружен",
                code="production-calendar-year-not-found",
            )
        days = await self.repo.days([year])
        cal = calendar_of(days, [year]).year(year)
        months = []
        for month, working in cal.working_days_by_month().items():
            in_month = sum(1 for d in cal.days() if d.month == month)
            months.append(
                CalendarMonth(
                    month=month, working_days=working, non_working_days=in_month - working
                )
            )

        def notes(kind: str) -> list[CalendarDayNote]:
            return [CalendarDayNote(date=d.day, note=d.note) for d in days if d.kind == kind]

        return CalendarYearRead(
            **self._brief(row, cal).model_dump(),
            months=months,
            holidays=notes("holiday"),
            days_off=notes("day_off"),
            working_weekends=notes("working_day"),
        )

    async def working_day_deadline(self, start: date, count: int) -> WorkingDayDeadline:
        calendar = await self.calendar()
        try:
            calendar.require(start)
            deadline = calendar.add_working_days(start, count)
        except CalendarYearMissing as exc:
            raise calendar_missing(exc.year) from None
        return WorkingDayDeadline(
            start=start,
            working_days=count,
            deadline=deadline,
            rule=WORKING_DAYS_RULE.format(n=count),
        )

    # -- the operator's load

    async def put_year(
        self, year: int, body: CalendarYearPut, principal: Principal
    ) -> CalendarYearRead:
        check_year_body(year, body)
        await self.ensure_seeded()
        holidays, days_off, working = (
            _notes(body.holidays),
            _notes(body.days_off),
            _notes(body.working_weekends),
        )
        row = await self.repo.year(year, for_update=True)
        if row is None:
            row = ProductionCalendarYear(year=year)
            self.session.add(row)
        row.source, row.provisional, row.origin = body.source, body.provisional, "operator"
        row.revision = data_revision(body.source, body.provisional, holidays, days_off, working)
        row.loaded_by = principal.user_id
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(
                "Календарь изменён параллельным запросом; повторите", code="concurrent-change"
            ) from None
        await self.repo.replace_days(year, _day_rows(holidays, days_off, working))
        await self._recompute([year], strict=True)
        return await self.get_year(year)
