"""All SQL about the timetable: templates and lessons (LE-3, X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, or_, select

from services.common.repository import Repository
from services.learning.models import Course, CourseTeacher, Lesson, TimetableTemplate, Topic


class TemplateRepository(Repository[TimetableTemplate]):
    model = TimetableTemplate

    async def of_course(
        self, school_id: uuid.UUID, course_id: uuid.UUID
    ) -> list[TimetableTemplate]:
        stmt = (
            self._scoped(school_id)
            .where(TimetableTemplate.course_id == course_id)
            .order_by(
                TimetableTemplate.weekday,
                TimetableTemplate.starts_at,
                TimetableTemplate.id,
            )
        )
        return await self.all(stmt)

    async def delete(self, template: TimetableTemplate) -> None:
        await self.session.delete(template)


class LessonRepository(Repository[Lesson]):
    model = Lesson

    async def slot_taken(
        self,
        school_id: uuid.UUID,
        course_id: uuid.UUID,
        day: date,
        starts_at: Any,
        exclude: uuid.UUID | None = None,
    ) -> bool:
        stmt = self._scoped(school_id).where(
            Lesson.course_id == course_id,
            Lesson.date == day,
            Lesson.starts_at == starts_at,
            Lesson.status == "scheduled",
        )
        if exclude is not None:
            stmt = stmt.where(Lesson.id != exclude)
        return await self.first(stmt.limit(1)) is not None

    async def of_course_between(
        self, school_id: uuid.UUID, course_id: uuid.UUID, start: date, end: date
    ) -> list[Lesson]:
        """Lessons of a course on these dates, or generated for these dates and moved."""
        stmt = self._scoped(school_id).where(
            Lesson.course_id == course_id,
            or_(
                and_(Lesson.date >= start, Lesson.date <= end),
                and_(Lesson.moved_from_date >= start, Lesson.moved_from_date <= end),
            ),
        )
        return await self.all(stmt)

    def _between(self, school_id: uuid.UUID, start: date, end: date) -> Select[Any]:
        return self._scoped(school_id).where(Lesson.date >= start, Lesson.date <= end)

    async def timetable(
        self,
        school_id: uuid.UUID,
        start: date,
        end: date,
        *,
        course_ids: Iterable[uuid.UUID] | None = None,
        class_group_id: uuid.UUID | None = None,
        teacher_id: uuid.UUID | None = None,
        include_cancelled: bool = True,
    ) -> list[Lesson]:
        """Lessons on school-local dates ``start`` … ``end`` (one query)."""
        stmt = self._between(school_id, start, end)
        if course_ids is not None:
            stmt = stmt.where(Lesson.course_id.in_(list(course_ids)))
        if class_group_id is not None:
            of_class = select(Course.id).where(
                Course.school_id == school_id, Course.class_group_id == class_group_id
            )
            stmt = stmt.where(Lesson.course_id.in_(of_class))
        if teacher_id is not None:
            taught = select(CourseTeacher.course_id).where(
                CourseTeacher.school_id == school_id, CourseTeacher.teacher_id == teacher_id
            )
            stmt = stmt.where(
                or_(Lesson.course_id.in_(taught), Lesson.substitute_teacher_id == teacher_id)
            )
        if not include_cancelled:
            stmt = stmt.where(Lesson.status == "scheduled")
        stmt = stmt.order_by(Lesson.date, Lesson.starts_at, Lesson.lesson_number, Lesson.id)
        return await self.all(stmt)

    async def courses(
        self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, Course]:
        """Courses with their teachers and sub-group students (three queries for any number)."""
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = await self.all(
            select(Course).where(Course.school_id == school_id, Course.id.in_(wanted))
        )
        return {c.id: c for c in rows}

    async def topics(self, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Topic]:
        wanted = list(set(ids))
        if not wanted:
            return {}
        rows = await self.all(select(Topic).where(Topic.id.in_(wanted)))
        return {t.id: t for t in rows}
