"""The deadline rules of publication notices (CO-5; §4.5, §4.6; 273-ФЗ ст. 29 ч. 3).

Deadlines:

* ``dot_decision_next_year`` (§4.5): the decision to use ЭО/ДОТ in the next school year
  is published "не позднее 1 мая текущего учебного года": for a decision about
  2026/2027 the deadline is 1 May 2026. It is a calendar date set by the regulation,
  not a period counted in days, so it does **not** move when 1 May is a non-working day
  (it always is: a public holiday). Publishing on the last working day before it is on
  time; publishing after it is late.
* ``distance_only_program_info`` (§4.6, 273-ФЗ ст. 29 ч. 3): information is published
  "в течение десяти рабочих дней" of its creation or change: the deadline is the 10th
  working day after the change date, the change date itself not counted, on the
  production calendar (see :meth:`ProductionCalendar.add_working_days`).

States, computed for a day ``today`` (the school's today in its time zone, or the
``as_of`` of a report):

* ``published_on_time`` / ``published_late``: published on or before / after the deadline;
* ``late``: not published and the deadline has passed;
* ``due_soon``: not published, ``today`` is on or after ``due_soon_from`` and not after
  the deadline;
* ``pending``: not published and ``today`` is before ``due_soon_from``.

``due_soon_from`` is the N-th working day before the deadline (N: the school's setting,
5 by default), but never earlier than the day after the decision or change.

``deadline`` and ``due_soon_from`` are stored with each notice and recomputed whenever
their inputs change (the notice, the school's N, a year of the calendar), so lists
filter and count by state in SQL (:func:`repository.state_condition` is the SQL twin of
:func:`notice_state`).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError
from services.common.outbox import emit
from services.compliance.deadlines.calendar import CalendarYearMissing, ProductionCalendar
from services.compliance.deadlines.schemas import NoticeState, academic_year_start
from services.compliance.models import PublicationNotice, kernel

DISTANCE_INFO_WORKING_DAYS = 10
DECISION_DEADLINE_MONTH_DAY = (5, 1)
LEGAL_BASIS: dict[str, str] = {
    "dot_decision_next_year": "§4.5 Положения о применении ЭО и ДОТ",
    "distance_only_program_info": (
        "§4.6 Положения о применении ЭО и ДОТ; ч. 3 ст. 29 Федерального закона от 29.12.2012 "
        "№ 273-ФЗ «Об образовании в Российской Федерации»"
    ),
}
WORKING_DAYS_RULE = (
    "Срок в рабочих днях отсчитывается со дня, следующего за днём события; последний день "
    "срока — {n}-й рабочий день по производственному календарю."
)


def notice_state(
    published_on: date | None, deadline: date, due_soon_from: date, today: date
) -> NoticeState:
    if published_on is not None:
        return "published_on_time" if published_on <= deadline else "published_late"
    if today > deadline:
        return "late"
    if today >= due_soon_from:
        return "due_soon"
    return "pending"


def decision_deadline(academic_year: str) -> date:
    """1 May of the "current" school year, the one before ``academic_year`` (§4.5): for
    2026/2027 the current year is 2025/2026, whose May falls in 2026."""
    month, day = DECISION_DEADLINE_MONTH_DAY
    return date(academic_year_start(academic_year), month, day)


def deadline_of(
    kind: str, decided_on: date, academic_year: str | None, calendar: ProductionCalendar
) -> date:
    """The last day of the publication period; raises :class:`CalendarYearMissing`."""
    if kind == "dot_decision_next_year":
        if academic_year is None:
            raise ValueError("a decision about the next school year names that year")
        deadline = decision_deadline(academic_year)
        # due_soon_from walks the days between the decision and the deadline
        calendar.require(decided_on, deadline)
        return deadline
    calendar.require(decided_on)
    return calendar.add_working_days(decided_on, DISTANCE_INFO_WORKING_DAYS)


def compute_dates(
    kind: str,
    decided_on: date,
    academic_year: str | None,
    window: int,
    calendar: ProductionCalendar,
) -> tuple[date, date]:
    """``(deadline, due_soon_from)``; raises :class:`CalendarYearMissing`."""
    deadline = deadline_of(kind, decided_on, academic_year, calendar)
    return deadline, calendar.working_days_before(deadline, window, after=decided_on)


def deadline_rule(kind: str, decided_on: date, academic_year: str | None) -> str:
    if kind == "dot_decision_next_year" and academic_year is not None:
        start = academic_year_start(academic_year)
        return (
            f"Не позднее 1 мая текущего учебного года ({start - 1}/{start}) — для решения "
            f"о {academic_year} учебном году. Срок — календарная дата: если 1 мая нерабочий "
            "день, срок не переносится."
        )
    return (
        f"В течение {DISTANCE_INFO_WORKING_DAYS} рабочих дней со дня изменения "
        f"({decided_on.isoformat()}). " + WORKING_DAYS_RULE.format(n=DISTANCE_INFO_WORKING_DAYS)
    )


def calendar_missing(year: int) -> BusinessRuleError:
    return BusinessRuleError(
        f"Производственный календарь на {year} год не загружен: срок нельзя рассчитать. "
        f"Администратор может загрузить его: PUT /api/v1/compliance/calendar/{year}",
        code="production-calendar-year-missing",
        extra={"missing_year": year},
    )


def notice_payload(notice: PublicationNotice) -> dict[str, Any]:
    """The complete notice for events (consumers never call back)."""
    published = notice.published_on
    return {
        "id": str(notice.id),
        "school_id": str(notice.school_id),
        "kind": notice.kind,
        "title": notice.title,
        "decision_or_change_date": notice.decision_or_change_date.isoformat(),
        "academic_year": notice.academic_year,
        "local_act_number": notice.local_act_number,
        "notes": notice.notes,
        "url": notice.url,
        "published_on": published.isoformat() if published else None,
        "deadline": notice.deadline.isoformat(),
        "due_soon_from": notice.due_soon_from.isoformat(),
        "legal_basis": LEGAL_BASIS[notice.kind],
        "published_on_time": (published <= notice.deadline) if published else None,
    }


async def emit_notice(
    session: AsyncSession,
    type_: str,
    notice: PublicationNotice,
    changed: Sequence[str] | None = None,
) -> None:
    payload = notice_payload(notice)
    if changed is not None:
        payload["changed"] = sorted(changed)
    await emit(
        session,
        kernel.outbox,
        school_id=notice.school_id,
        type=type_,
        aggregate_type="compliance_notice",
        aggregate_id=notice.id,
        payload=payload,
    )


async def recompute_notices(
    session: AsyncSession,
    notices: Iterable[PublicationNotice],
    calendar: ProductionCalendar,
    windows: dict[uuid.UUID, int],
    default_window: int,
    *,
    strict: bool,
) -> None:
    """Bring stored dates up to date; ``compliance_notice.updated`` for each change.

    ``strict``: a notice whose period now needs a year that is not loaded refuses the
    whole change (422); otherwise (a bundled refresh) it keeps its stored dates.
    """
    changed: list[tuple[PublicationNotice, list[str]]] = []
    for notice in notices:
        try:
            deadline, soon = compute_dates(
                notice.kind,
                notice.decision_or_change_date,
                notice.academic_year,
                windows.get(notice.school_id, default_window),
                calendar,
            )
        except CalendarYearMissing as exc:
            if strict:
                raise calendar_missing(exc.year) from None
            continue
        fields = [
            name
            for name, value in (("deadline", deadline), ("due_soon_from", soon))
            if getattr(notice, name) != value
        ]
        if fields:
            notice.deadline, notice.due_soon_from = deadline, soon
            changed.append((notice, fields))
    if not changed:
        return
    await session.flush()
    for notice, fields in changed:
        await emit_notice(session, "compliance_notice.updated", notice, fields)
