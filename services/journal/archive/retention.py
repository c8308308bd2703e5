"""Retention periods per record type (JO-8, 125-ФЗ «Об архивном деле»): data, not code.

Every school starts from :data:`DEFAULT_RULES`; an admin may change a period, its source
and note for the school (``retention_rules``). A period counts from 1 January of the year
after the school year ends, as archival periods do, so a record of a year ending in May
2027 kept for 5 years is kept until 31 December 2032.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

ROSARKHIV_236 = "Приказ Росархива № 236 от 20.12.2019"
COUNTING_NOTE = "Срок исчисляется с 1 января года, следующего за годом окончания учебного года."


@dataclass(frozen=True)
class RuleDefault:
    title: str
    years: int
    source: str | None
    note: str | None


DEFAULT_RULES: dict[str, RuleDefault] = {
    "class_journal": RuleDefault(
        title="Классный журнал (журнал успеваемости по предмету)",
        years=5,
        source=ROSARKHIV_236,
        note=COUNTING_NOTE,
    ),
    "summary_sheet": RuleDefault(
        title="Сводная ведомость итоговых отметок класса",
        years=25,
        source=ROSARKHIV_236,
        note=COUNTING_NOTE,
    ),
    "portfolio": RuleDefault(
        title="Цифровое портфолио обучающегося",
        years=5,
        source=None,
        note="Срок не установлен типовым перечнем; определяется локальным актом школы.",
    ),
}
RECORD_TYPES = tuple(DEFAULT_RULES)


def retain_until(year_ends: date, years: int) -> date:
    return date(year_ends.year + years, 12, 31)
