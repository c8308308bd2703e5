"""The class × subject × term grid, built for speed (P2).

Three column queries whatever the size of the class — the roster with names, the
lessons, the marks and absences together — after the course itself, and the answer
assembled as plain JSON-ready dicts: no ORM entity and no model object per cell. Its
shape is :class:`services.journal.marks.schemas.Grid`. With SQLite every statement
costs several round trips to aiosqlite's thread, so the number of statements is most
of the cost of a request: the endpoint runs as many as the raw-SQL baseline of P2.

The marks and absences (hundreds of rows) are read without SQLAlchemy's result
processing: ids, dates and numbers arrive as the driver hands them over (SQLite: 32 hex
digits, ISO text, int / float; PostgreSQL: ``uuid``, ``date``, ``Decimal``) and are only
normalised where the answer needs them. Building a ``uuid.UUID``, a ``date`` and two
``Decimal`` per mark was most of the endpoint's time (docs/performance.md, P2).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, literal_column, null, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.types import NullType

from services.journal.models import Attendance, Mark, directory, timetable


def _raw(column: Any) -> ColumnElement[Any]:
    """The column as the driver returns it (no result processing)."""
    return type_coerce(column, NullType())


def _key(value: Any) -> str:
    """A raw uuid value as 32 lowercase hex digits, whatever the driver returned."""
    if isinstance(value, str):
        return value if len(value) == 32 else value.replace("-", "").lower()
    return str(value.hex)


def _iso(value: Any) -> str:
    """A raw date value as ISO text (SQLite already stores it so)."""
    return value if isinstance(value, str) else str(value.isoformat())


# The statements are built once (with bound parameters): building the expressions on
# every request cost about as much as running them.
_person, _member, _lesson = directory.person, directory.membership, timetable.lesson
_NAMES = (_person.last_name, _person.first_name, _person.middle_name)
CLASS_ROSTER = (
    select(_member.student_id, *_NAMES)
    .select_from(_member)
    .outerjoin(_person, _person.id == _member.student_id)
    .where(
        _member.school_id == bindparam("school_id"),
        _member.class_group_id == bindparam("group_id"),
    )
)
LISTED_ROSTER = select(_person.id, *_NAMES).where(
    _person.school_id == bindparam("school_id"),
    _person.id.in_(bindparam("ids", expanding=True)),
)
LESSONS = (
    select(_lesson.id, _lesson.date, _lesson.topic_title, _lesson.delivery_form, _lesson.status)
    .where(
        _lesson.course_id == bindparam("course_id"),
        _lesson.date >= bindparam("starts"),
        _lesson.date <= bindparam("ends"),
    )
    .order_by(_lesson.date, _lesson.starts_at)
)
# marks ("m": value, numbers, date) and absences ("a": reason) in one statement
ENTRIES = union_all(
    select(
        literal_column("'m'").label("kind"),
        _raw(Mark.student_id).label("student_id"),
        _raw(Mark.lesson_id).label("lesson_id"),
        Mark.value.label("text"),
        _raw(Mark.numeric_value).label("numeric"),
        _raw(Mark.weight).label("weight"),
        _raw(Mark.date).label("day"),
        _raw(Mark.created_at).label("at"),
    ).where(
        Mark.course_id == bindparam("course_id"),
        Mark.status == "active",
        Mark.date >= bindparam("starts"),
        Mark.date <= bindparam("ends"),
    ),
    select(
        literal_column("'a'"),
        _raw(Attendance.student_id),
        _raw(Attendance.lesson_id),
        Attendance.reason,
        null(),
        null(),
        _raw(Attendance.date),
        _raw(Attendance.created_at),
    ).where(
        Attendance.course_id == bindparam("course_id"),
        Attendance.status == "absent",
        Attendance.date >= bindparam("starts"),
        Attendance.date <= bindparam("ends"),
    ),
).order_by(literal_column("day"), literal_column("at"))


@dataclass(slots=True)
class _Row:
    student_id: uuid.UUID
    name: str
    cells: list[list[str]]
    absences: list[dict[str, Any]] = field(default_factory=list)
    extra: list[dict[str, str]] = field(default_factory=list)
    count: int = 0
    total: float = 0.0
    weighted: float = 0.0
    weights: float = 0.0


async def roster(session: AsyncSession, school_id: uuid.UUID, course: Any) -> dict[uuid.UUID, str]:
    """The course's students with their full names, in one query: the listed students
    of a sub-group course, else the members of the class ("" when a name is unknown)."""
    conn = await session.connection()
    out: dict[uuid.UUID, str] = {}
    if course.student_ids is not None:
        ids = [uuid.UUID(s) for s in course.student_ids]
        out = dict.fromkeys(ids, "")
        rows = await conn.execute(LISTED_ROSTER, {"school_id": school_id, "ids": ids})
    else:
        rows = await conn.execute(
            CLASS_ROSTER, {"school_id": school_id, "group_id": course.class_group_id}
        )
    for pid, last, first, middle in rows:
        out[pid] = " ".join(x for x in (last, first, middle) if x)
    return out


async def build_grid(
    session: AsyncSession,
    school_id: uuid.UUID,
    course: Any,
    starts: date,
    ends: date,
    period_id: uuid.UUID | None,
    only: set[uuid.UUID] | None = None,
) -> dict[str, Any]:
    """The grid of every student of the course, or of those in ``only`` (a student's
    own row, a guardian's children's)."""
    people = await roster(session, school_id, course)
    students = set(people) if only is None else set(people) & only
    # Core statements on the request's connection: no ORM layer for plain columns
    conn = await session.connection()
    span = {"course_id": course.id, "starts": starts, "ends": ends}
    lessons = (await conn.execute(LESSONS, span)).all()
    entries = (await conn.execute(ENTRIES, span)).all()

    width = len(lessons)
    # one row per student shown, reachable from the raw id in whatever form the driver
    # returns it (one dict lookup per entry, no conversion); cells without a mark share
    # one empty list (a grid of 1,500 cells allocates only the cells that have marks)
    no_marks: list[str] = []
    shown = [_Row(s, people.get(s, ""), [no_marks] * width) for s in students]
    rows: dict[Any, _Row] = {}
    for r in shown:
        rows[r.student_id] = rows[r.student_id.hex] = r
    position: dict[Any, int] = {}
    for n, lesson in enumerate(lessons):
        position[lesson[0]] = position[lesson[0].hex] = n
    row_of, slot_of = rows.get, position.get
    for kind, raw_student, raw_lesson, value, numeric, weight, day, _at in entries:
        row = row_of(raw_student)
        if row is None:
            row = row_of(_key(raw_student))
            if row is None:
                continue  # not a student shown here
        slot = slot_of(raw_lesson)
        if slot is None and raw_lesson is not None:
            slot = slot_of(_key(raw_lesson))
        if kind == "a":
            if slot is not None:
                row.absences.append({"lesson_index": slot, "reason": value})
            continue
        if slot is None:
            row.extra.append({"date": _iso(day), "value": value})
        else:
            cell = row.cells[slot]
            if cell is no_marks:
                row.cells[slot] = [value]
            else:
                cell.append(value)
        if numeric is not None:
            number, w = float(numeric), float(weight)
            row.count += 1
            row.total += number
            row.weighted += number * w
            row.weights += w
    out_rows = [
        {
            "student": {"id": str(r.student_id), "name": r.name},
            "marks": r.cells,
            "absences": sorted(r.absences, key=lambda a: int(a["lesson_index"])),
            "extra_marks": r.extra,
            "average": round(r.total / r.count, 2) if r.count else None,
            "weighted_average": round(r.weighted / r.weights, 2) if r.count else None,
        }
        for r in sorted(shown, key=lambda r: r.name)
    ]
    return {
        "course_id": str(course.id),
        "subject": course.subject,
        "period_id": str(period_id) if period_id else None,
        "starts_on": starts.isoformat(),
        "ends_on": ends.isoformat(),
        "lessons": [
            {
                "id": str(lesson_id),
                "date": day.isoformat(),
                "topic": topic,
                "delivery_form": form,
                "status": status,
            }
            for lesson_id, day, topic, form, status in lessons
        ],
        "rows": out_rows,
    }
