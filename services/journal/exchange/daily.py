"""The daily exchange package: what happened in a school on a date (GW-5, JO-1 … JO-3, ID-9).

Lesson topics with the delivery form, homework, attendance and marks, for a regional
e-journal or ФГИС «Моя школа». The package is built once, in a neutral form
(:class:`DailyPackage`), from the journal's own tables and its replicas of the
directory and the timetable, in a fixed number of queries; a *format*
(:mod:`services.journal.exchange.formats`) turns it into the bytes a target system
takes. The federal format is not public: a new target is a new format class, nothing
else changes.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.journal.exchange.repository import ExchangeRepository
from services.journal.models import Mark


@dataclass(frozen=True)
class Ref:
    id: uuid.UUID
    external_ids: dict[str, str]
    name: str | None = None


@dataclass(frozen=True)
class AttendanceEntry:
    student: Ref
    status: str
    reason: str | None


@dataclass(frozen=True)
class MarkEntry:
    id: uuid.UUID
    student: Ref
    value: str
    numeric_value: float | None
    control_type: str
    weight: float
    comment: str | None


@dataclass
class LessonEntry:
    id: uuid.UUID
    course: Ref
    subject: str
    subgroup: str | None
    class_group: Ref
    teacher: Ref | None
    starts_at: str
    starts_at_utc: datetime | None
    duration_minutes: int
    lesson_number: int | None
    status: str
    planned_delivery_form: str
    delivery_form: str
    topic: str | None
    homework: str | None
    recorded: bool
    attendance: list[AttendanceEntry] = field(default_factory=list)
    marks: list[MarkEntry] = field(default_factory=list)


@dataclass
class DailyPackage:
    school: Any  # the directory replica's school row
    day: date
    generated_at: datetime
    lessons: list[LessonEntry]
    marks_without_lesson: list[MarkEntry]


class DailyPackageBuilder:
    def __init__(self, session: AsyncSession) -> None:
        self.repo = ExchangeRepository(session)

    async def build(self, school: Any, day: date) -> DailyPackage:
        school_id = school.id
        lessons = await self.repo.lessons_on(school_id, day)
        marks = await self.repo.marks_on(school_id, day)
        courses = await self.repo.courses(
            school_id, {ls.course_id for ls in lessons} | {m.course_id for m in marks}
        )
        records = await self.repo.records(ls.id for ls in lessons)
        attendance = await self.repo.attendance(ls.id for ls in lessons)
        people = {p.id: p for p in await self.repo.people(school_id)}
        groups = {g.id: g for g in await self.repo.class_groups(school_id)}
        externals = await self.repo.external_ids(school_id)

        def person(person_id: uuid.UUID | None) -> Ref | None:
            if person_id is None:
                return None
            p = people.get(person_id)
            return Ref(
                person_id, externals.get(("user", person_id), {}), p.full_name if p else None
            )

        def student(person_id: uuid.UUID) -> Ref:
            ref = person(person_id)
            assert ref is not None
            return ref

        def mark_entry(m: Mark) -> MarkEntry:
            return MarkEntry(
                id=m.id,
                student=student(m.student_id),
                value=m.value,
                numeric_value=float(m.numeric_value) if m.numeric_value is not None else None,
                control_type=m.control_type,
                weight=float(m.weight),
                comment=m.comment,
            )

        marks_by_lesson: dict[uuid.UUID, list[MarkEntry]] = {}
        loose: list[MarkEntry] = []
        lesson_ids = {ls.id for ls in lessons}
        for m in marks:
            if m.lesson_id is not None and m.lesson_id in lesson_ids:
                marks_by_lesson.setdefault(m.lesson_id, []).append(mark_entry(m))
            else:
                loose.append(mark_entry(m))

        entries = []
        for ls in lessons:
            course = courses.get(ls.course_id)
            group_id = course.class_group_id if course is not None else None
            group = groups.get(group_id) if group_id else None
            record = records.get(ls.id)
            entries.append(
                LessonEntry(
                    id=ls.id,
                    course=Ref(
                        ls.course_id,
                        dict((course.external_ids or {}) if course is not None else {}),
                        course.subject if course is not None else None,
                    ),
                    subject=course.subject if course is not None else "",
                    subgroup=course.subgroup if course is not None else None,
                    class_group=Ref(
                        group_id or uuid.UUID(int=0),
                        externals.get(("class_group", group_id), {}) if group_id else {},
                        group.name if group is not None else None,
                    ),
                    teacher=person(ls.teacher_id),
                    starts_at=ls.starts_at.strftime("%H:%M"),
                    starts_at_utc=ls.starts_at_utc,
                    duration_minutes=ls.duration_minutes,
                    lesson_number=ls.lesson_number,
                    status=ls.status,
                    planned_delivery_form=ls.delivery_form,
                    delivery_form=record.delivery_form if record else ls.delivery_form,
                    topic=record.topic_title if record else ls.topic_title,
                    homework=(record.homework if record and record.homework else ls.homework),
                    recorded=record is not None,
                    attendance=[
                        AttendanceEntry(student(a.student_id), a.status, a.reason)
                        for a in attendance.get(ls.id, [])
                    ],
                    marks=marks_by_lesson.get(ls.id, []),
                )
            )
        return DailyPackage(
            school=school,
            day=day,
            generated_at=utcnow(),
            lessons=entries,
            marks_without_lesson=loose,
        )
