"""Working-day arithmetic on the production calendar (CO-5). Pure: no I/O, no clock.

A day is a working day unless it is

* a Saturday or Sunday that the calendar does not declare a working day, or
* a non-working public holiday (ТК РФ ст. 112 ч. 1), or
* an additional day off (a weekend day moved by decree or by ТК РФ ст. 112 ч. 2).

Every question about a day of a year the calendar does not hold raises
:class:`CalendarYearMissing`: the arithmetic never guesses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

SATURDAY, SUNDAY = 5, 6
ONE_DAY = timedelta(days=1)


class CalendarYearMissing(Exception):
    """The production calendar of ``year`` is not loaded."""

    def __init__(self, year: int) -> None:
        super().__init__(f"production calendar for {year} is not loaded")
        self.year = year


def is_weekend(day: date) -> bool:
    return day.weekday() in (SATURDAY, SUNDAY)


@dataclass(frozen=True, slots=True)
class CalendarYear:
    """One year of the calendar: its exceptions to the Monday–Friday week."""

    year: int
    holidays: frozenset[date] = field(default_factory=frozenset)
    days_off: frozenset[date] = field(default_factory=frozenset)
    working_weekends: frozenset[date] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day.year != self.year:
            raise ValueError(f"{day} is not in {self.year}")
        if day in self.holidays or day in self.days_off:
            return False
        if is_weekend(day):
            return day in self.working_weekends
        return True

    def days(self) -> Iterable[date]:
        day = date(self.year, 1, 1)
        while day.year == self.year:
            yield day
            day += ONE_DAY

    def working_days_by_month(self) -> dict[int, int]:
        counts = dict.fromkeys(range(1, 13), 0)
        for day in self.days():
            if self.is_working_day(day):
                counts[day.month] += 1
        return counts


class ProductionCalendar:
    """The loaded years; answers working-day questions within them."""

    def __init__(self, years: Iterable[CalendarYear]) -> None:
        self._years = {y.year: y for y in years}

    @property
    def years(self) -> list[int]:
        return sorted(self._years)

    def year(self, year: int) -> CalendarYear:
        found = self._years.get(year)
        if found is None:
            raise CalendarYearMissing(year)
        return found

    def require(self, *days: date) -> None:
        """Raise for the first year between the earliest and the latest day not loaded."""
        if not days:
            return
        for year in range(min(days).year, max(days).year + 1):
            if year not in self._years:
                raise CalendarYearMissing(year)

    def is_working_day(self, day: date) -> bool:
        year = self._years.get(day.year)
        if year is None:
            raise CalendarYearMissing(day.year)
        return year.is_working_day(day)

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start``; ``start`` itself is never counted.

        This is how "within N working days of a change" (273-ФЗ ст. 29 ч. 3, §4.6) is
        read: a period counted in days begins on the day after the event (ГК РФ ст. 191),
        and the period ends at the end of its N-th working day. Whether ``start`` is a
        working day does not matter. Example: a change on Tuesday 28 April 2026 → 29, 30
        April, 4–8 May, 12–14 May (1–3 and 9–11 May are not working days) → Thursday
        14 May 2026.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        day, found = start, 0
        while found < count:
            day += ONE_DAY
            if self.is_working_day(day):
                found += 1
        return day

    def working_days_before(self, deadline: date, count: int, *, after: date) -> date:
        """The ``count``-th working day before ``deadline`` (the deadline not counted).

        The walk never goes back to ``after`` (the event that started the period) or
        earlier: when the period holds fewer than ``count`` working days, the answer is
        the day after ``after``. So only days within the period are ever consulted.
        """
        if count < 1:
            raise ValueError("count must be at least 1")
        day, found = deadline, 0
        while found < count:
            day -= ONE_DAY
            if day <= after:
                return after + ONE_DAY
            if self.is_working_day(day):
                found += 1
        return day
