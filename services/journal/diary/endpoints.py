"""The diary (JO-6): a student's lessons with topic and form, homework, marks with
comments and absences for a date range — a constant number of queries."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import Query
from pydantic import Field
from sqlalchemy import select

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, BadRequest, problem_responses
from services.common.types import ReadModel
from services.journal.access import AccessDep
from services.journal.models import Attendance, LessonRecord, Mark, timetable

router = api_router(prefix="/api/v1/journal", tags=["diary"])

MAX_DAYS = 92


class DiaryMark(ReadModel):
    id: uuid.UUID
    value: str
    control_type: str
    weight: float
    comment: str | None


class DiaryLesson(ReadModel):
    lesson_id: uuid.UUID
    course_id: uuid.UUID
    subject: str
    starts_at: dt.time
    duration_minutes: int
    status: str
    topic: str | None = Field(description="Тема: из записи урока, иначе запланированная")
    delivery_form: str = Field(description="Форма: фактическая по записи, иначе плановая")
    homework: str | None
    marks: list[DiaryMark]
    absent: bool
    absence_reason: str | None


class DiaryDay(ReadModel):
    date: dt.date
    lessons: list[DiaryLesson]
    other_marks: list[DiaryMark] = Field(description="Отметки дня без привязки к уроку")


class Diary(ReadModel):
    student_id: uuid.UUID
    date_from: dt.date
    date_to: dt.date
    days: list[DiaryDay]


@router.get(
    "/students/{student_id}/diary",
    response_model=Diary,
    summary="Дневник обучающегося за период",
    description=(
        "Уроки с темой и формой проведения, домашние задания, отметки с комментариями и "
        "пропуски. Обучающийся видит свой дневник, родитель — дневники своих детей, "
        "классный руководитель — все предметы класса, педагог — свои предметы. "
        f"Не больше {MAX_DAYS} дней за запрос."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def student_diary(
    student_id: uuid.UUID,
    access: AccessDep,
    date_from: Annotated[dt.date, Query(alias="from")],
    date_to: Annotated[dt.date, Query(alias="to")],
) -> Diary:
    if date_to < date_from or (date_to - date_from).days >= MAX_DAYS:
        raise BadRequest(
            f"Неверный диапазон дат (от from до to, не больше {MAX_DAYS} дней)",
            code="invalid-range",
        )
    await access.student_for_read(student_id)
    session = access.session
    groups = await access.directory.groups_of_student(access.school_id, student_id)
    every_subject = await access.sees_every_subject_of(student_id)
    courses = {
        c.id: c
        for c in (
            await session.execute(
                select(timetable.course).where(
                    timetable.course.school_id == access.school_id,
                    timetable.course.class_group_id.in_(groups),
                )
            )
        ).scalars()
        if (c.student_ids is None or str(student_id) in c.student_ids)
        and (every_subject or access.teaches(c))
    }
    lessons = list(
        (
            await session.execute(
                select(timetable.lesson)
                .where(
                    timetable.lesson.course_id.in_(list(courses)),
                    timetable.lesson.date >= date_from,
                    timetable.lesson.date <= date_to,
                )
                .order_by(timetable.lesson.date, timetable.lesson.starts_at)
            )
        ).scalars()
    )
    lesson_ids = [lesson.id for lesson in lessons]
    records = {
        r.lesson_id: r
        for r in (
            await session.execute(
                select(LessonRecord).where(LessonRecord.lesson_id.in_(lesson_ids))
            )
        ).scalars()
    }
    marks = list(
        (
            await session.execute(
                select(Mark)
                .where(
                    Mark.student_id == student_id,
                    Mark.course_id.in_(list(courses)),
                    Mark.status == "active",
                    Mark.date >= date_from,
                    Mark.date <= date_to,
                )
                .order_by(Mark.created_at)
            )
        ).scalars()
    )
    absences = {
        a.lesson_id: a
        for a in (
            await session.execute(
                select(Attendance).where(
                    Attendance.student_id == student_id,
                    Attendance.lesson_id.in_(lesson_ids),
                    Attendance.status == "absent",
                )
            )
        ).scalars()
    }
    by_lesson: dict[uuid.UUID, list[Mark]] = {}
    loose: dict[dt.date, list[Mark]] = {}
    known = set(lesson_ids)
    for mark in marks:
        if mark.lesson_id in known:
            by_lesson.setdefault(mark.lesson_id, []).append(mark)  # type: ignore[arg-type]
        else:
            loose.setdefault(mark.date, []).append(mark)
    days: dict[dt.date, DiaryDay] = {}

    def day(d: dt.date) -> DiaryDay:
        if d not in days:
            days[d] = DiaryDay(date=d, lessons=[], other_marks=[])
        return days[d]

    def dm(mark: Mark) -> DiaryMark:
        return DiaryMark(
            id=mark.id,
            value=mark.value,
            control_type=mark.control_type,
            weight=float(mark.weight),
            comment=mark.comment,
        )

    for lesson in lessons:
        record = records.get(lesson.id)
        absence = absences.get(lesson.id)
        day(lesson.date).lessons.append(
            DiaryLesson(
                lesson_id=lesson.id,
                course_id=lesson.course_id,
                subject=courses[lesson.course_id].subject,
                starts_at=lesson.starts_at,
                duration_minutes=lesson.duration_minutes,
                status=lesson.status,
                topic=record.topic_title if record else lesson.topic_title,
                delivery_form=record.delivery_form if record else lesson.delivery_form,
                homework=(record.homework if record and record.homework else lesson.homework),
                marks=[dm(m) for m in by_lesson.get(lesson.id, [])],
                absent=absence is not None,
                absence_reason=absence.reason if absence else None,
            )
        )
    for d, extra in loose.items():
        day(d).other_marks.extend(dm(m) for m in extra)
    return Diary(
        student_id=student_id,
        date_from=date_from,
        date_to=date_to,
        days=[days[d] for d in sorted(days)],
    )
