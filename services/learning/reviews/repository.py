"""All SQL about reviews and the same-day review report (LE-7)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services.common.repository import Repository
from services.learning.models import Assignment, CourseTeacher, Review, Submission


class ReviewRepository(Repository[Review]):
    model = Review

    async def of_submission(
        self, submission_id: uuid.UUID, *, for_update: bool = False
    ) -> Review | None:
        stmt = (
            select(Review)
            .where(Review.submission_id == submission_id)
            .options(selectinload(Review.comment_file))
        )
        if for_update:
            stmt = stmt.with_for_update(of=Review)
        result: Review | None = await self.first(stmt)
        return result

    async def arrivals(
        self,
        school_id: uuid.UUID,
        start: datetime,
        end: datetime,
        *,
        teacher_id: uuid.UUID | None,
    ) -> list[tuple[Submission, Assignment, Review | None]]:
        """Latest versions received in ``[start, end)`` with their assignment (and its
        course and teachers) and review, in three queries whatever their number."""
        stmt = (
            select(Submission, Assignment, Review)
            .join(Assignment, Assignment.id == Submission.assignment_id)
            .outerjoin(Review, Review.submission_id == Submission.id)
            .where(
                Submission.school_id == school_id,
                Submission.is_latest,
                Submission.received_at >= start,
                Submission.received_at < end,
            )
            .options(selectinload(Assignment.course))
            .order_by(Submission.received_at, Submission.id)
        )
        if teacher_id is not None:
            taught = select(CourseTeacher.course_id).where(
                CourseTeacher.school_id == school_id, CourseTeacher.teacher_id == teacher_id
            )
            stmt = stmt.where(Assignment.course_id.in_(taught))
        rows = (await self.session.execute(stmt)).all()
        return [(s, a, r) for s, a, r in rows]
