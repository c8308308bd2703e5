"""Actual screen time (CO-3): storing reported intervals, daily totals, reads.

A report is a batch of intervals, each of one student on one device. The whole batch is
checked first (device types, times, length, students and the caller's right to report
about them); one bad interval refuses the batch and nothing is stored. Then, student by
student (serialised per student on PostgreSQL):

1. the context of an interval is the reporter's (``school`` / ``home``) or, when not
   given, derived from the timetable: the parts inside a lesson (not cancelled) of the
   student's classes are ``school``, the rest ``home``;
2. pieces are cut at the school's midnights (days are the school's, in its time zone);
3. what one device of the student already has on record (in any context) is not
   counted again: a report sent twice, or overlapping an earlier one, adds only the new
   part; stored intervals of one device, context and day that overlap or touch are
   merged into one;
4. the day's totals are measured against the daily limits in force (``alerts.py``)
   and each threshold reached for the first time raises an alert.

Times are kept to the second; minutes shown are whole minutes (rounded down), limits
are compared in seconds (a limit of 60 minutes is reached at 3600 seconds).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.db import utcnow
from services.common.directory import Directory
from services.common.errors import NotFound
from services.common.pagination import PageParams
from services.compliance.models import ScreenTimeInterval, directory
from services.compliance.norms import engine
from services.compliance.norms.service import refuse, resolve_school
from services.compliance.screen_time import intervals as iv
from services.compliance.screen_time.alerts import (
    StudentClass,
    limit_statuses,
    norm_context,
    raise_alerts,
    student_class,
)
from services.compliance.screen_time.auth import reportable_students, visible_students
from services.compliance.screen_time.intervals import Span
from services.compliance.screen_time.repository import (
    AlertRepository,
    IntervalRepository,
    LessonRepository,
)
from services.compliance.screen_time.schemas import (
    AlertRead,
    DeviceUsage,
    IntervalIn,
    IntervalRead,
    ReportResult,
    ScreenTimeReport,
    StudentDay,
    StudentDayDetail,
)
from services.compliance.settings import Settings

CLAUSE = "СанПиН 1.2.3685-21, табл. 6.8"
STUDENT_NOT_FOUND = "Обучающийся не найден"
DAY = timedelta(days=1)


class Piece:
    """A part of a reported interval: one day, one context, to be stored."""

    __slots__ = ("context", "day", "device", "source", "span")

    def __init__(self, device: str, day: date, span: Span, context: str, source: str) -> None:
        self.device = device
        self.day = day
        self.span = span
        self.context = context
        self.source = source


class Checked:
    """A validated interval of the report."""

    __slots__ = ("context", "device", "span", "student_id")

    def __init__(self, student_id: uuid.UUID, device: str, span: Span, context: str | None) -> None:
        self.student_id = student_id
        self.device = device
        self.span = span
        self.context = context


def _whole_seconds(value: datetime) -> datetime:
    return value.astimezone(UTC).replace(microsecond=0)


class ScreenTimeService:
    def __init__(self, session: AsyncSession, principal: Principal, settings: Settings) -> None:
        self.session = session
        self.principal = principal
        self.settings = settings
        self.directory = Directory(session, directory)
        self.intervals = IntervalRepository(session)
        self.alerts = AlertRepository(session)

    # -- validation --------------------------------------------------------------------

    @staticmethod
    def _instant(value: datetime, n: int, path: str, plus: timedelta = timedelta(0)) -> datetime:
        """``value`` (+ ``plus``) in UTC to the second; a date at the edge of the calendar
        (year 1 or 9999) that cannot be moved is refused."""
        try:
            return _whole_seconds(value) + plus
        except OverflowError:
            raise refuse(
                "interval-time-out-of-range",
                f"Интервал №{n}: время {value.isoformat()} вне допустимого диапазона",
                path,
            ) from None

    def _check(self, i: int, item: IntervalIn, now: datetime) -> Checked:
        path = f"body.intervals.{i}"
        n = i + 1
        if item.device not in engine.DEVICE_TYPES:
            raise refuse(
                "unknown-device-type",
                f"Интервал №{n}: неизвестный тип ЭСО «{item.device[:64]}». Допустимы "
                "interactive_whiteboard (интерактивная доска), interactive_panel "
                "(интерактивная панель), pc (персональный компьютер), laptop (ноутбук), "
                f"tablet (планшет) ({CLAUSE})",
                f"{path}.device",
            )
        if item.started_at.tzinfo is None or (
            item.ended_at is not None and item.ended_at.tzinfo is None
        ):
            raise refuse(
                "interval-timezone-required",
                f"Интервал №{n}: укажите время с часовым поясом, например "
                "2026-11-20T09:00:00+04:00 или 2026-11-20T05:00:00Z",
                f"{path}.started_at",
            )
        if (item.ended_at is None) == (item.minutes is None):
            raise refuse(
                "interval-end-required",
                f"Интервал №{n}: укажите либо окончание (ended_at), либо продолжительность "
                "в минутах (minutes)",
                path,
            )
        start = self._instant(item.started_at, n, f"{path}.started_at")
        if item.minutes is not None:
            if item.minutes < 1:
                raise refuse(
                    "minutes-out-of-range",
                    f"Интервал №{n}: продолжительность {item.minutes} мин — должна быть не "
                    "меньше 1 минуты",
                    f"{path}.minutes",
                )
            if item.minutes > engine.MAX_MINUTES:
                raise refuse(
                    "minutes-out-of-range",
                    f"Интервал №{n}: продолжительность {item.minutes} мин больше, чем минут "
                    f"в сутках ({engine.MAX_MINUTES})",
                    f"{path}.minutes",
                )
            end = self._instant(start, n, f"{path}.minutes", timedelta(minutes=item.minutes))
        else:
            assert item.ended_at is not None
            end = self._instant(item.ended_at, n, f"{path}.ended_at")
            if end <= start:
                raise refuse(
                    "interval-end-before-start",
                    f"Интервал №{n}: окончание ({item.ended_at.isoformat()}) не позже начала "
                    f"({item.started_at.isoformat()})",
                    f"{path}.ended_at",
                )
            if end - start > DAY:
                length = int((end - start).total_seconds() // 60)
                raise refuse(
                    "interval-too-long",
                    f"Интервал №{n}: длится больше суток ({length} мин); разбейте его на "
                    "интервалы фактической работы",
                    f"{path}.ended_at",
                )
        if end > now + timedelta(seconds=self.settings.screen_time_clock_tolerance_seconds):
            raise refuse(
                "interval-in-future",
                f"Интервал №{n}: заканчивается в будущем ({end.isoformat()}); сообщайте о "
                "работе, которая уже была",
                f"{path}.started_at" if item.minutes is not None else f"{path}.ended_at",
            )
        max_age = self.settings.screen_time_max_age_days
        if end < now - timedelta(days=max_age):
            raise refuse(
                "interval-too-old",
                f"Интервал №{n}: закончился больше {max_age} дн. назад; такие сведения не "
                "принимаются",
                f"{path}.started_at",
            )
        student_id = item.student_id
        if student_id is None:
            if not self.principal.has("student") or self.principal.is_service:
                raise refuse(
                    "student-required",
                    f"Интервал №{n}: укажите обучающегося (student_id)",
                    f"{path}.student_id",
                )
            student_id = self.principal.user_id
        return Checked(student_id, item.device, (start, end), item.context)

    async def _students(self, school_id: uuid.UUID, checked: list[Checked]) -> dict[uuid.UUID, Any]:
        ids = {c.student_id for c in checked}
        people = await self.directory.people(school_id, ids)
        allowed = await reportable_students(self.session, self.principal)
        for i, c in enumerate(checked):
            person = people.get(c.student_id)
            if (
                person is None
                or not person.has_role("student")
                or (allowed is not None and c.student_id not in allowed)
            ):
                raise NotFound(
                    f"Интервал №{i + 1}: обучающийся {c.student_id} не найден в школе",
                    code="student-not-found",
                )
        return people

    # -- the report ------------------------------------------------------------------

    async def report(self, body: ScreenTimeReport) -> ReportResult:
        school_id = await resolve_school(
            self.session, self.principal, body.school_id, required=True
        )
        assert school_id is not None
        if len(body.intervals) > self.settings.screen_time_max_batch:
            raise refuse(
                "batch-too-large",
                f"В одном запросе не больше {self.settings.screen_time_max_batch} интервалов, "
                f"а передано {len(body.intervals)}",
                "body.intervals",
            )
        now = utcnow()
        checked = [self._check(i, item, now) for i, item in enumerate(body.intervals)]
        people = await self._students(school_id, checked)
        tz = await self.directory.timezone(school_id)
        by_student: dict[uuid.UUID, list[Checked]] = defaultdict(list)
        for c in checked:
            by_student[c.student_id].append(c)
        added = 0
        days: list[StudentDay] = []
        raised: list[AlertRead] = []
        for student_id in sorted(by_student):
            await self.intervals.lock_student(student_id)
            pieces = await self._pieces(school_id, student_id, by_student[student_id], tz)
            added += await self._store(school_id, student_id, pieces)
            klass = await student_class(self.session, school_id, student_id)
            for day in sorted({p.day for p in pieces}):
                summary, limits = await self._day(school_id, student_id, day, tz, klass)
                days.append(summary)
                alerts = await raise_alerts(
                    self.session, school_id, people[student_id], klass, day, limits
                )
                raised.extend(AlertRead.model_validate(a) for a in alerts)
        return ReportResult(
            intervals_received=len(body.intervals),
            seconds_added=added,
            days=days,
            alerts=raised,
        )

    async def _pieces(
        self, school_id: uuid.UUID, student_id: uuid.UUID, items: list[Checked], tz: ZoneInfo
    ) -> list[Piece]:
        windows: list[Span] = []
        if any(c.context is None for c in items):
            first = min(c.span[0] for c in items).astimezone(tz).date() - DAY
            last = max(c.span[1] for c in items).astimezone(tz).date() + DAY
            groups = await self.directory.groups_of_student(school_id, student_id)
            lessons = await LessonRepository(self.session).lessons_of(
                school_id, student_id, groups, first, last
            )
            windows = iv.merge(_lesson_span(lesson, tz) for lesson in lessons)
        out: list[Piece] = []
        for c in items:
            if c.context is not None:
                parts = [(c.span, c.context, "reported")]
            else:
                parts = [
                    (span, "school" if inside else "home", "timetable")
                    for span, inside in iv.split_by(c.span, windows)
                ]
            for span, context, source in parts:
                for day, piece in iv.split_days(span, tz):
                    out.append(Piece(c.device, day, piece, context, source))
        return out

    async def _store(self, school_id: uuid.UUID, student_id: uuid.UUID, pieces: list[Piece]) -> int:
        """Store what is new in ``pieces``; returns the seconds added."""
        existing = await self.intervals.of_days(school_id, student_id, {p.day for p in pieces})
        covered: dict[str, list[Span]] = defaultdict(list)
        for row in existing:
            covered[row.device].append((row.started_at, row.ended_at))
        for device in covered:
            covered[device] = iv.merge(covered[device])
        fresh: dict[tuple[str, date, str], list[tuple[Span, str]]] = defaultdict(list)
        added = 0
        for p in sorted(pieces, key=lambda p: (p.device, p.span)):
            new = iv.subtract(p.span, covered[p.device])
            if not new:
                continue
            covered[p.device] = iv.merge([*covered[p.device], *new])
            fresh[(p.device, p.day, p.context)].extend((span, p.source) for span in new)
            added += iv.seconds(new)
        rows_of: dict[tuple[str, date, str], list[ScreenTimeInterval]] = defaultdict(list)
        for row in existing:
            rows_of[(row.device, row.day, row.context)].append(row)
        doomed: list[ScreenTimeInterval] = []
        for key, spans in fresh.items():
            device, day, context = key
            rows = rows_of[key]
            sources = dict(spans)
            for cluster in iv.merge(
                [*(s for s, _ in spans), *((r.started_at, r.ended_at) for r in rows)]
            ):
                inside = [
                    r for r in rows if cluster[0] <= r.started_at and r.ended_at <= cluster[1]
                ]
                seconds = iv.seconds([cluster])
                if inside:
                    keep, *others = inside
                    keep.started_at, keep.ended_at, keep.seconds = cluster[0], cluster[1], seconds
                    doomed.extend(others)
                else:
                    source = next(
                        (
                            src
                            for span, src in sources.items()
                            if cluster[0] <= span[0] < cluster[1]
                        ),
                        "reported",
                    )
                    self.session.add(
                        ScreenTimeInterval(
                            id=uuid.uuid4(),
                            school_id=school_id,
                            student_id=student_id,
                            device=device,
                            context=context,
                            context_source=source,
                            day=day,
                            started_at=cluster[0],
                            ended_at=cluster[1],
                            seconds=seconds,
                            reported_by=self.principal.user_id,
                        )
                    )
        await self.session.flush()
        await self.intervals.remove(doomed)
        return added

    async def _day(
        self,
        school_id: uuid.UUID,
        student_id: uuid.UUID,
        day: date,
        tz: ZoneInfo,
        klass: StudentClass,
    ) -> tuple[StudentDay, list[Any]]:
        totals = await self.intervals.totals(school_id, student_id, day)
        ctx = await norm_context(self.session, school_id, day)
        limits = limit_statuses(ctx, day, klass.subject, totals)
        summary = StudentDay(
            student_id=student_id,
            date=day,
            timezone=tz.key,
            grade=klass.grade,
            class_group_id=klass.group_id,
            total_minutes=sum(totals.values()) // 60,
            usage=[
                DeviceUsage(
                    device=device,
                    context=context,  # type: ignore[arg-type]
                    seconds=seconds,
                    minutes=seconds // 60,
                )
                for (device, context), seconds in sorted(totals.items())
            ],
            limits=limits,
        )
        return summary, limits

    # -- reads -------------------------------------------------------------------------

    async def _readable(self, student_id: uuid.UUID) -> Any:
        school_id = self.principal.school_id
        student = await self.directory.person(school_id, student_id)
        visible = await visible_students(self.session, self.principal)
        if (
            student is None
            or not student.has_role("student")
            or (visible is not None and student_id not in visible)
        ):
            raise NotFound(STUDENT_NOT_FOUND, code="student-not-found")
        return student

    async def day(self, student_id: uuid.UUID, day: date) -> StudentDayDetail:
        school_id = self.principal.school_id
        await self._readable(student_id)
        tz = await self.directory.timezone(school_id)
        klass = await student_class(self.session, school_id, student_id)
        summary, _ = await self._day(school_id, student_id, day, tz, klass)
        rows = await self.intervals.of_days(school_id, student_id, [day])
        alerts = await self.alerts.of_day(school_id, student_id, day)
        return StudentDayDetail(
            **summary.model_dump(),
            intervals=[IntervalRead.model_validate(r) for r in rows],
            alerts=[AlertRead.model_validate(a) for a in alerts],
        )

    async def list_alerts(
        self,
        params: PageParams,
        student_id: uuid.UUID | None,
        date_from: date | None,
        date_to: date | None,
    ) -> tuple[list[AlertRead], dict[str, Any] | None]:
        if date_from is not None and date_to is not None and date_from > date_to:
            raise refuse(
                "date-range-reversed",
                "Начало периода (date_from) позже его окончания (date_to)",
                "query.date_from",
            )
        students = await visible_students(self.session, self.principal)
        if student_id is not None:
            await self._readable(student_id)
            students = {student_id}
        rows, cursor = await self.alerts.page_of(
            self.principal.school_id,
            params,
            student_ids=students,
            date_from=date_from,
            date_to=date_to,
        )
        return [AlertRead.model_validate(r) for r in rows], cursor


def _lesson_span(lesson: Any, tz: ZoneInfo) -> Span:
    if lesson.starts_at_utc is not None:
        start = lesson.starts_at_utc.astimezone(UTC)
    else:
        start = datetime.combine(lesson.date, lesson.starts_at, tzinfo=tz).astimezone(UTC)
    return start, start + timedelta(minutes=int(lesson.duration_minutes))
