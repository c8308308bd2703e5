"""Calendar feeds: the timetable and deadlines as iCalendar at a secret URL (GW-5, LE-3).

Calendar apps cannot send a bearer token, so a feed is addressed by an unguessable
token in its URL (256 random bits); only the token's SHA-256 is stored, the token is
shown once. A feed is revocable: a revoked or unknown token answers 404.

Who may create a feed:

* ``student`` — the student themselves, a guardian for a linked child, an admin;
* ``teacher`` — the teacher themselves, an admin;
* ``class`` — a teacher or an admin.

Each fetch reads as the owner would (the same rules as ``GET /timetable``), so a feed
stops working when its owner loses the right to see it (a guardianship removed, an
account deactivated). The window is from two weeks back to two months ahead.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from services.common.auth import Principal
from services.common.db import utcnow
from services.common.directory import Directory
from services.common.errors import BusinessRuleError, Forbidden, NotFound
from services.learning.access import Access
from services.learning.calendar_feeds import ics
from services.learning.calendar_feeds.repository import CalendarFeedRepository
from services.learning.calendar_feeds.schemas import (
    CalendarFeedCreate,
    CalendarFeedCreated,
    CalendarFeedRead,
)
from services.learning.models import CalendarFeed, Course, directory
from services.learning.timetable.reading import TimetableReader
from services.learning.timetable.schemas import LessonRead

DAYS_BACK = 14
DAYS_AHEAD = 60
DELIVERY_LABELS = {
    "in_person": "очно",
    "e_learning": "электронное обучение",
    "distance": "дистанционно (ДОТ)",
}


def feed_not_found() -> NotFound:
    return NotFound("Лента календаря не найдена или отозвана", code="calendar-feed-not-found")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def feed_read(feed: CalendarFeed) -> CalendarFeedRead:
    return CalendarFeedRead(
        id=feed.id,
        kind=feed.kind,  # type: ignore[arg-type]
        target_id=feed.target_id,
        title=feed.title,
        owner_id=feed.owner_id,
        created_at=feed.created_at,
        revoked_at=feed.revoked_at,
        last_used_at=feed.last_used_at,
    )


class CalendarFeedService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id
        self.feeds = CalendarFeedRepository(access.session)

    async def _target(self, body: CalendarFeedCreate) -> tuple[uuid.UUID, str]:
        p = self.access.principal
        directory = self.access.directory
        if body.kind == "student":
            if not p.has("student", "guardian", "admin"):
                raise Forbidden("Ленту обучающегося создают он сам, его родитель или администратор")
            target = body.target_id or p.user_id
            allowed = (
                p.has("admin")
                or (p.has("student") and target == p.user_id)
                or (
                    p.has("guardian")
                    and target in await directory.children_of(self.school_id, p.user_id)
                )
            )
            person = await directory.person(self.school_id, target)
            if not allowed or person is None or not person.has_role("student"):
                raise NotFound("Обучающийся не найден", code="student-not-found")
            return target, f"Расписание и сроки: {person.full_name}"
        if not p.has("teacher", "admin"):
            raise Forbidden("Ленту педагога или класса создают педагог или администратор")
        if body.kind == "teacher":
            target = body.target_id or p.user_id
            person = await directory.person(self.school_id, target)
            if (
                (not p.has("admin") and target != p.user_id)
                or person is None
                or not person.has_role("teacher")
            ):
                raise NotFound("Педагог не найден", code="teacher-not-found")
            return target, f"Расписание педагога: {person.full_name}"
        if body.target_id is None:
            raise BusinessRuleError("Укажите класс (target_id)", code="target-required")
        group = await directory.class_group(self.school_id, body.target_id)
        if group is None:
            raise NotFound("Класс не найден", code="class-group-not-found")
        return group.id, f"Расписание класса {group.name}"

    async def create(self, body: CalendarFeedCreate, base_url: str) -> CalendarFeedCreated:
        target, title = await self._target(body)
        token = secrets.token_urlsafe(32)
        feed = CalendarFeed(
            id=uuid.uuid4(),
            school_id=self.school_id,
            owner_id=self.access.principal.user_id,
            kind=body.kind,
            target_id=target,
            title=title,
            token_hash=token_hash(token),
        )
        self.session.add(feed)
        await self.session.flush()
        path = f"/api/v1/learning/ical/{token}.ics"
        return CalendarFeedCreated(
            **feed_read(feed).model_dump(),
            token=token,
            path=path,
            url=base_url.rstrip("/") + path,
        )

    async def list(self) -> list[CalendarFeedRead]:
        owner = None if self.access.is_admin else self.access.principal.user_id
        return [feed_read(f) for f in await self.feeds.of_school(self.school_id, owner)]

    async def revoke(self, feed_id: uuid.UUID) -> None:
        feed = await self.feeds.get(feed_id, school_id=self.school_id)
        if feed is None or (
            feed.owner_id != self.access.principal.user_id and not self.access.is_admin
        ):
            raise feed_not_found()
        if feed.revoked_at is None:
            feed.revoked_at = utcnow()
            await self.session.flush()


# -- rendering a feed (public, by token) ---------------------------------------------------


def owner_principal(owner: Any, school_id: uuid.UUID) -> Principal:
    """The owner as a caller: the roles the directory knows now, not those of the day
    the feed was made."""
    return Principal(
        user_id=owner.id,
        school_id=school_id,
        roles=frozenset(owner.roles or []),
        token_id="calendar-feed",
        session_id=None,
        issued_at=0,
        expires_at=0,
        claims={},
    )


def lesson_event(ls: LessonRead) -> ics.Event:
    course = ls.course
    title = course.subject + (f" ({course.class_name})" if course.class_name else "")
    if ls.delivery_form != "in_person":
        title += f" — {DELIVERY_LABELS.get(ls.delivery_form, ls.delivery_form)}"
    details = [f"Форма: {DELIVERY_LABELS.get(ls.delivery_form, ls.delivery_form)}"]
    if ls.topic:
        details.append(f"Тема: {ls.topic.title}")
    if ls.teacher:
        details.append(f"Педагог: {ls.teacher.name}")
    if ls.video_room_url:
        details.append(f"Видеокомната: {ls.video_room_url}")
    if ls.homework:
        details.append(f"Домашнее задание: {ls.homework}")
    if ls.status == "cancelled":
        details.append(f"Урок отменён: {ls.cancel_reason or ''}".strip())
    starts = ls.starts_at_utc.astimezone(UTC)
    return ics.Event(
        uid=f"lesson-{ls.id}@eo-platform",
        starts=starts,
        ends=starts + timedelta(minutes=ls.duration_minutes),
        summary=title,
        description="\n".join(details),
        url=ls.video_room_url,
        location=ls.room,
        status="CANCELLED" if ls.status == "cancelled" else "CONFIRMED",
        sequence=ls.version,
        categories="Урок",
    )


class CalendarRenderer:
    def __init__(self, session: Any, max_days: int) -> None:
        self.session = session
        self.max_days = max_days
        self.feeds = CalendarFeedRepository(session)

    async def render(self, token: str) -> bytes:
        feed = await self.feeds.by_token_hash(token_hash(token))
        if feed is None or feed.revoked_at is not None:
            raise feed_not_found()
        owner = await Directory(self.session, directory).person(feed.school_id, feed.owner_id)
        if owner is None or not owner.is_active:
            raise feed_not_found()
        access = Access(self.session, owner_principal(owner, feed.school_id))
        today = await access.directory.today(feed.school_id)
        start = today - timedelta(days=DAYS_BACK)
        end = min(today + timedelta(days=DAYS_AHEAD), start + timedelta(days=self.max_days - 1))
        selectors: dict[str, uuid.UUID | None] = {
            "student_id": feed.target_id if feed.kind == "student" else None,
            "class_group_id": feed.target_id if feed.kind == "class" else None,
            "teacher_id": feed.target_id if feed.kind == "teacher" else None,
        }
        try:
            timetable = await TimetableReader(access).timetable(
                start,
                end,
                max_days=self.max_days,
                course_id=None,
                include_cancelled=True,
                **selectors,
            )
        except NotFound:
            raise feed_not_found() from None
        events = [lesson_event(ls) for ls in timetable.lessons]
        events += await self._deadlines(access, feed, start, end)
        feed.last_used_at = utcnow()
        await self.session.flush()
        return ics.calendar(feed.title, events, utcnow())

    async def _deadlines(
        self, access: Access, feed: CalendarFeed, start: Any, end: Any
    ) -> list[ics.Event]:
        tz = await access.directory.timezone(feed.school_id)
        if feed.kind == "student":
            by_student = await access.courses_of_students([feed.target_id])
            course_ids = {c.id for c in by_student.get(feed.target_id, [])}
        elif feed.kind == "teacher":
            course_ids = await access.teacher_course_ids(feed.target_id)
        else:
            course_ids = await self.feeds.class_course_ids(feed.school_id, feed.target_id)
        begin = datetime.combine(start, datetime.min.time(), tzinfo=tz)
        finish = datetime.combine(end + timedelta(days=1), datetime.min.time(), tzinfo=tz)
        assignments = await self.feeds.deadlines(
            feed.school_id,
            course_ids,
            begin,
            finish,
            feed.target_id if feed.kind == "student" else None,
        )
        courses = await self.feeds.courses(feed.school_id, {a.course_id for a in assignments})
        events = []
        for a in assignments:
            course: Course | None = courses.get(a.course_id)
            due = a.due_at.astimezone(UTC)
            events.append(
                ics.Event(
                    uid=f"assignment-{a.id}@eo-platform",
                    starts=due - timedelta(minutes=30),
                    ends=due,
                    summary=f"Срок сдачи: {a.title}"
                    + (f" ({course.subject})" if course is not None else ""),
                    description=(a.instructions or "")[:2000],
                    categories="Задание",
                )
            )
        return events
