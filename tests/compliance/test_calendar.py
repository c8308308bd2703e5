"""Working-day arithmetic and the bundled production calendar (CO-5), without I/O."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from services.compliance.deadlines.calendar import (
    CalendarYear,
    CalendarYearMissing,
    ProductionCalendar,
)
from services.compliance.deadlines.calendar_data import (
    BUNDLED_YEARS,
    STATUTORY_HOLIDAYS,
    bundled_years,
)

MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def bundled_calendar() -> ProductionCalendar:
    return ProductionCalendar(
        CalendarYear(
            year=b.year,
            holidays=frozenset(d.day for d in b.holidays),
            days_off=frozenset(d.day for d in b.days_off),
            working_weekends=frozenset(d.day for d in b.working_weekends),
        )
        for b in BUNDLED_YEARS
    )


def non_working(year: int, month: int) -> list[int]:
    cal = bundled_calendar()
    day, out = date(year, month, 1), []
    while day.month == month:
        if not cal.is_working_day(day):
            out.append(day.day)
        day += timedelta(days=1)
    return out


class TestBundledData:
    def test_each_year_names_its_source(self) -> None:
        years = bundled_years()
        assert sorted(years) == [2025, 2026, 2027]
        assert "№ 1335" in years[2025].source
        assert "04.10.2024" in years[2025].source
        assert "№ 1466" in years[2026].source
        assert "24.09.2025" in years[2026].source
        assert years[2027].source == "ТК РФ ст. 112 (постановление о переносе не опубликовано)"
        assert [y.provisional for y in BUNDLED_YEARS] == [False, False, True]
        for year in BUNDLED_YEARS:
            assert all(d.note for d in (*year.days_off, *year.working_weekends))

    def test_statutory_holidays_are_those_of_labour_code_112(self) -> None:
        assert [(m, d) for m, d, _ in STATUTORY_HOLIDAYS] == [
            *[(1, d) for d in range(1, 9)],
            (2, 23),
            (3, 8),
            (5, 1),
            (5, 9),
            (6, 12),
            (11, 4),
        ]
        for year in BUNDLED_YEARS:
            assert len(year.holidays) == 14

    def test_days_off_fall_on_weekdays_and_working_days_on_weekends(self) -> None:
        for year in BUNDLED_YEARS:
            assert all(d.day.weekday() < SAT and d.day.year == year.year for d in year.days_off)
            assert all(d.day.weekday() >= SAT for d in year.working_weekends)

    def test_days_of_the_week_behind_the_transfers(self) -> None:
        # 2025: the decree moved weekend days that coincided with holidays
        assert date(2025, 1, 4).weekday() == SAT
        assert date(2025, 1, 5).weekday() == SUN
        assert date(2025, 2, 23).weekday() == SUN
        assert date(2025, 3, 8).weekday() == SAT
        assert date(2025, 11, 1).weekday() == SAT
        assert date(2025, 11, 3).weekday() == MON
        # 2026: 3 and 4 January are a weekend; 8 March Sunday; 9 May Saturday
        assert date(2026, 1, 3).weekday() == SAT
        assert date(2026, 1, 4).weekday() == SUN
        assert date(2026, 1, 9).weekday() == FRI
        assert date(2026, 12, 31).weekday() == THU
        assert date(2026, 2, 23).weekday() == MON
        assert date(2026, 3, 8).weekday() == SUN
        assert date(2026, 3, 9).weekday() == MON
        assert date(2026, 5, 1).weekday() == FRI
        assert date(2026, 5, 9).weekday() == SAT
        assert date(2026, 5, 11).weekday() == MON
        assert date(2026, 6, 12).weekday() == FRI
        assert date(2026, 11, 4).weekday() == WED
        # 2027: 1 May and 12 June Saturdays, 9 May Sunday
        assert date(2027, 5, 1).weekday() == SAT
        assert date(2027, 5, 9).weekday() == SUN
        assert date(2027, 6, 12).weekday() == SAT

    def test_2025_matches_the_published_calendar(self) -> None:
        cal = bundled_calendar()
        assert sum(cal.year(2025).working_days_by_month().values()) == 247
        assert non_working(2025, 1) == [1, 2, 3, 4, 5, 6, 7, 8, 11, 12, 18, 19, 25, 26]
        assert non_working(2025, 5) == [1, 2, 3, 4, 8, 9, 10, 11, 17, 18, 24, 25, 31]
        assert non_working(2025, 6)[:6] == [1, 7, 8, 12, 13, 14]
        # 24 February worked: the 23 February day off was moved to 8 May
        assert cal.is_working_day(date(2025, 2, 24))
        assert cal.is_working_day(date(2025, 11, 1))  # the working Saturday
        assert not cal.is_working_day(date(2025, 11, 3))
        assert not cal.is_working_day(date(2025, 12, 31))

    def test_2026_matches_the_published_calendar(self) -> None:
        cal = bundled_calendar()
        by_month = cal.year(2026).working_days_by_month()
        assert sum(by_month.values()) == 247
        assert by_month[1] == 15
        assert by_month[5] == 19
        assert non_working(2026, 1)[:11] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]
        assert {21, 22, 23} <= set(non_working(2026, 2))
        assert 24 not in non_working(2026, 2)
        assert non_working(2026, 3)[:3] == [1, 7, 8]
        assert 9 in non_working(2026, 3)
        assert non_working(2026, 5) == [1, 2, 3, 9, 10, 11, 16, 17, 23, 24, 30, 31]
        assert not cal.is_working_day(date(2026, 12, 31))

    def test_2027_is_labour_code_only(self) -> None:
        cal = bundled_calendar()
        assert non_working(2027, 5) == [1, 2, 3, 8, 9, 10, 15, 16, 22, 23, 29, 30]
        assert not cal.is_working_day(date(2027, 6, 14))
        # the January weekend holidays move only by decree: nothing moved here
        assert cal.is_working_day(date(2027, 12, 31))
        assert sum(cal.year(2027).working_days_by_month().values()) == 249

    def test_revision_changes_with_the_data(self) -> None:
        y2026 = bundled_years()[2026]
        assert y2026.revision() == bundled_years()[2026].revision()
        assert y2026.revision() != bundled_years()[2027].revision()


class TestAddWorkingDays:
    """The deadline calendar across May holidays, New Year and a working Saturday."""

    def test_across_may_holidays_2026(self) -> None:
        # 29, 30 Apr; 4–8 May; 12, 13, 14 May (1–3 and 9–11 May are days off)
        assert bundled_calendar().add_working_days(date(2026, 4, 28), 10) == date(2026, 5, 14)

    def test_across_may_holidays_2025(self) -> None:
        # 29, 30 Apr; 5, 6, 7 May; 12–16 May (1–4 and 8–11 May are days off)
        assert bundled_calendar().add_working_days(date(2025, 4, 28), 10) == date(2025, 5, 16)

    def test_change_on_a_holiday_counts_from_the_next_day(self) -> None:
        cal = bundled_calendar()
        # 1 May 2026 (holiday): 4–8, 12–15, 18 May
        assert cal.add_working_days(date(2026, 5, 1), 10) == date(2026, 5, 18)
        assert cal.add_working_days(date(2026, 5, 1), 1) == date(2026, 5, 4)

    def test_the_change_date_itself_is_not_counted(self) -> None:
        cal = bundled_calendar()
        assert cal.add_working_days(date(2026, 4, 27), 1) == date(2026, 4, 28)
        assert cal.add_working_days(date(2026, 4, 27), 10) == date(2026, 5, 13)

    def test_across_new_year(self) -> None:
        # 26, 29, 30 Dec 2025 (31 Dec off); 12–16, 19, 20 Jan 2026 (1–11 Jan off)
        assert bundled_calendar().add_working_days(date(2025, 12, 25), 10) == date(2026, 1, 20)

    def test_with_a_working_saturday(self) -> None:
        # 28–31 Oct, Sat 1 Nov (working), 5–7, 10, 11 Nov (3 and 4 Nov off)
        cal = bundled_calendar()
        assert cal.add_working_days(date(2025, 10, 27), 10) == date(2025, 11, 11)
        without = ProductionCalendar(
            [
                CalendarYear(
                    2025,
                    cal.year(2025).holidays,
                    cal.year(2025).days_off,
                    frozenset(),
                )
            ]
        )
        assert without.add_working_days(date(2025, 10, 27), 10) == date(2025, 11, 12)

    def test_a_year_not_loaded_is_an_error_never_a_guess(self) -> None:
        cal = bundled_calendar()
        with pytest.raises(CalendarYearMissing) as exc:
            cal.add_working_days(date(2027, 12, 20), 10)
        assert exc.value.year == 2028
        with pytest.raises(CalendarYearMissing):
            cal.is_working_day(date(2024, 12, 30))
        with pytest.raises(CalendarYearMissing) as missing:
            cal.require(date(2024, 12, 1), date(2025, 1, 20))
        assert missing.value.year == 2024

    def test_count_must_be_positive(self) -> None:
        with pytest.raises(ValueError):
            bundled_calendar().add_working_days(date(2026, 4, 28), 0)


class TestWorkingDaysBefore:
    def test_is_the_inverse_of_add_on_working_days(self) -> None:
        cal = bundled_calendar()
        deadline = cal.add_working_days(date(2026, 4, 28), 10)
        assert cal.working_days_before(deadline, 5, after=date(2026, 4, 28)) == date(2026, 5, 6)
        assert cal.add_working_days(date(2026, 5, 6), 5) == deadline

    def test_never_reaches_back_before_the_event(self) -> None:
        cal = bundled_calendar()
        deadline = cal.add_working_days(date(2026, 4, 28), 10)
        assert cal.working_days_before(deadline, 20, after=date(2026, 4, 28)) == date(2026, 4, 29)
        # and so needs no year before the event's: 2024 is not loaded
        jan = cal.add_working_days(date(2025, 1, 1), 10)
        assert jan == date(2025, 1, 22)
        assert cal.working_days_before(jan, 20, after=date(2025, 1, 1)) == date(2025, 1, 2)

    def test_before_a_fixed_date_deadline(self) -> None:
        # 1 May 2026 (Friday, holiday): 30, 29, 28, 27, 24 April
        cal = bundled_calendar()
        assert cal.working_days_before(date(2026, 5, 1), 5, after=date(2026, 3, 1)) == date(
            2026, 4, 24
        )
