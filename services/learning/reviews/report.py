"""The same-day review report (LE-7, Reg §2.3, X-1).

Reg §2.3: a teacher checks works on the day they are received. For a school-local
date D the report takes the works whose latest version was received on D (by the
school's clock, not UTC) and tells, per teacher of the course, which were not
reviewed by the end of the school day (``school_day_ends_at`` of the school settings):

* a work received before the school day ends must be reviewed by the end of that
  same day;
* a work received after the school day ended cannot be checked "that day": it must be
  reviewed by the end of the school day of the next calendar day;
* a work reviewed after its deadline stays in the report (``reviewed_late``); one still
  without a review after its deadline is ``unreviewed``; one whose deadline has not
  come yet is ``pending``; works reviewed in time are left out.

A work belongs to every teacher of its course. A teacher sees their own line; admins
and staff see the school, one line per teacher, or one teacher's with ``teacher_id``.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Forbidden, NotFound
from services.learning.access import Access
from services.learning.assignments.times import Clock, at_local, day_bounds, local
from services.learning.models import Assignment, Review, Submission
from services.learning.reviews.repository import ReviewRepository
from services.learning.reviews.schemas import (
    TeacherUnreviewed,
    UnreviewedReport,
    UnreviewedWork,
    WorkState,
)
from services.learning.school_settings.service import school_settings


def review_deadline(received_at: datetime, ends_at: time, tz: ZoneInfo) -> datetime:
    """The end of the school day by which a work received at ``received_at`` is checked."""
    arrived = local(received_at, tz)
    day_end = at_local(arrived.date(), ends_at, tz)
    if received_at < day_end:
        return day_end
    return at_local(arrived.date() + timedelta(days=1), ends_at, tz)


def work_state(reviewed_at: datetime | None, due: datetime, now: datetime) -> WorkState | None:
    """Where a work stands against its review deadline (None: reviewed in time)."""
    if reviewed_at is not None:
        return "reviewed_late" if reviewed_at > due else None
    return "unreviewed" if now >= due else "pending"


class UnreviewedReportService:
    def __init__(self, session: AsyncSession, access: Access, clock: Clock) -> None:
        self.session = session
        self.access = access
        self.clock = clock
        self.repo = ReviewRepository(session)

    async def report(self, day: date | None, teacher_id: uuid.UUID | None) -> UnreviewedReport:
        access = self.access
        principal = access.principal
        if not access.is_staff:
            if not access.is_teacher:
                raise Forbidden(
                    "Отчёт о проверке работ доступен педагогам и администрации",
                    code="report-forbidden",
                )
            if teacher_id is not None and teacher_id != principal.user_id:
                raise Forbidden(
                    "Педагог видит только свои работы на проверке", code="report-forbidden"
                )
            teacher_id = principal.user_id
        elif teacher_id is not None:
            teacher = await access.directory.person(access.school_id, teacher_id)
            if teacher is None or not teacher.has_role("teacher"):
                raise NotFound("Педагог не найден", code="teacher-not-found")
        school_id = access.school_id
        tz = await access.directory.timezone(school_id)
        now = self.clock()
        day = day or local(now, tz).date()
        ends_at = (await school_settings(self.session, school_id)).school_day_ends_at
        start, end = day_bounds(day, tz)
        rows = await self.repo.arrivals(school_id, start, end, teacher_id=teacher_id)

        lines: dict[uuid.UUID, list[UnreviewedWork]] = {}
        if teacher_id is not None:
            lines[teacher_id] = []
        people_ids: set[uuid.UUID] = set(lines)
        for submission, assignment, review in rows:
            due = review_deadline(submission.received_at, ends_at, tz)
            state = work_state(review.reviewed_at if review else None, due, now)
            if state is None:
                continue
            work = _work(submission, assignment, review, due, state, tz)
            teachers = assignment.course.teacher_ids
            for tid in teachers if teacher_id is None else [teacher_id]:
                lines.setdefault(tid, []).append(work)
                people_ids.add(tid)
            people_ids.add(submission.student_id)
        people = await access.directory.people(school_id, people_ids)
        teachers_out = []
        for tid, works in lines.items():
            for w in works:
                person = people.get(w.student_id)
                w.student_name = person.full_name if person is not None else None
            teacher = people.get(tid)
            teachers_out.append(
                TeacherUnreviewed(
                    teacher_id=tid,
                    teacher_name=teacher.full_name if teacher is not None else None,
                    **_counts(works),
                    works=works,
                )
            )
        teachers_out.sort(key=lambda t: (t.teacher_name or "", str(t.teacher_id)))
        unique = {w.submission_id: w for t in teachers_out for w in t.works}
        return UnreviewedReport(
            date=day,
            timezone=tz.key,
            school_day_ends_at=ends_at.strftime("%H:%M"),
            generated_at=now,
            **_counts(list(unique.values())),
            teachers=teachers_out,
        )


def _counts(works: list[UnreviewedWork]) -> dict[str, int]:
    unreviewed = sum(1 for w in works if w.state == "unreviewed")
    late = sum(1 for w in works if w.state == "reviewed_late")
    return {
        "overdue": unreviewed + late,
        "unreviewed": unreviewed,
        "pending": sum(1 for w in works if w.state == "pending"),
    }


def _work(
    submission: Submission,
    assignment: Assignment,
    review: Review | None,
    due: datetime,
    state: WorkState,
    tz: ZoneInfo,
) -> UnreviewedWork:
    return UnreviewedWork(
        submission_id=submission.id,
        assignment_id=assignment.id,
        assignment_title=assignment.title,
        course_id=assignment.course_id,
        subject=assignment.course.subject,
        student_id=submission.student_id,
        student_name=None,
        version=submission.version,
        channel=submission.channel,
        received_at=submission.received_at,
        received_local=local(submission.received_at, tz),
        review_due_at=due,
        review_due_local=local(due, tz),
        reviewed_at=review.reviewed_at if review is not None else None,
        state=state,
    )
