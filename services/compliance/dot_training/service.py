"""Distance and e-learning lessons of teachers without DOT training (CO-7, §3.4, ID-7).

§3.4: the educational process with ЭО and ДОТ is carried out by teachers who have had
the corresponding training. Compliance knows the lessons from learning's feed (the
timetable replica: delivery form, the lesson's teacher, the course's teachers) and the
training from identity's feed (``trained_for_dot`` and its validity on each user of the
directory replica, kept by ``user.*`` and ``teacher_training.recorded``). A lesson with
delivery form ``distance`` or ``e_learning``, not cancelled, is flagged for each of its
teachers (the lesson's own teacher, else the course's) not trained on the lesson's date.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.directory import Directory
from services.common.errors import BadRequest
from services.compliance.dot_training.repository import LessonRepository
from services.compliance.dot_training.schemas import UntrainedLessonFlag, UntrainedLessonFlags
from services.compliance.models import directory

DEFAULT_DAYS = 30
MAX_DAYS = 366


def teachers_of(lesson: Any, course: Any) -> list[uuid.UUID]:
    if lesson.teacher_id is not None:
        return [lesson.teacher_id]
    return [uuid.UUID(t) for t in course.teacher_ids or []]


class TrainingFlagService:
    def __init__(self, session: AsyncSession, school_id: uuid.UUID) -> None:
        self.session = session
        self.school_id = school_id
        self.directory = Directory(session, directory)
        self.lessons = LessonRepository(session)

    async def window(self, first: date | None, last: date | None) -> tuple[date, date]:
        today = await self.directory.today(self.school_id)
        first = first or today
        last = last or first + timedelta(days=DEFAULT_DAYS)
        if last < first:
            raise BadRequest("Дата «по» раньше даты «с»", code="invalid-period")
        if (last - first).days > MAX_DAYS:
            raise BadRequest(
                f"Период не может быть длиннее {MAX_DAYS} дней", code="period-too-long"
            )
        return first, last

    async def flags(self, first: date, last: date) -> list[UntrainedLessonFlag]:
        rows = await self.lessons.online_lessons(self.school_id, first, last)
        teacher_ids = {t for lesson, course in rows for t in teachers_of(lesson, course)}
        people = await self.directory.people(self.school_id, teacher_ids)
        group_names: dict[uuid.UUID, str] = {}
        out: list[UntrainedLessonFlag] = []
        for lesson, course in rows:
            for teacher_id in teachers_of(lesson, course):
                person = people.get(teacher_id)
                if person is not None and person.is_trained_for_dot(lesson.date):
                    continue
                if person is None:
                    reason = "unknown_teacher"
                elif person.trained_for_dot and person.dot_training_valid_until is not None:
                    reason = "training_expired"
                else:
                    reason = "no_training"
                if course.class_group_id not in group_names:
                    group = await self.directory.class_group(self.school_id, course.class_group_id)
                    group_names[course.class_group_id] = group.name if group is not None else ""
                out.append(
                    UntrainedLessonFlag(
                        lesson_id=lesson.id,
                        date=lesson.date,
                        starts_at=lesson.starts_at.strftime("%H:%M"),
                        duration_minutes=lesson.duration_minutes,
                        delivery_form=lesson.delivery_form,
                        course_id=course.id,
                        subject=course.subject,
                        class_group_id=course.class_group_id,
                        class_name=group_names[course.class_group_id] or None,
                        teacher_id=teacher_id,
                        teacher_name=person.full_name if person is not None else None,
                        reason=reason,  # type: ignore[arg-type]
                        training_valid_until=(
                            person.dot_training_valid_until if person is not None else None
                        ),
                    )
                )
        return out

    async def report(self, first: date | None, last: date | None) -> UntrainedLessonFlags:
        first, last = await self.window(first, last)
        items = await self.flags(first, last)
        return UntrainedLessonFlags(
            date_from=first,
            date_to=last,
            lessons=len({f.lesson_id for f in items}),
            teachers=len({f.teacher_id for f in items}),
            items=items,
        )
