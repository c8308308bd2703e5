"""Publication notices of a school and its due-soon setting (CO-5).

Admins create, change, delete notices and record their publication; staff read them.
Everything is scoped to the caller's school: another school's notice is "not found".
The deadline rules live in :mod:`services.compliance.deadlines.rules`.

Validation beyond the schemas:

* the years of the decision (or change) date and of the deadline must be in the
  production calendar (422 ``production-calendar-year-missing`` naming the year);
* a decision about the next school year is taken before that year starts (1 September);
* a publication is not dated before the decision or change (422
  ``publication-before-decision``) nor after the school's today (422
  ``publication-in-future``); it is recorded once (409), then only corrected.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.directory import Directory
from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.pagination import PageParams
from services.compliance.deadlines.calendar import CalendarYearMissing
from services.compliance.deadlines.calendar_service import CalendarService
from services.compliance.deadlines.repository import NoticeRepository, SettingsRepository
from services.compliance.deadlines.rules import (
    LEGAL_BASIS,
    calendar_missing,
    compute_dates,
    deadline_rule,
    emit_notice,
    notice_state,
    recompute_notices,
)
from services.compliance.deadlines.schemas import (
    DeadlineSettingsRead,
    NoticeCreate,
    NoticeKind,
    NoticeRead,
    NoticeState,
    NoticeSummary,
    NoticeUpdate,
    PublicationCreate,
    academic_year_start,
)
from services.compliance.models import DeadlineSettings, PublicationNotice, directory

SCHOOL_YEAR_STARTS = (9, 1)


def notice_not_found() -> NotFound:
    return NotFound("Сведения для публикации не найдены", code="notice-not-found")


def to_read(notice: PublicationNotice, today: date) -> NoticeRead:
    return NoticeRead(
        id=notice.id,
        kind=notice.kind,  # type: ignore[arg-type]
        title=notice.title,
        decision_or_change_date=notice.decision_or_change_date,
        academic_year=notice.academic_year,
        local_act_number=notice.local_act_number,
        notes=notice.notes,
        url=notice.url,
        published_on=notice.published_on,
        deadline=notice.deadline,
        deadline_rule=deadline_rule(
            notice.kind, notice.decision_or_change_date, notice.academic_year
        ),
        legal_basis=LEGAL_BASIS[notice.kind],
        due_soon_from=notice.due_soon_from,
        state=notice_state(notice.published_on, notice.deadline, notice.due_soon_from, today),
        as_of=today,
        created_at=notice.created_at,
        updated_at=notice.updated_at,
    )


class NoticeService:
    def __init__(self, session: AsyncSession, principal: Principal, default_window: int) -> None:
        self.session = session
        self.principal = principal
        self.default_window = default_window
        self.notices = NoticeRepository(session)
        self.settings = SettingsRepository(session)

    @property
    def school_id(self) -> uuid.UUID:
        return self.principal.school_id

    async def school_today(self) -> date:
        """Today in the school's time zone (Europe/Moscow when the school is unknown)."""
        return await Directory(self.session, directory).today(self.school_id)

    async def today(self, as_of: date | None) -> date:
        return as_of if as_of is not None else await self.school_today()

    async def window(self) -> int:
        row = await self.settings.of_school(self.school_id)
        return row.due_soon_working_days if row is not None else self.default_window

    async def _dates(
        self, kind: str, decided_on: date, academic_year: str | None
    ) -> tuple[date, date]:
        if kind == "dot_decision_next_year" and academic_year is not None:
            month, day = SCHOOL_YEAR_STARTS
            starts = date(academic_year_start(academic_year), month, day)
            if decided_on >= starts:
                raise BusinessRuleError(
                    f"Решение о {academic_year} учебном году принимается до его начала "
                    f"({starts.strftime('%d.%m.%Y')}); проверьте дату решения или учебный год",
                    code="academic-year-not-next",
                )
        calendar = await CalendarService(self.session, self.default_window).calendar()
        try:
            return compute_dates(kind, decided_on, academic_year, await self.window(), calendar)
        except CalendarYearMissing as exc:
            raise calendar_missing(exc.year) from None

    async def _check_publication(self, notice: PublicationNotice, published_on: date) -> None:
        if published_on < notice.decision_or_change_date:
            raise BusinessRuleError(
                "Дата публикации не может быть раньше даты решения или изменения "
                f"({notice.decision_or_change_date.strftime('%d.%m.%Y')})",
                code="publication-before-decision",
            )
        today = await self.school_today()
        if published_on > today:
            raise BusinessRuleError(
                "Дата публикации не может быть позже сегодняшнего дня "
                f"({today.strftime('%d.%m.%Y')}): записывается уже состоявшаяся публикация",
                code="publication-in-future",
            )

    async def in_school(self, notice_id: uuid.UUID) -> PublicationNotice:
        notice = await self.notices.get(notice_id, school_id=self.school_id)
        if notice is None:
            raise notice_not_found()
        return notice

    async def _flush(self) -> None:
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(
                "Запись изменена параллельным запросом; повторите", code="concurrent-change"
            ) from None

    # -- reads

    async def list_notices(
        self,
        params: PageParams,
        *,
        state: NoticeState | None,
        kind: NoticeKind | None,
        as_of: date | None,
    ) -> tuple[list[NoticeRead], dict[str, Any] | None]:
        today = await self.today(as_of)
        rows, cursor = await self.notices.page_in_school(
            self.school_id, params, today=today, state=state, kind=kind
        )
        return [to_read(n, today) for n in rows], cursor

    async def summary(self, *, kind: NoticeKind | None, as_of: date | None) -> NoticeSummary:
        today = await self.today(as_of)
        counts = await self.notices.count_by_state(self.school_id, today, kind)
        return NoticeSummary(as_of=today, total=sum(counts.values()), **counts)

    async def get(self, notice_id: uuid.UUID, as_of: date | None) -> NoticeRead:
        notice = await self.in_school(notice_id)
        return to_read(notice, await self.today(as_of))

    # -- writes (admin)

    async def create(self, body: NoticeCreate) -> NoticeRead:
        deadline, soon = await self._dates(
            body.kind, body.decision_or_change_date, body.academic_year
        )
        notice = PublicationNotice(
            id=uuid.uuid4(),
            school_id=self.school_id,
            kind=body.kind,
            title=body.title,
            decision_or_change_date=body.decision_or_change_date,
            academic_year=body.academic_year,
            local_act_number=body.local_act_number,
            notes=body.notes,
            url=body.url,
            published_on=None,
            deadline=deadline,
            due_soon_from=soon,
            created_by=self.principal.user_id,
        )
        self.session.add(notice)
        await self._flush()
        await emit_notice(self.session, "compliance_notice.created", notice)
        return to_read(notice, await self.school_today())

    async def update(self, notice_id: uuid.UUID, body: NoticeUpdate) -> NoticeRead:
        notice = await self.in_school(notice_id)
        changes = body.changes()
        if (
            "academic_year" in changes
            and changes["academic_year"] is None
            and notice.kind == "dot_decision_next_year"
        ):
            raise BusinessRuleError(
                "Для решения о следующем учебном году учебный год обязателен",
                code="academic-year-required",
            )
        if "published_on" in changes and notice.published_on is None:
            raise BusinessRuleError(
                "Сведения ещё не опубликованы: сначала запишите публикацию "
                "(POST …/notices/{id}/publication)",
                code="notice-not-published",
            )
        if "url" in changes and changes["url"] is None and notice.published_on is not None:
            raise BusinessRuleError(
                "У опубликованных сведений должен быть адрес страницы",
                code="publication-url-required",
            )
        watched = [*changes, "deadline", "due_soon_from"]
        before = {name: getattr(notice, name) for name in watched}
        decided_on = changes.get("decision_or_change_date", notice.decision_or_change_date)
        academic_year = changes.get("academic_year", notice.academic_year)
        if {"decision_or_change_date", "academic_year"} & set(changes):
            notice.deadline, notice.due_soon_from = await self._dates(
                notice.kind, decided_on, academic_year
            )
        for name, value in changes.items():
            setattr(notice, name, value)
        if notice.published_on is not None and (
            "published_on" in changes or "decision_or_change_date" in changes
        ):
            await self._check_publication(notice, notice.published_on)
        changed = [name for name, value in before.items() if getattr(notice, name) != value]
        if changed:
            await self._flush()
            await emit_notice(self.session, "compliance_notice.updated", notice, changed)
        return to_read(notice, await self.school_today())

    async def record_publication(self, notice_id: uuid.UUID, body: PublicationCreate) -> NoticeRead:
        notice = await self.in_school(notice_id)
        if notice.published_on is not None:
            raise Conflict(
                "Публикация уже записана ("
                f"{notice.published_on.strftime('%d.%m.%Y')}); исправить её можно через PATCH",
                code="notice-already-published",
            )
        await self._check_publication(notice, body.published_on)
        notice.published_on, notice.url = body.published_on, body.url
        notice.published_by = self.principal.user_id
        await self._flush()
        await emit_notice(self.session, "compliance_notice.published", notice)
        return to_read(notice, await self.school_today())

    async def delete(self, notice_id: uuid.UUID) -> None:
        notice = await self.in_school(notice_id)
        await emit_notice(self.session, "compliance_notice.deleted", notice)
        await self.notices.delete(notice)

    # -- the due-soon window

    async def get_settings(self) -> DeadlineSettingsRead:
        row = await self.settings.of_school(self.school_id)
        if row is None:
            return DeadlineSettingsRead(due_soon_working_days=self.default_window, is_default=True)
        return DeadlineSettingsRead(
            due_soon_working_days=row.due_soon_working_days, is_default=False
        )

    async def update_settings(self, due_soon_working_days: int) -> DeadlineSettingsRead:
        row = await self.settings.of_school(self.school_id)
        if row is None:
            row = DeadlineSettings(id=uuid.uuid4(), school_id=self.school_id)
            self.session.add(row)
        row.due_soon_working_days = due_soon_working_days
        row.updated_by = self.principal.user_id
        await self._flush()
        calendar = await CalendarService(self.session, self.default_window).calendar()
        await recompute_notices(
            self.session,
            await self.notices.in_school(self.school_id),
            calendar,
            {self.school_id: due_soon_working_days},
            self.default_window,
            strict=False,
        )
        return DeadlineSettingsRead(due_soon_working_days=due_soon_working_days, is_default=False)
