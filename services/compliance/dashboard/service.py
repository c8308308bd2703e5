"""The administration's dashboard of everything open (CO-8).

Each section is a count and a short list (the most urgent first):

* plan violations — the newest check (CO-2) of each plan dated today or later (one
  lesson, a class's day, a student's day, a school's week) that found violations;
  a plan checked again after a fix no longer counts;
* screen-time alerts of the last 7 days (CO-3);
* publication deadlines due soon and missed (CO-5);
* works not reviewed on the day they arrived (Reg §2.3), from learning's
  ``submission.received`` and ``review.completed`` (the review deadline is learning's:
  the end of the school day, or of the next one for a work received after it);
* students with a registered opt-out (§3.9) who have ЭО/ДОТ lessons in the next 14 days
  without an in-person or paper alternative (CO-4, LE-12; assignments are guarded by
  learning itself and are not known here);
* ЭО/ДОТ lessons of the next 30 days taught by teachers without DOT training (CO-7).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.directory import Directory
from services.compliance.dashboard.repository import DashboardRepository
from services.compliance.dashboard.schemas import (
    Dashboard,
    DeadlineItem,
    DeadlinesSection,
    OptOutGapItem,
    OptOutGapsSection,
    PlanViolationItem,
    PlanViolationsSection,
    ScreenTimeAlertItem,
    ScreenTimeAlertsSection,
    UnreviewedWorkItem,
    UnreviewedWorksSection,
    UntrainedTeachersSection,
)
from services.compliance.dot_training.service import DEFAULT_DAYS, TrainingFlagService
from services.compliance.models import directory

ALERT_DAYS = 7
OPTOUT_DAYS = 14
LATE_REVIEW_DAYS = 30


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _plan_key(kind: str, subject: dict[str, Any], checked_on: Any) -> tuple[Any, ...]:
    """What a check is about: a later check of the same plan replaces an earlier one."""
    if kind == "lesson":
        ref = subject.get("lesson_ref")
        if ref:
            return (kind, "ref", ref)
        return (kind, subject.get("class_group_id"), checked_on, subject.get("grade"))
    if kind == "class_day":
        return (kind, subject.get("class_group_id") or subject.get("grade"), checked_on)
    if kind == "student_day":
        return (kind, subject.get("student_id") or subject.get("grade"), checked_on)
    return (kind, subject.get("first_date"), subject.get("last_date"))


class DashboardService:
    def __init__(self, session: AsyncSession, school_id: uuid.UUID, limit: int) -> None:
        self.session = session
        self.school_id = school_id
        self.limit = limit
        self.repo = DashboardRepository(session)
        self.directory = Directory(session, directory)

    async def build(self) -> Dashboard:
        today = await self.directory.today(self.school_id)
        return Dashboard(
            school_id=self.school_id,
            today=today,
            generated_at=utcnow(),
            plan_violations=await self.plan_violations(today),
            screen_time_alerts=await self.screen_time_alerts(today),
            deadlines=await self.deadlines(today),
            unreviewed_works=await self.unreviewed_works(),
            optouts_without_alternative=await self.optout_gaps(today),
            untrained_teachers=await self.untrained(today),
        )

    async def plan_violations(self, today: Any) -> PlanViolationsSection:
        seen: set[tuple[Any, ...]] = set()
        open_runs = []
        for run in await self.repo.check_runs_from(self.school_id, today):
            key = _plan_key(run.kind, run.subject or {}, run.checked_on)
            if key in seen:
                continue
            seen.add(key)
            if run.status in ("blocked", "warned"):
                open_runs.append(run)
        open_runs.sort(key=lambda r: (r.status != "blocked", r.checked_on, str(r.id)))
        return PlanViolationsSection(
            count=len(open_runs),
            violations=sum(r.violation_count for r in open_runs),
            items=[
                PlanViolationItem(
                    check_id=r.id,
                    kind=r.kind,
                    checked_on=r.checked_on,
                    status=r.status,
                    violation_count=r.violation_count,
                    class_group_id=_uuid((r.subject or {}).get("class_group_id")),
                    student_id=_uuid((r.subject or {}).get("student_id")),
                    lesson_ref=(r.subject or {}).get("lesson_ref"),
                    created_at=r.created_at,
                )
                for r in open_runs[: self.limit]
            ],
        )

    async def screen_time_alerts(self, today: Any) -> ScreenTimeAlertsSection:
        alerts = await self.repo.alerts_since(
            self.school_id, today - timedelta(days=ALERT_DAYS - 1)
        )
        shown = alerts[: self.limit]
        people = await self.directory.people(self.school_id, {a.student_id for a in shown})
        return ScreenTimeAlertsSection(
            count=len(alerts),
            over_limit=sum(1 for a in alerts if a.threshold >= 100),
            students=len({a.student_id for a in alerts}),
            items=[
                ScreenTimeAlertItem(
                    id=a.id,
                    student_id=a.student_id,
                    student_name=(
                        people[a.student_id].full_name if a.student_id in people else None
                    ),
                    day=a.day,
                    device=a.device,
                    measure=a.measure,
                    threshold=a.threshold,
                    used_minutes=a.used_minutes,
                    limit_minutes=a.limit_minutes,
                    clause=a.clause,
                )
                for a in shown
            ],
        )

    async def deadlines(self, today: Any) -> DeadlinesSection:
        notices = await self.repo.open_notices(self.school_id, today)
        late = [n for n in notices if n.deadline < today]
        soon = [n for n in notices if n.deadline >= today]
        return DeadlinesSection(
            due_soon=len(soon),
            late=len(late),
            count=len(notices),
            items=[
                DeadlineItem(
                    notice_id=n.id,
                    kind=n.kind,
                    title=n.title,
                    deadline=n.deadline,
                    state="late" if n.deadline < today else "due_soon",
                )
                for n in (late + soon)[: self.limit]
            ],
        )

    async def unreviewed_works(self) -> UnreviewedWorksSection:
        now = utcnow()
        works = await self.repo.overdue_works(self.school_id, now)
        late = await self.repo.reviewed_late_since(
            self.school_id, now - timedelta(days=LATE_REVIEW_DAYS)
        )
        shown = works[: self.limit]
        courses = await self.repo.courses(self.school_id, {w.course_id for w in shown})
        people = await self.directory.people(self.school_id, {w.student_id for w in shown})
        items = []
        for w in shown:
            course = courses.get(w.course_id)
            person = people.get(w.student_id)
            items.append(
                UnreviewedWorkItem(
                    submission_id=w.submission_id,
                    assignment_id=w.assignment_id,
                    course_id=w.course_id,
                    subject=course.subject if course is not None else None,
                    teacher_ids=[uuid.UUID(t) for t in course.teacher_ids or []]
                    if course is not None
                    else [],
                    student_id=w.student_id,
                    student_name=person.full_name if person is not None else None,
                    received_at=w.received_at,
                    review_due_at=w.review_due_at,
                )
            )
        return UnreviewedWorksSection(count=len(works), reviewed_late_30_days=late, items=items)

    async def optout_gaps(self, today: Any) -> OptOutGapsSection:
        optouts = await self.repo.optouts_in_force(self.school_id, today)
        rows = await self.repo.distance_lessons_of_classes(
            self.school_id,
            {o.class_group_id for o in optouts},
            today,
            today + timedelta(days=OPTOUT_DAYS - 1),
        )
        by_class: dict[uuid.UUID, list[tuple[Any, Any]]] = defaultdict(list)
        for lesson, course in rows:
            by_class[course.class_group_id].append((lesson, course))
        gaps: list[tuple[Any, list[Any]]] = []
        for optout in optouts:
            student = str(optout.student_id)
            named = set(optout.course_ids) if optout.course_ids else None
            lessons = [
                lesson
                for lesson, course in by_class.get(optout.class_group_id, [])
                if (course.student_ids is None or student in course.student_ids)
                and (named is None or str(course.id) in named)
            ]
            if lessons:
                gaps.append((optout, lessons))
        gaps.sort(key=lambda g: (g[1][0].date, str(g[0].student_id)))
        shown = gaps[: self.limit]
        people = await self.directory.people(self.school_id, {o.student_id for o, _ in shown})
        return OptOutGapsSection(
            count=len(gaps),
            lessons=sum(len(lessons) for _, lessons in gaps),
            items=[
                OptOutGapItem(
                    optout_id=o.id,
                    student_id=o.student_id,
                    student_name=(
                        people[o.student_id].full_name if o.student_id in people else None
                    ),
                    class_group_id=o.class_group_id,
                    lessons=len(lessons),
                    first_date=lessons[0].date,
                    first_lesson_id=lessons[0].id,
                )
                for o, lessons in shown
            ],
        )

    async def untrained(self, today: Any) -> UntrainedTeachersSection:
        flags = await TrainingFlagService(self.session, self.school_id).flags(
            today, today + timedelta(days=DEFAULT_DAYS)
        )
        return UntrainedTeachersSection(
            count=len({f.lesson_id for f in flags}),
            teachers=len({f.teacher_id for f in flags}),
            items=flags[: self.limit],
        )
