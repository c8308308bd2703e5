"""All SQL about calendar feeds and the deadlines they show (GW-5, X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, or_, select

from services.common.repository import Repository
from services.learning.models import Assignment, AssignmentStudent, CalendarFeed, Course


class CalendarFeedRepository(Repository[CalendarFeed]):
    model = CalendarFeed

    async def by_token_hash(self, token_hash: str) -> CalendarFeed | None:
        return await self.first(select(CalendarFeed).where(CalendarFeed.token_hash == token_hash))

    async def of_school(
        self, school_id: uuid.UUID, owner_id: uuid.UUID | None
    ) -> list[CalendarFeed]:
        stmt = self._scoped(school_id)
        if owner_id is not None:
            stmt = stmt.where(CalendarFeed.owner_id == owner_id)
        return await self.all(stmt.order_by(CalendarFeed.created_at, CalendarFeed.id))

    async def deadlines(
        self,
        school_id: uuid.UUID,
        course_ids: Iterable[uuid.UUID],
        start: datetime,
        end: datetime,
        student_id: uuid.UUID | None,
    ) -> list[Assignment]:
        """Published assignments of the courses due in [start, end); for one student only
        those given to them (the whole course, or their name on the list)."""
        courses = list(set(course_ids))
        if not courses:
            return []
        stmt = select(Assignment).where(
            Assignment.school_id == school_id,
            Assignment.course_id.in_(courses),
            Assignment.status == "published",
            Assignment.due_at >= start,
            Assignment.due_at < end,
        )
        if student_id is not None:
            listed = select(AssignmentStudent.assignment_id).where(
                AssignmentStudent.student_id == student_id
            )
            stmt = stmt.where(
                or_(Assignment.target_kind == "class", and_(Assignment.id.in_(listed)))
            )
        return await self.all(stmt.order_by(Assignment.due_at, Assignment.id))

    async def class_course_ids(
        self, school_id: uuid.UUID, class_group_id: uuid.UUID
    ) -> set[uuid.UUID]:
        rows = await self.session.execute(
            select(Course.id).where(
                Course.school_id == school_id, Course.class_group_id == class_group_id
            )
        )
        return set(rows.scalars())

    async def courses(
        self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, Course]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = await self.all(
            select(Course).where(Course.school_id == school_id, Course.id.in_(wanted))
        )
        return {c.id: c for c in rows}
