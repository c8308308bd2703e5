"""Enforcing §3.9 opt-outs when lessons and assignments are published (LE-12).

From the registration of an opt-out on (its ``effective_from``) until it is withdrawn,
a student with an opt-out is never given a lesson or assignment delivered with ЭО or
ДОТ (``e_learning`` or ``distance``) without an in-person or paper ``alternative``.
Publishing paths call :func:`require_alternative` with the course, the students the
item reaches and its date; without an alternative the call raises 422
``optout-alternative-required`` naming those students (extension member
``students``), and the request stores nothing. Courses delivered only with ЭО/ДОТ are
outside §3.9 and never need one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.directory import Directory
from services.common.errors import BusinessRuleError
from services.learning.models import Assignment, Course, OptOutReplica, directory
from services.learning.optouts.repository import OptOutReplicaRepository

# Delivery forms a student with an opt-out may not be given without an alternative.
NEEDS_ALTERNATIVE = frozenset({"e_learning", "distance"})
CLAUSE = "§3.9 Положения о применении ЭО и ДОТ"


async def course_students(session: AsyncSession, course: Course) -> set[uuid.UUID]:
    """The students who take a course: the listed ones of a sub-group, else the class."""
    if course.subgroup:
        return set(course.student_ids)
    return await Directory(session, directory).students_of(
        course.school_id, [course.class_group_id]
    )


def covering(
    rows: Iterable[OptOutReplica], course: Course, day: date | None
) -> dict[uuid.UUID, OptOutReplica]:
    """Student → their opt-out covering ``course`` in force on ``day`` (None: any day from
    now on — a registered opt-out not withdrawn, for undated weekly slots)."""
    out: dict[uuid.UUID, OptOutReplica] = {}
    for row in rows:
        if day is None:
            current = row.status == "registered" and row.effective_to is None
        else:
            current = row.in_force(day)
        if current and row.covers(course.id, course.delivery):
            out.setdefault(row.student_id, row)
    return out


async def opted_out_students(
    session: AsyncSession,
    course: Course,
    day: date | None,
    student_ids: Iterable[uuid.UUID] | None = None,
) -> list[dict[str, Any]]:
    """The students (of ``student_ids``, else of the course) with an opt-out covering the
    course on ``day``: ``[{"id", "name", "optout_id", "effective_from", "effective_to",
    "scope"}]`` ordered by name."""
    students = set(student_ids) if student_ids is not None else None
    if students is None:
        students = await course_students(session, course)
    rows = await OptOutReplicaRepository(session).of_students(course.school_id, students)
    return await _present(session, course, covering(rows, course, day))


async def _present(
    session: AsyncSession, course: Course, found: dict[uuid.UUID, OptOutReplica]
) -> list[dict[str, Any]]:
    if not found:
        return []
    people = await Directory(session, directory).people(course.school_id, found)
    out = [
        {
            "id": student_id,
            "name": people[student_id].full_name if student_id in people else "",
            "optout_id": row.id,
            "effective_from": row.effective_from,
            "effective_to": row.effective_to,
            "scope": "program" if row.course_ids is None else "courses",
        }
        for student_id, row in found.items()
    ]
    return sorted(out, key=lambda s: (s["name"], str(s["id"])))


async def require_alternative(
    session: AsyncSession,
    *,
    course: Course,
    day: date | None,
    delivery_form: str,
    alternative: str | None,
    student_ids: Iterable[uuid.UUID] | None = None,
    what: str = "урок",
) -> None:
    """Refuse (422 ``optout-alternative-required``) to give an ЭО/ДОТ item without an
    alternative to students with an opt-out; ``student_ids`` None: the whole course."""
    if delivery_form not in NEEDS_ALTERNATIVE or (alternative or "").strip():
        return
    needing = await opted_out_students(session, course, day, student_ids)
    if needing:
        raise alternative_required(needing, what)


async def require_alternatives(
    session: AsyncSession, course: Course, items: Iterable[tuple[date, str, str | None]]
) -> None:
    """:func:`require_alternative` for many lessons of one course (generated from weekly
    slots): ``items`` are (date, delivery form, alternative); two queries in all."""
    days = {
        day for day, form, alt in items if form in NEEDS_ALTERNATIVE and not (alt or "").strip()
    }
    if not days:
        return
    students = await course_students(session, course)
    rows = await OptOutReplicaRepository(session).of_students(course.school_id, students)
    found: dict[uuid.UUID, OptOutReplica] = {}
    first: date | None = None
    for day in sorted(days):
        current = covering(rows, course, day)
        if current and first is None:
            first = day
        for student_id, row in current.items():
            found.setdefault(student_id, row)
    if first is not None:
        raise alternative_required(
            await _present(session, course, found), f"урок (первый — {first:%d.%m.%Y})"
        )


def alternative_required(needing: list[dict[str, Any]], what: str) -> BusinessRuleError:
    names = ", ".join(s["name"] or str(s["id"]) for s in needing)
    return BusinessRuleError(
        f"Среди получателей есть обучающиеся с зарегистрированным отказом от ЭО и ДОТ "
        f"({CLAUSE}): {names}. Укажите очную или бумажную альтернативу (поле alternative) "
        f"— {what} с ЭО или ДОТ без неё им не выдаётся",
        code="optout-alternative-required",
        title="Нужна альтернатива для отказавшихся от ЭО и ДОТ",
        extra={
            "students": [{"id": str(s["id"]), "name": s["name"]} for s in needing],
            "legal_basis": CLAUSE,
        },
    )


async def withheld(session: AsyncSession, assignment: Assignment) -> bool:
    """A scheduled assignment whose time has come but which would reach a student whose
    opt-out was registered after it was scheduled, without an alternative: it stays
    scheduled (and is listed so to its teachers) until an alternative is added."""
    if assignment.delivery_form not in NEEDS_ALTERNATIVE or (assignment.alternative or "").strip():
        return False
    at = assignment.publish_at
    if at is None:
        return False
    tz = await Directory(session, directory).timezone(assignment.school_id)
    students = assignment.listed_student_ids if assignment.target_kind != "class" else None
    needing = await opted_out_students(
        session, assignment.course, at.astimezone(tz).date(), students
    )
    return bool(needing)
