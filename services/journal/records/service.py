"""Lesson records (JO-1): "что пройдено на уроке" — a topic of the course's thematic
plan, the delivery form it was actually held in (§5.9), and the homework."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from services.common.errors import BusinessRuleError, PreconditionFailed
from services.common.etag import check_if_match
from services.common.outbox import emit
from services.journal.access import Access
from services.journal.models import LessonRecord, kernel, timetable
from services.journal.periods.service import ensure_open


def payload(record: LessonRecord, lesson: Any) -> dict[str, Any]:
    return {
        "id": str(record.id),
        "lesson_id": str(record.lesson_id),
        "course_id": str(record.course_id),
        "date": lesson.date.isoformat(),
        "topic_id": str(record.topic_id) if record.topic_id else None,
        "topic_title": record.topic_title,
        "delivery_form": record.delivery_form,
        "planned_delivery_form": record.planned_delivery_form,
        "held_as_planned": record.delivery_form == record.planned_delivery_form,
        "homework": record.homework,
        "version": record.version,
    }


class RecordService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id

    async def _topic(self, course_id: uuid.UUID, topic_id: uuid.UUID) -> Any:
        topic = await self.session.get(timetable.topic, topic_id)
        if topic is None or topic.course_id != course_id:
            raise BusinessRuleError(
                "Тема не найдена в тематическом плане курса (КТП)", code="topic-not-in-plan"
            )
        return topic

    async def get(self, lesson_id: uuid.UUID) -> tuple[Any, LessonRecord | None]:
        lesson = await self.access.lesson(lesson_id)
        await self.access.course_for_read(lesson.course_id)
        record = (
            await self.session.execute(
                select(LessonRecord).where(LessonRecord.lesson_id == lesson.id)
            )
        ).scalar_one_or_none()
        return lesson, record

    async def save(
        self, lesson_id: uuid.UUID, values: dict[str, Any], if_match: str | None
    ) -> tuple[Any, LessonRecord, bool]:
        lesson, course = await self.access.lesson_for_write(lesson_id)
        if lesson.status == "cancelled":
            raise BusinessRuleError(
                "Урок отменён: запись о нём не ведётся", code="lesson-cancelled"
            )
        await ensure_open(self.session, self.school_id, lesson.date)
        topic = await self._topic(course.id, values["topic_id"])
        record = (
            await self.session.execute(
                select(LessonRecord).where(LessonRecord.lesson_id == lesson.id)
            )
        ).scalar_one_or_none()
        created = record is None
        if record is None:
            record = LessonRecord(
                school_id=self.school_id,
                lesson_id=lesson.id,
                course_id=course.id,
                planned_delivery_form=lesson.delivery_form,
                topic_title=topic.title,
                delivery_form=values["delivery_form"],
            )
            self.session.add(record)
        else:
            check_if_match(if_match, record.id, record.version)
        record.topic_id = topic.id
        record.topic_title = topic.title
        record.delivery_form = values["delivery_form"]
        record.homework = values.get("homework")
        record.notes = values.get("notes")
        record.recorded_by = self.access.user_id
        try:
            await self.session.flush()
        except StaleDataError:
            raise PreconditionFailed(
                "Запись урока изменена другим пользователем; получите её заново",
                code="precondition-failed",
            ) from None
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="lesson_record.saved",
            aggregate_type="lesson_record",
            aggregate_id=record.id,
            payload=payload(record, lesson),
        )
        return lesson, record, created

    async def report(
        self, course_id: uuid.UUID | None, date_from: date, date_to: date, today: date
    ) -> tuple[list[Any], list[tuple[Any, LessonRecord]]]:
        """Past lessons without a record, and records whose topic is not in the plan."""
        a = self.access
        stmt = select(timetable.lesson).where(
            timetable.lesson.school_id == self.school_id,
            timetable.lesson.status != "cancelled",
            timetable.lesson.date >= date_from,
            timetable.lesson.date <= min(date_to, today),
        )
        if course_id is not None:
            await a.course_for_read(course_id)
            stmt = stmt.where(timetable.lesson.course_id == course_id)
        elif not a.is_staff:
            courses = await self.session.execute(
                select(timetable.course).where(timetable.course.school_id == self.school_id)
            )
            mine = [c.id for c in courses.scalars() if a.teaches(c)]
            stmt = stmt.where(timetable.lesson.course_id.in_(mine))
        lessons = list((await self.session.execute(stmt.order_by(timetable.lesson.date))).scalars())
        ids = [lesson.id for lesson in lessons]
        records = {
            r.lesson_id: r
            for r in (
                await self.session.execute(
                    select(LessonRecord).where(LessonRecord.lesson_id.in_(ids))
                )
            ).scalars()
        }
        topics = {
            t.id: t
            for t in (
                await self.session.execute(
                    select(timetable.topic).where(
                        timetable.topic.course_id.in_({lesson.course_id for lesson in lessons})
                    )
                )
            ).scalars()
        }
        missing = [lesson for lesson in lessons if lesson.id not in records]
        off_plan = []
        for lesson in lessons:
            record = records.get(lesson.id)
            if record is None:
                continue
            topic = topics.get(record.topic_id) if record.topic_id else None
            if topic is None or topic.course_id != lesson.course_id:
                off_plan.append((lesson, record))
        return missing, off_plan
