"""``GET /api/v1/gateway/today``: a person's day in one request (GW-4).

For a student their own day, for a guardian one block per linked child, for a teacher
their lessons, the works waiting for review (Reg §2.3) and the screen-device norm
warnings on their lesson plans. The gateway owns no data: it asks the services, in
parallel, with the caller's own token — so nothing beyond the caller's rights can be
returned — and within one time budget (``GATEWAY_COMPOSE_BUDGET_SECONDS``). A service
that is down, failing or slow costs only its own part of the view, which is marked
``unavailable`` with a Russian reason, and the view says ``partial: true``; the answer
is still 200, never a 500 and never later than the budget.

The day is the school's day in the school's time zone (X-1): the zone comes from
identity's ``/me`` (remembered per school, so the view still knows the day when
identity is down; before it was ever seen, ``GATEWAY_TODAY_FALLBACK_TIMEZONE``).

Two rounds of calls: identity first (``/me``, and a guardian's ``/me/children``), then
everything else at once; a teacher's plan checks follow their timetable. Each call is
bounded by what is left of the budget.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import aiohttp
from pydantic import ValidationError
from starlette.types import Scope, Send

from gateway.compose import Composer, Fetched
from gateway.metrics import GatewayMetrics
from gateway.responses import Headers, send_json
from gateway.settings import Settings
from gateway.today_schemas import (
    TodayAssignment,
    TodayAssignmentsSection,
    TodayComplianceSection,
    TodayGuardianBlock,
    TodayLesson,
    TodayLessonsSection,
    TodayMark,
    TodayMarksSection,
    TodayPerson,
    TodayPlanViolation,
    TodayPlanWarning,
    TodayReviewsSection,
    TodayScreenLimit,
    TodayScreenTimeSection,
    TodayScreenUsage,
    TodaySection,
    TodayStudentBlock,
    TodayStudentSections,
    TodayTeacherBlock,
    TodayTeacherSections,
    TodayView,
    TodayWorkToReview,
)
from services.common.auth import Principal
from services.common.errors import BadRequest, FieldError, Forbidden, ProblemError

__all__ = ["PATH", "TodayHandler"]

PATH = "today"  # under /api/v1/gateway/
VIEW_ROLES = frozenset({"student", "guardian", "teacher"})
MAX_CHILDREN = 20
_MAX_PARAM = 64
_SKEW = timedelta(minutes=5)  # a client clock slightly ahead is not "the future"

LEARNING = "/api/v1/learning"
JOURNAL = "/api/v1/journal"
IDENTITY = "/api/v1/identity"
COMPLIANCE = "/api/v1/compliance"
SCREEN_TIME = COMPLIANCE + "/screen-time"


def _invalid(field: str, message: str, code: str) -> ProblemError:
    return ProblemError(
        f"Проверьте параметр {field}: {message}",
        status=422,
        code="validation-error",
        title="Ошибка проверки данных",
        errors=[FieldError(field=f"query.{field}", message=message, code=code)],
    )


def _single(query: Mapping[str, list[str]], name: str) -> str | None:
    values = query.get(name)
    if not values:
        return None
    if len(values) > 1:
        raise _invalid(name, "параметр указан несколько раз", "multiple_values")
    value = values[0]
    if not value or len(value) > _MAX_PARAM:
        raise _invalid(name, "пустое или слишком длинное значение", "value_error")
    return value


def parse_day(raw: str | None) -> date | None:
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise _invalid("date", "дата в формате ГГГГ-ММ-ДД", "date_parsing") from None


def parse_since(raw: str | None) -> date | datetime | None:
    """A date (its start at the school) or a date-time (naive: the school's time)."""
    if raw is None:
        return None
    try:
        if len(raw) == 10:
            return date.fromisoformat(raw)
        if len(raw) < 16 or raw[10] not in "Tt ":
            raise ValueError(raw)
        return datetime.fromisoformat(raw)
    except ValueError:
        raise _invalid(
            "since",
            "дата ГГГГ-ММ-ДД или дата и время ISO 8601 (например, 2026-11-25T08:00:00+04:00)",
            "datetime_parsing",
        ) from None


def _zone(name: str | None) -> ZoneInfo | None:
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _section_status(fetched: Fetched) -> dict[str, Any]:
    return {"status": fetched.outcome, "service": fetched.service, "detail": fetched.detail}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _person(data: Mapping[str, Any], person_id: uuid.UUID) -> TodayPerson:
    return TodayPerson(
        id=person_id,
        last_name=_text(data.get("last_name")),
        first_name=_text(data.get("first_name")),
        middle_name=_text(data.get("middle_name")),
    )


def _items(fetched: Fetched, key: str = "items") -> list[dict[str, Any]]:
    if not fetched.ok or not isinstance(fetched.data, dict):
        return []
    items = fetched.data.get(key)
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _teacher_name(lesson: Mapping[str, Any]) -> str | None:
    teacher = lesson.get("teacher")
    if not isinstance(teacher, dict):
        return None
    names = [teacher.get(k) for k in ("last_name", "first_name", "middle_name")]
    full = " ".join(str(n) for n in names if n)
    return full or (str(teacher["name"]) if teacher.get("name") else None)


def _lesson(item: Mapping[str, Any]) -> TodayLesson:
    course = item.get("course") or {}
    topic = item.get("topic") or {}
    return TodayLesson(
        id=item["id"],
        course_id=course["id"],
        subject=course.get("subject") or "",
        class_name=course.get("class_name"),
        date=item["date"],
        starts_at=item["starts_at"],
        duration_minutes=item["duration_minutes"],
        lesson_number=item.get("lesson_number"),
        status=item.get("status") or "scheduled",
        cancel_reason=item.get("cancel_reason"),
        topic=topic.get("title") if isinstance(topic, dict) else None,
        organisational_form=item.get("organisational_form") or "lesson",
        delivery_form=item.get("delivery_form") or "in_person",
        support_mode=item.get("support_mode"),
        room=item.get("room"),
        video_room_url=item.get("video_room_url"),
        alternative=item.get("alternative"),
        homework=item.get("homework"),
        screen_minutes=int(item.get("screen_minutes") or 0),
        teacher=_teacher_name(item),
    )


def _lessons_section(fetched: Fetched) -> tuple[TodayLessonsSection, list[dict[str, Any]]]:
    raw = _items(fetched, "lessons")
    try:
        lessons = [_lesson(i) for i in raw]
    except (KeyError, TypeError, ValidationError):
        return TodayLessonsSection(**_malformed("learning")), []
    lessons.sort(key=lambda ls: (ls.starts_at, ls.subject))
    return TodayLessonsSection(**_section_status(fetched), items=lessons), raw


def _malformed(service: str) -> dict[str, Any]:
    return {
        "status": "unavailable",
        "service": service,
        "detail": f"Сервис {service} ответил в неожиданном формате",
    }


class TodayHandler:
    """Builds the view; one instance per gateway (it remembers schools' time zones)."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstreams: Mapping[str, str],
        metrics: GatewayMetrics,
        settings: Settings,
    ) -> None:
        self._session = session
        self._upstreams = dict(upstreams)
        self._metrics = metrics
        self._settings = settings
        self._zones: dict[uuid.UUID, str] = {}

    async def __call__(
        self, scope: Scope, send: Send, extra: Headers, principal: Principal, token: str, rid: str
    ) -> int:
        query = parse_qs(
            bytes(scope.get("query_string", b"")).decode("utf-8", "replace"),
            keep_blank_values=True,
        )
        day_param = parse_day(_single(query, "date"))
        since_param = parse_since(_single(query, "since"))
        if principal.is_service or not principal.has(*VIEW_ROLES):
            raise Forbidden(
                "Сводка «Сегодня» есть у обучающихся, родителей и педагогов",
                code="today-forbidden",
            )
        s = self._settings
        composer = Composer(
            self._session,
            self._upstreams,
            self._metrics,
            token=token,
            request_id=rid,
            budget=s.compose_budget_seconds,
            connect_timeout=s.connect_timeout,
        )
        view = await self.compose(composer, principal, day_param, since_param)
        await send_json(send, 200, view.model_dump(mode="json"), extra)
        return 200

    # -- the two rounds ---------------------------------------------------------------

    async def compose(
        self,
        c: Composer,
        principal: Principal,
        day_param: date | None,
        since_param: date | datetime | None,
    ) -> TodayView:
        guardian = principal.has("guardian")
        calls: list[Awaitable[Fetched]] = [c.get("identity", IDENTITY + "/me")]
        if guardian:
            calls.append(c.get("identity", IDENTITY + "/me/children", {"limit": MAX_CHILDREN}))
        first = await asyncio.gather(*calls)
        me = first[0]
        me_data: dict[str, Any] = me.data if me.ok and isinstance(me.data, dict) else {}

        school = me_data.get("school")
        zone = _zone(str(school.get("timezone") or "")) if isinstance(school, dict) else None
        if zone is not None:
            self._zones[principal.school_id] = zone.key
        else:
            zone = _zone(self._zones.get(principal.school_id)) or ZoneInfo(
                self._settings.today_fallback_timezone
            )
        now = datetime.now(UTC)
        today = now.astimezone(zone).date()
        day = day_param or today
        if abs((day - today).days) > 366:
            raise BadRequest(
                "Дата date должна быть не дальше года от сегодняшней", code="date-out-of-range"
            )
        since = self._since(since_param, now, zone)

        # the caller is who the token says; /me only adds the name
        user = _person(me_data, principal.user_id)
        tasks: dict[str, Awaitable[Any]] = {}
        if principal.has("student"):
            tasks["student"] = self._student(c, user, day, since)
        if guardian:
            tasks["guardian"] = self._guardian(c, first[1], day, since)
        if principal.has("teacher"):
            tasks["teacher"] = self._teacher(c, user, day)
        results = dict(zip(tasks, await asyncio.gather(*tasks.values()), strict=True))

        view = TodayView(
            date=day,
            timezone=zone.key,
            generated_at=now,
            since=since,
            partial=False,
            unavailable_services=[],
            student=results.get("student"),
            guardian=results.get("guardian"),
            teacher=results.get("teacher"),
        )
        down: set[str] = set()
        if not me.ok:
            down.add("identity")
        for section in _sections(view):
            if section.status in ("unavailable", "error"):
                down.add(section.service)
        view.partial = bool(down)
        view.unavailable_services = sorted(down)
        return view

    def _since(self, value: date | datetime | None, now: datetime, zone: ZoneInfo) -> datetime:
        s = self._settings
        if value is None:
            return now - timedelta(days=s.today_since_default_days)
        if isinstance(value, datetime):
            since = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        else:
            since = datetime.combine(value, time(0), tzinfo=zone)
        since = since.astimezone(UTC)
        if since > now + _SKEW:
            raise BadRequest("Момент since ещё не наступил", code="since-in-future")
        if since < now - timedelta(days=s.today_since_max_days):
            raise BadRequest(
                f"Момент since не может быть раньше чем {s.today_since_max_days} дней назад",
                code="since-too-old",
            )
        return since

    # -- a student's day (their own, or a guardian's child's) ---------------------------

    async def _student(
        self, c: Composer, person: TodayPerson, day: date, since: datetime
    ) -> TodayStudentBlock:
        sid = str(person.id)
        due_to = day + timedelta(days=self._settings.today_due_days - 1)
        timetable, assignments, courses, marks, screen = await asyncio.gather(
            c.get(
                "learning",
                LEARNING + "/timetable",
                {"from": day.isoformat(), "to": day.isoformat(), "student_id": sid},
            ),
            c.get(
                "learning",
                LEARNING + "/assignments",
                {
                    "student_id": sid,
                    "status": "published",
                    "due_from": day.isoformat(),
                    "due_to": due_to.isoformat(),
                    "limit": 100,
                },
            ),
            c.get("learning", LEARNING + "/courses", {"student_id": sid, "limit": 200}),
            c.get(
                "journal",
                JOURNAL + "/marks",
                {"student_id": sid, "changed_since": since.isoformat()},
            ),
            self._screen_time(c, sid, day),
        )
        lessons, _ = _lessons_section(timetable)
        subjects = {str(i.get("id")): str(i.get("subject")) for i in _items(courses)}
        return TodayStudentBlock(
            student=person,
            sections=TodayStudentSections(
                lessons=lessons,
                assignments=_assignments_section(assignments, day, due_to),
                marks=_marks_section(marks, since, subjects),
                screen_time=screen,
            ),
        )

    async def _screen_time(self, c: Composer, sid: str, day: date) -> TodayScreenTimeSection:
        fetched = await c.get("compliance", f"{SCREEN_TIME}/students/{sid}/days/{day.isoformat()}")
        if not fetched.ok or not isinstance(fetched.data, dict):
            return TodayScreenTimeSection(**_section_status(fetched))
        data = fetched.data
        try:
            limits = [
                TodayScreenLimit(
                    measure=str(lim["measure"]),
                    device=str(lim["device"]),
                    used_minutes=int(lim["used_minutes"]),
                    limit_minutes=int(lim["limit_minutes"]),
                    left_minutes=max(0, int(lim["limit_minutes"]) - int(lim["used_minutes"])),
                    percent=int(lim.get("percent") or 0),
                    clause=str(lim.get("clause") or ""),
                )
                for lim in data.get("limits") or []
            ]
            usage = [
                TodayScreenUsage(
                    device=str(u["device"]), context=str(u["context"]), minutes=int(u["minutes"])
                )
                for u in data.get("usage") or []
            ]
            used = int(data["total_minutes"])
        except (KeyError, TypeError, ValueError, ValidationError):
            return TodayScreenTimeSection(**_malformed("compliance"))
        return TodayScreenTimeSection(
            status="ok",
            service="compliance",
            used_minutes=used,
            left_minutes=min((lim.left_minutes for lim in limits), default=None),
            usage=usage,
            limits=limits,
        )

    async def _guardian(
        self, c: Composer, children: Fetched, day: date, since: datetime
    ) -> TodayGuardianBlock:
        if not children.ok:
            return TodayGuardianBlock(**_section_status(children))
        people = []
        try:
            for link in _items(children):
                child = link.get("child")
                if isinstance(child, dict) and child.get("id"):
                    people.append(_person(child, uuid.UUID(str(child["id"]))))
        except ValueError:
            return TodayGuardianBlock(**_malformed("identity"))
        blocks = await asyncio.gather(*(self._student(c, p, day, since) for p in people))
        return TodayGuardianBlock(status="ok", service="identity", children=list(blocks))

    # -- a teacher's day ---------------------------------------------------------------

    async def _teacher(self, c: Composer, person: TodayPerson, day: date) -> TodayTeacherBlock:
        tid = str(person.id)
        timetable_task = asyncio.ensure_future(
            c.get(
                "learning",
                LEARNING + "/timetable",
                {"from": day.isoformat(), "to": day.isoformat(), "teacher_id": tid},
            )
        )
        report = LEARNING + "/reports/unreviewed"
        lessons_and_checks, today_report, yesterday_report = await asyncio.gather(
            self._lessons_and_checks(c, timetable_task, day),
            c.get("learning", report, {"date": day.isoformat(), "teacher_id": tid}),
            c.get(
                "learning",
                report,
                {"date": (day - timedelta(days=1)).isoformat(), "teacher_id": tid},
            ),
        )
        lessons, compliance = lessons_and_checks
        return TodayTeacherBlock(
            teacher=person,
            sections=TodayTeacherSections(
                lessons=lessons,
                reviews=_reviews_section(today_report, yesterday_report),
                compliance=compliance,
            ),
        )

    async def _lessons_and_checks(
        self, c: Composer, timetable: Awaitable[Fetched], day: date
    ) -> tuple[TodayLessonsSection, TodayComplianceSection]:
        """The teacher's lessons and the norm warnings on them.

        Learning keeps the outcome of the check made before a lesson was published
        (``compliance`` of the lesson, Reg §2.5): warnings are taken from there. A lesson
        that uses screen devices or is a distance lesson and was not checked (compliance
        was unreachable then, or learning does not say) is checked now.
        """
        fetched = await timetable
        lessons, raw = _lessons_section(fetched)
        if lessons.status != "ok":
            return lessons, TodayComplianceSection(
                status="unavailable",
                service="compliance",
                detail="Нет расписания на день: " + (lessons.detail or "сервис learning"),
            )
        warnings: list[TodayPlanWarning] = []
        checked = 0
        to_check: list[dict[str, Any]] = []
        for item in raw:
            if item.get("status") != "scheduled":
                continue
            stored = item.get("compliance")
            state = stored.get("status") if isinstance(stored, dict) else None
            if state in ("checked_ok", "warnings"):
                checked += 1
                if state == "warnings" and isinstance(stored, dict):
                    warnings.append(_warning(item, stored, "warnings"))
            elif state != "not_required" and (
                item.get("devices") or item.get("delivery_form") == "distance"
            ):
                to_check.append(item)
        checks = await asyncio.gather(
            *(
                c.post("compliance", COMPLIANCE + "/norms/checks/lesson", _check_body(i, day))
                for i in to_check
            )
        )
        failed: Fetched | None = None
        for item, check in zip(to_check, checks, strict=True):
            if not check.ok or not isinstance(check.data, dict):
                failed = failed or check
                warnings.append(_warning(item, {"violations": []}, "not_checked"))
                continue
            checked += 1
            if check.data.get("violations"):
                warnings.append(_warning(item, check.data, str(check.data.get("status") or "")))
        warnings.sort(key=lambda w: (w.starts_at, w.subject))
        status = _section_status(failed) if failed else {"status": "ok", "service": "compliance"}
        return lessons, TodayComplianceSection(**status, checked_lessons=checked, items=warnings)


def _warning(lesson: Mapping[str, Any], check: Mapping[str, Any], status: str) -> TodayPlanWarning:
    course = lesson.get("course") or {}
    violations = [v for v in check.get("violations") or [] if isinstance(v, dict)]
    return TodayPlanWarning(
        lesson_id=lesson["id"],
        subject=course.get("subject") or "",
        class_name=course.get("class_name"),
        starts_at=lesson.get("starts_at") or "",
        check_id=check.get("check_id"),
        status=status,
        blocking=bool(check.get("blocking")),
        violations=[
            TodayPlanViolation(
                message=str(v.get("message") or ""),
                clause=str(v.get("clause") or ""),
                set_code=str(v.get("set_code") or ""),
                severity=str(v.get("severity") or ""),
                device=v.get("device"),
                limit=int(v.get("limit") or 0),
                actual=int(v.get("actual") or 0),
            )
            for v in violations
        ],
    )


def _check_body(lesson: Mapping[str, Any], day: date) -> dict[str, Any]:
    course = lesson.get("course") or {}
    body: dict[str, Any] = {
        "ref": str(lesson["id"]),
        "class_group_id": course.get("class_group_id"),
        "date": day.isoformat(),
        "starts_at": lesson.get("starts_at"),
        "duration_minutes": lesson.get("duration_minutes"),
        "delivery_form": lesson.get("delivery_form"),
        "segments": [
            {"device": d.get("device"), "minutes": d.get("minutes"), "kind": d.get("kind")}
            for d in lesson.get("devices") or []
            if isinstance(d, dict)
        ],
    }
    if lesson.get("lesson_number") is not None:
        body["lesson_number"] = lesson["lesson_number"]
    return body


def _assignments_section(fetched: Fetched, due_from: date, due_to: date) -> TodayAssignmentsSection:
    out = []
    try:
        for a in _items(fetched):
            work = a.get("work") or {}
            out.append(
                TodayAssignment(
                    id=a["id"],
                    course_id=a["course_id"],
                    subject=a.get("subject") or "",
                    title=a.get("title") or "",
                    lesson_id=a.get("lesson_id"),
                    due_at=a["due_at"],
                    due_local=a["due_local"],
                    delivery_form=a.get("delivery_form") or "",
                    alternative=a.get("alternative"),
                    expected_screen_minutes=sum(
                        int(u.get("minutes") or 0)
                        for u in a.get("expected_screen_minutes") or []
                        if isinstance(u, dict)
                    ),
                    submitted=bool(work.get("submission_id")),
                    late=work.get("late"),
                    review_status=work.get("review_status"),
                )
            )
    except (KeyError, TypeError, ValueError, ValidationError):
        return TodayAssignmentsSection(**_malformed("learning"))
    out.sort(key=lambda a: (a.due_at, a.subject))
    return TodayAssignmentsSection(
        **_section_status(fetched), due_from=due_from, due_to=due_to, items=out
    )


def _marks_section(
    fetched: Fetched, since: datetime, subjects: Mapping[str, str]
) -> TodayMarksSection:
    out = []
    try:
        for m in _items(fetched):
            out.append(
                TodayMark(
                    id=m["id"],
                    course_id=m["course_id"],
                    subject=subjects.get(str(m["course_id"])),
                    lesson_id=m.get("lesson_id"),
                    value=m["value"],
                    control_type=m.get("control_type") or "",
                    weight=float(m.get("weight") or 1),
                    date=m["date"],
                    comment=m.get("comment"),
                    source=m.get("source") or "",
                    created_at=m["created_at"],
                    updated_at=m["updated_at"],
                )
            )
    except (KeyError, TypeError, ValueError, ValidationError):
        return TodayMarksSection(**_malformed("journal"))
    out.sort(key=lambda m: m.updated_at, reverse=True)
    return TodayMarksSection(**_section_status(fetched), since=since, items=out)


def _reviews_section(today: Fetched, yesterday: Fetched) -> TodayReviewsSection:
    for fetched in (today, yesterday):
        if not fetched.ok:
            return TodayReviewsSection(**_section_status(fetched))
    works: dict[str, TodayWorkToReview] = {}
    try:
        for fetched in (yesterday, today):
            for line in _items(fetched, "teachers"):
                for w in line.get("works") or []:
                    if not isinstance(w, dict) or w.get("reviewed_at") is not None:
                        continue
                    works[str(w["submission_id"])] = TodayWorkToReview(
                        submission_id=w["submission_id"],
                        assignment_id=w["assignment_id"],
                        assignment_title=w.get("assignment_title") or "",
                        course_id=w["course_id"],
                        subject=w.get("subject") or "",
                        student_id=w["student_id"],
                        student_name=w.get("student_name"),
                        received_at=w["received_at"],
                        received_local=w["received_local"],
                        review_due_at=w["review_due_at"],
                        review_due_local=w["review_due_local"],
                        state=w.get("state") or "",
                    )
    except (KeyError, TypeError, ValueError, ValidationError):
        return TodayReviewsSection(**_malformed("learning"))
    items = sorted(works.values(), key=lambda w: (w.review_due_at, w.received_at))
    return TodayReviewsSection(status="ok", service="learning", items=items)


def _sections(view: TodayView) -> list[TodaySection]:
    out: list[TodaySection] = []
    students = [view.student] if view.student else []
    if view.guardian is not None:
        out.append(view.guardian)
        students += view.guardian.children
    for block in students:
        s = block.sections
        out += [s.lessons, s.assignments, s.marks, s.screen_time]
    if view.teacher is not None:
        t = view.teacher.sections
        out += [t.lessons, t.reviews, t.compliance]
    return out
