"""Publishing assignments: now, or when their scheduled time comes (LE-5, Reg §2.2).

Publishing marks the assignment published, emits ``assignment.published`` and, when
the school keeps e-mail copies on, puts one e-mail per target student into the
notification outbox, addressed to the student and each linked guardian.

A scheduled assignment is published by :func:`publish_due`, which runs at the start
of every read that lists assignments for students and in a small periodic task (see
:func:`start_publisher`); the rows are locked (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL) so two publishers never publish one assignment twice.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.context import current_actor, set_actor
from services.common.directory import Directory
from services.common.outbox import emit
from services.common.periodic import start_periodic, stop_periodic
from services.learning.assignments.repository import AssignmentRepository
from services.learning.assignments.times import clock_of, iso, local, russian
from services.learning.models import Assignment, Course, directory, kernel
from services.learning.notifications.outbox import Recipient, enqueue
from services.learning.optouts.guard import withheld
from services.learning.school_settings.service import school_settings

logger = logging.getLogger("eo.learning.publisher")

ASSIGNMENT_PUBLISHED = "assignment.published"


async def course_student_ids(dir_: Directory, course: Course) -> set[uuid.UUID]:
    """The students who take a course: the listed ones of a sub-group, else the class."""
    if course.subgroup:
        return set(course.student_ids)
    return await dir_.students_of(course.school_id, [course.class_group_id])


async def target_student_ids(dir_: Directory, assignment: Assignment) -> set[uuid.UUID]:
    """Who the assignment is given to (``course`` and ``students`` loaded)."""
    if assignment.target_kind == "class":
        return await course_student_ids(dir_, assignment.course)
    return set(assignment.listed_student_ids)


def published_payload(
    assignment: Assignment, student_ids: set[uuid.UUID], tz: ZoneInfo
) -> dict[str, Any]:
    return {
        "id": str(assignment.id),
        "course_id": str(assignment.course_id),
        "lesson_id": str(assignment.lesson_id) if assignment.lesson_id else None,
        "title": assignment.title,
        "due_at": iso(assignment.due_at),
        "due_date": local(assignment.due_at, tz).date().isoformat(),
        "published_at": iso(assignment.published_at),
        "student_ids": sorted(str(s) for s in student_ids),
        "expected_screen_minutes": [
            {"device": str(u["device"]), "minutes": int(u["minutes"])}
            for u in assignment.expected_screen_minutes or []
        ],
        "has_alternative": bool(assignment.alternative),
        "alternative": assignment.alternative,
        "delivery_form": assignment.delivery_form,
    }


def email_text(
    assignment: Assignment,
    student_name: str,
    teacher_names: list[str],
    tz: ZoneInfo,
) -> tuple[str, str]:
    course = assignment.course
    subject = f"Новое задание по предмету «{course.subject}»: {assignment.title}"
    lines = [
        "Здравствуйте!",
        "",
        f"Обучающемуся {student_name} выдано задание.",
        f"Предмет: {course.subject}",
        f"Задание: {assignment.title}",
        f"Педагог: {', '.join(teacher_names) or 'не указан'}",
        f"Срок сдачи: {russian(assignment.due_at, tz)} (время школы, {tz.key})",
    ]
    if assignment.instructions:
        lines += ["", "Указания учителя:", assignment.instructions]
    if assignment.alternative:
        lines += ["", "Очная или бумажная альтернатива:", assignment.alternative]
    lines += [
        "",
        "Материалы задания и сдача работы — в личном кабинете на платформе.",
        "Выполненную работу можно также направить учителю по электронной почте.",
    ]
    return subject, "\n".join(lines)


async def _send_copies(
    session: AsyncSession,
    dir_: Directory,
    assignment: Assignment,
    students: set[uuid.UUID],
    tz: ZoneInfo,
) -> None:
    school_id = assignment.school_id
    guardians = await dir_.guardians_of(school_id, students)
    teacher_ids = assignment.course.teacher_ids
    people = await dir_.people(school_id, set(students) | set(teacher_ids))
    teacher_names = [people[t].full_name for t in teacher_ids if t in people]
    owners = tuple(dict.fromkeys([*teacher_ids, assignment.created_by]))
    for student_id in sorted(students):
        person = people.get(student_id)
        name = person.full_name if person is not None else "—"
        subject, body = email_text(assignment, name, teacher_names, tz)
        recipients = [Recipient(student_id, "student", None)] + [
            Recipient(g, "guardian", student_id) for g in sorted(guardians.get(student_id, ()))
        ]
        await enqueue(
            session,
            school_id=school_id,
            topic=ASSIGNMENT_PUBLISHED,
            subject_ref=f"assignment:{assignment.id}",
            recipients=recipients,
            subject=subject,
            body=body,
            owner_ids=owners,
        )


async def publish(session: AsyncSession, assignment: Assignment, at: datetime) -> None:
    """Publish now (``at``); ``course`` and ``students`` of the assignment are loaded."""
    dir_ = Directory(session, directory)
    assignment.status = "published"
    assignment.published_at = at
    if assignment.publish_at is None or assignment.publish_at > at:
        assignment.publish_at = at
    await session.flush()
    tz = await dir_.timezone(assignment.school_id)
    students = await target_student_ids(dir_, assignment)
    await emit(
        session,
        kernel.outbox,
        school_id=assignment.school_id,
        type=ASSIGNMENT_PUBLISHED,
        aggregate_type="assignment",
        aggregate_id=assignment.id,
        payload=published_payload(assignment, students, tz),
    )
    settings = await school_settings(session, assignment.school_id)
    if settings.email_copies_enabled and students:
        await _send_copies(session, dir_, assignment, students, tz)


async def publish_due(
    session: AsyncSession, now: datetime, *, school_id: uuid.UUID | None = None
) -> int:
    """Publish every scheduled assignment whose time has come (of one school or all);
    each is published as of its own ``publish_at``. Returns how many were published."""
    due = await AssignmentRepository(session).due_for_publication(now, school_id=school_id)
    if not due:
        return 0
    # The platform publishes, not whoever's read happened to come first.
    actor = current_actor()
    set_actor(None)
    published = 0
    try:
        for assignment in due:
            if await withheld(session, assignment):
                continue  # LE-12: waits for an alternative (services/learning/optouts)
            await publish(session, assignment, assignment.publish_at or now)
            published += 1
    finally:
        set_actor(actor)
    return published


# -- the periodic task ----------------------------------------------------------------


async def _publish(app: FastAPI) -> int:
    async with app.state.database.session() as session:
        return await publish_due(session, clock_of(app.state)())


async def start_publisher(app: FastAPI) -> None:
    """on_startup hook: publish scheduled assignments every few seconds."""
    interval = float(app.state.settings.assignment_publish_interval_seconds)
    start_periodic(
        app, "assignment_publisher", interval, _publish, logger, "scheduled assignments published"
    )


async def stop_publisher(app: FastAPI) -> None:
    """on_shutdown hook."""
    await stop_periodic(app, "assignment_publisher")
