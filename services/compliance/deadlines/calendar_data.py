"""The Russian production calendar bundled with the service (CO-5): federal data.

Each year lists its source explicitly. A day is non-working when it is a Saturday or
Sunday not declared a working day, a non-working public holiday (ТК РФ ст. 112 ч. 1),
or an additional day off (a weekend day moved by a Government decree, or by the rule
of ТК РФ ст. 112 ч. 2: a weekend day that coincides with a holiday moves to the next
working day after the holiday, except for the January holidays, whose moves are set
by the decree only).

The service copies these years into its database on first use (see
``CalendarService.ensure_seeded``); an operator may load a newer version of a year with
``PUT /api/v1/compliance/calendar/{year}``, and a year loaded that way is never
overwritten by the bundled data. When the bundled data of a year changes in a new
release, databases still holding the previous bundled version are updated.

Sources:

* 2025 — Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных
  дней в 2025 году»: from Sat 4 Jan to Fri 2 May, from Sun 5 Jan to Wed 31 Dec, from
  Sun 23 Feb to Thu 8 May, from Sat 8 Mar to Fri 13 Jun, from Sat 1 Nov to Mon 3 Nov
  (so Saturday 1 November is a working day).
* 2026 — Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных
  дней в 2026 году»: from Sat 3 Jan to Fri 9 Jan, from Sun 4 Jan to Thu 31 Dec; by
  ТК РФ ст. 112 ч. 2: Sun 8 Mar → Mon 9 Mar, Sat 9 May → Mon 11 May.
* 2027 — provisional: ТК РФ ст. 112 only (1 May Sat → Mon 3 May, 9 May Sun → Mon
  10 May, 12 Jun Sat → Mon 14 Jun). The moves of the January weekend days (2 and
  3 Jan) are set by a decree that is not part of this data: load the decree's
  calendar with the PUT endpoint once it is confirmed.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

NEW_YEAR = "Новогодние каникулы"


@dataclass(frozen=True, slots=True)
class DayNote:
    day: date
    note: str


@dataclass(frozen=True, slots=True)
class BundledYear:
    year: int
    source: str
    provisional: bool
    holidays: tuple[DayNote, ...]
    days_off: tuple[DayNote, ...]
    working_weekends: tuple[DayNote, ...]

    def revision(self) -> str:
        """A digest of the data: a database holding another digest is refreshed."""
        return data_revision(
            self.source, self.provisional, self.holidays, self.days_off, self.working_weekends
        )


def data_revision(
    source: str,
    provisional: bool,
    holidays: tuple[DayNote, ...],
    days_off: tuple[DayNote, ...],
    working_weekends: tuple[DayNote, ...],
) -> str:
    canonical = json.dumps(
        {
            "source": source,
            "provisional": provisional,
            "holidays": sorted((d.day.isoformat(), d.note) for d in holidays),
            "days_off": sorted((d.day.isoformat(), d.note) for d in days_off),
            "working_weekends": sorted((d.day.isoformat(), d.note) for d in working_weekends),
        },
        ensure_ascii=False,
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


# ТК РФ ст. 112 ч. 1: the non-working public holidays, (month, day, name).
STATUTORY_HOLIDAYS: tuple[tuple[int, int, str], ...] = (
    (1, 1, NEW_YEAR),
    (1, 2, NEW_YEAR),
    (1, 3, NEW_YEAR),
    (1, 4, NEW_YEAR),
    (1, 5, NEW_YEAR),
    (1, 6, NEW_YEAR),
    (1, 7, "Рождество Христово"),
    (1, 8, NEW_YEAR),
    (2, 23, "День защитника Отечества"),
    (3, 8, "Международный женский день"),
    (5, 1, "Праздник Весны и Труда"),
    (5, 9, "День Победы"),
    (6, 12, "День России"),
    (11, 4, "День народного единства"),
)


def statutory_holidays(year: int) -> tuple[DayNote, ...]:
    return tuple(DayNote(date(year, m, d), name) for m, d, name in STATUTORY_HOLIDAYS)


def _note(year: int, month: int, day: int, note: str) -> DayNote:
    return DayNote(date(year, month, day), note)


DECREE_2025 = "постановление Правительства РФ от 04.10.2024 № 1335"
DECREE_2026 = "постановление Правительства РФ от 24.09.2025 № 1466"
ART_112 = "ТК РФ ст. 112 ч. 2"

BUNDLED_YEARS: tuple[BundledYear, ...] = (
    BundledYear(
        year=2025,
        source=(
            "Постановление Правительства РФ от 04.10.2024 № 1335 «О переносе выходных дней "
            "в 2025 году»; ТК РФ ст. 112"
        ),
        provisional=False,
        holidays=statutory_holidays(2025),
        days_off=(
            _note(2025, 5, 2, f"Выходной перенесён с субботы 4 января ({DECREE_2025})"),
            _note(2025, 5, 8, f"Выходной перенесён с воскресенья 23 февраля ({DECREE_2025})"),
            _note(2025, 6, 13, f"Выходной перенесён с субботы 8 марта ({DECREE_2025})"),
            _note(2025, 11, 3, f"Выходной перенесён с субботы 1 ноября ({DECREE_2025})"),
            _note(2025, 12, 31, f"Выходной перенесён с воскресенья 5 января ({DECREE_2025})"),
        ),
        working_weekends=(
            _note(2025, 11, 1, f"Рабочая суббота: выходной перенесён на 3 ноября ({DECREE_2025})"),
        ),
    ),
    BundledYear(
        year=2026,
        source=(
            "Постановление Правительства РФ от 24.09.2025 № 1466 «О переносе выходных дней "
            "в 2026 году»; ТК РФ ст. 112"
        ),
        provisional=False,
        holidays=statutory_holidays(2026),
        days_off=(
            _note(2026, 1, 9, f"Выходной перенесён с субботы 3 января ({DECREE_2026})"),
            _note(2026, 3, 9, f"8 марта — воскресенье: выходной переносится ({ART_112})"),
            _note(2026, 5, 11, f"9 мая — суббота: выходной переносится ({ART_112})"),
            _note(2026, 12, 31, f"Выходной перенесён с воскресенья 4 января ({DECREE_2026})"),
        ),
        working_weekends=(),
    ),
    BundledYear(
        year=2027,
        source="ТК РФ ст. 112 (постановление о переносе не опубликовано)",
        provisional=True,
        holidays=statutory_holidays(2027),
        days_off=(
            _note(2027, 5, 3, f"1 мая — суббота: выходной переносится ({ART_112})"),
            _note(2027, 5, 10, f"9 мая — воскресенье: выходной переносится ({ART_112})"),
            _note(2027, 6, 14, f"12 июня — суббота: выходной переносится ({ART_112})"),
        ),
        working_weekends=(),
    ),
)


def bundled_years() -> dict[int, BundledYear]:
    return {y.year: y for y in BUNDLED_YEARS}
