"""The class × subject × term grid, built for speed (P2).

Four column queries (lessons, names, marks, absences) whatever the size of the class,
and the answer assembled as plain JSON-ready dicts: no ORM entity and no model object
per cell. Its shape is :class:`services.journal.marks.schemas.Grid`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.journal.models import Attendance, Mark, directory, timetable


async def build_grid(
    session: AsyncSession,
    school_id: uuid.UUID,
    course: Any,
    starts: date,
    ends: date,
    students: set[uuid.UUID],
    period_id: uuid.UUID | None,
) -> dict[str, Any]:
    lesson_t, person_t = timetable.lesson, directory.person
    lessons = (
        await session.execute(
            select(
                lesson_t.id,
                lesson_t.date,
                lesson_t.topic_title,
                lesson_t.delivery_form,
                lesson_t.status,
            )
            .where(lesson_t.course_id == course.id, lesson_t.date >= starts, lesson_t.date <= ends)
            .order_by(lesson_t.date, lesson_t.starts_at)
        )
    ).all()
    people = (
        await session.execute(
            select(
                person_t.id, person_t.last_name, person_t.first_name, person_t.middle_name
            ).where(person_t.school_id == school_id, person_t.id.in_(students))
        )
    ).all()
    marks = (
        await session.execute(
            select(
                Mark.student_id,
                Mark.lesson_id,
                Mark.value,
                Mark.numeric_value,
                Mark.weight,
                Mark.date,
            )
            .where(
                Mark.course_id == course.id,
                Mark.status == "active",
                Mark.date >= starts,
                Mark.date <= ends,
            )
            .order_by(Mark.date, Mark.created_at)
        )
    ).all()
    absences = (
        await session.execute(
            select(Attendance.student_id, Attendance.lesson_id, Attendance.reason).where(
                Attendance.course_id == course.id,
                Attendance.status == "absent",
                Attendance.date >= starts,
                Attendance.date <= ends,
            )
        )
    ).all()

    names = {
        pid: " ".join(x for x in (last, first, middle) if x) for pid, last, first, middle in people
    }
    position = {lesson_id: n for n, (lesson_id, *_rest) in enumerate(lessons)}
    width = len(lessons)
    grid_marks: dict[uuid.UUID, list[list[str]]] = {}
    extra: dict[uuid.UUID, list[dict[str, str]]] = {}
    sums: dict[uuid.UUID, list[float]] = {}
    for student_id, lesson_id, value, numeric, weight, day in marks:
        if student_id not in students:
            continue
        slot = position.get(lesson_id) if lesson_id is not None else None
        if slot is None:
            extra.setdefault(student_id, []).append({"date": day.isoformat(), "value": value})
        else:
            row = grid_marks.get(student_id)
            if row is None:
                row = grid_marks[student_id] = [[] for _ in range(width)]
            row[slot].append(value)
        if numeric is not None:
            sum_ = sums.setdefault(student_id, [0.0, 0, 0.0, 0.0])
            n, w = float(numeric), float(weight)
            sum_[0] += n
            sum_[1] += 1
            sum_[2] += n * w
            sum_[3] += w
    lesson_ids = [str(lesson[0]) for lesson in lessons]
    absences_of: dict[uuid.UUID, list[dict[str, Any]]] = {}
    for student_id, lesson_id, reason in absences:
        slot = position.get(lesson_id)
        if slot is not None:
            absences_of.setdefault(student_id, []).append({"lesson_index": slot, "reason": reason})
    empty: list[list[str]] = [[] for _ in range(width)]
    rows = []
    for student_id in sorted(students, key=lambda s: names.get(s, "")):
        acc = sums.get(student_id)
        rows.append(
            {
                "student": {"id": str(student_id), "name": names.get(student_id, "")},
                "marks": grid_marks.get(student_id, empty),
                "absences": sorted(
                    absences_of.get(student_id, []), key=lambda a: int(a["lesson_index"])
                ),
                "extra_marks": extra.get(student_id, []),
                "average": round(acc[0] / acc[1], 2) if acc else None,
                "weighted_average": round(acc[2] / acc[3], 2) if acc else None,
            }
        )
    return {
        "course_id": str(course.id),
        "subject": course.subject,
        "period_id": str(period_id) if period_id else None,
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "lessons": [
            {
                "id": lesson_ids[n],
                "date": day.isoformat(),
                "topic": topic,
                "delivery_form": form,
                "status": status,
            }
            for n, (_id, day, topic, form, status) in enumerate(lessons)
        ],
        "rows": rows,
    }
