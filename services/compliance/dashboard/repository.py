"""All SQL of the administration's dashboard (CO-8, X-7): every query scoped by school."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select

from services.compliance.models import (
    NormCheckRun,
    OptOut,
    PublicationNotice,
    ReviewWatch,
    ScreenTimeAlert,
    timetable,
)


class DashboardRepository:
    def __init__(self, session: Any) -> None:
        self.session = session

    async def check_runs_from(self, school_id: uuid.UUID, first: date) -> list[Any]:
        """Check runs of plans dated ``first`` or later, newest first (without the
        violations' bodies)."""
        r = NormCheckRun
        rows = await self.session.execute(
            select(
                r.id,
                r.kind,
                r.checked_on,
                r.status,
                r.violation_count,
                r.subject,
                r.created_at,
            )
            .where(r.school_id == school_id, r.checked_on >= first)
            .order_by(r.id.desc())
        )
        return list(rows.all())

    async def alerts_since(self, school_id: uuid.UUID, first: date) -> list[ScreenTimeAlert]:
        rows = await self.session.execute(
            select(ScreenTimeAlert)
            .where(ScreenTimeAlert.school_id == school_id, ScreenTimeAlert.day >= first)
            .order_by(
                ScreenTimeAlert.day.desc(),
                ScreenTimeAlert.threshold.desc(),
                ScreenTimeAlert.id,
            )
        )
        return list(rows.scalars())

    async def open_notices(self, school_id: uuid.UUID, today: date) -> list[PublicationNotice]:
        n = PublicationNotice
        rows = await self.session.execute(
            select(n)
            .where(n.school_id == school_id, n.published_on.is_(None), n.due_soon_from <= today)
            .order_by(n.deadline, n.id)
        )
        return list(rows.scalars())

    async def overdue_works(self, school_id: uuid.UUID, now: datetime) -> list[ReviewWatch]:
        w = ReviewWatch
        rows = await self.session.execute(
            select(w)
            .where(
                w.school_id == school_id,
                w.superseded.is_(False),
                w.reviewed_at.is_(None),
                w.review_due_at <= now,
            )
            .order_by(w.review_due_at, w.submission_id)
        )
        return list(rows.scalars())

    async def reviewed_late_since(self, school_id: uuid.UUID, since: datetime) -> int:
        w = ReviewWatch
        count = await self.session.scalar(
            select(func.count()).where(
                w.school_id == school_id,
                w.reviewed_at.is_not(None),
                w.reviewed_at > w.review_due_at,
                w.reviewed_at >= since,
            )
        )
        return int(count or 0)

    async def courses(self, school_id: uuid.UUID, ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
        if not ids:
            return {}
        c = timetable.course
        rows = await self.session.execute(select(c).where(c.school_id == school_id, c.id.in_(ids)))
        return {row.id: row for row in rows.scalars()}

    async def optouts_in_force(self, school_id: uuid.UUID, today: date) -> list[OptOut]:
        rows = await self.session.execute(
            select(OptOut).where(
                OptOut.school_id == school_id,
                OptOut.status == "registered",
                OptOut.effective_from.is_not(None),
                OptOut.effective_from <= today,
                or_(OptOut.effective_to.is_(None), OptOut.effective_to >= today),
            )
        )
        return list(rows.scalars())

    async def distance_lessons_of_classes(
        self, school_id: uuid.UUID, class_group_ids: set[uuid.UUID], first: date, last: date
    ) -> list[tuple[Any, Any]]:
        """(lesson, course) of the classes' ЭО/ДОТ lessons first…last without an
        alternative, not cancelled, courses delivered only with ЭО/ДОТ excepted (§3.9;
        the same lessons learning's LE-12 guard asks an alternative for)."""
        if not class_group_ids:
            return []
        lesson, course = timetable.lesson, timetable.course
        rows = await self.session.execute(
            select(lesson, course)
            .join(course, course.id == lesson.course_id)
            .where(
                lesson.school_id == school_id,
                course.class_group_id.in_(class_group_ids),
                course.delivery != "distance_only",
                lesson.date >= first,
                lesson.date <= last,
                lesson.status != "cancelled",
                lesson.delivery_form.in_(("distance", "e_learning")),
                or_(lesson.alternative.is_(None), func.trim(lesson.alternative) == ""),
            )
            .order_by(lesson.date, lesson.starts_at, lesson.id)
        )
        return [(row[0], row[1]) for row in rows.all()]
