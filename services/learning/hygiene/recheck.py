"""Items published "not checked" are checked once compliance answers again (Reg §2.5).

A school that publishes while compliance cannot be asked
(``compliance_unreachable = mark_unchecked``) gets every such lesson and assignment
checked later: in the background every ``LEARNING_HYGIENE_RECHECK_INTERVAL_SECONDS``
(300 by default) and at once when an administrator asks
(``POST /api/v1/learning/hygiene/recheck``).

Only what is still ahead is asked: lessons from the school's today on that are not
cancelled, scheduled or published assignments not yet due. The answer replaces "not
checked" on the item; a re-checked lesson emits ``lesson.changed`` so that the journal,
compliance and integrators see the outcome too. A violation found now does not take the
item back (it is out already): it is stored on the item with its severity and a note,
so teachers and the dashboard see it. The first item compliance cannot be asked about
ends the round (no waiting out a timeout per item); the next round tries again.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import and_, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.common.db import utcnow
from services.common.directory import Directory
from services.common.periodic import start_periodic, stop_periodic
from services.learning.events import LESSON_CHANGED, emit_lesson_event
from services.learning.hygiene.client import LESSON_CHECK, STUDENT_DAY_CHECK
from services.learning.hygiene.service import HygieneGate, gate_of, store
from services.learning.models import Assignment, Lesson, directory
from services.learning.timetable.repository import LessonRepository

logger = logging.getLogger("eo.learning.hygiene")

NOT_CHECKED = "not_checked"
# Items asked per school and round: a long outage is caught up over a few rounds.
BATCH = 200


@dataclass
class Rechecked:
    """What one round did for one school."""

    checked: int = 0
    with_violations: int = 0
    still_unchecked: int = 0


def _lessons_ahead(today: date) -> Any:
    return and_(
        Lesson.compliance_status == NOT_CHECKED,
        Lesson.status != "cancelled",
        Lesson.date >= today,
    )


def _assignments_ahead(now: datetime) -> Any:
    return and_(
        Assignment.compliance_status == NOT_CHECKED,
        Assignment.status.in_(("scheduled", "published")),
        Assignment.due_at >= now,
    )


async def recheck_school(app_state: Any, session: AsyncSession, school_id: uuid.UUID) -> Rechecked:
    """Ask compliance about the school's items still marked ``not_checked``; once it
    cannot be asked, the rest of the round waits for the next one."""
    gate = gate_of(app_state, session, school_id)
    tz = await Directory(session, directory).timezone(school_id)
    now = utcnow()
    done = Rechecked()

    lessons = (
        await session.scalars(
            select(Lesson)
            .where(Lesson.school_id == school_id, _lessons_ahead(now.astimezone(tz).date()))
            .order_by(Lesson.date, Lesson.starts_at, Lesson.id)
            .limit(BATCH)
        )
    ).all()
    assignments = (
        await session.scalars(
            select(Assignment)
            .where(Assignment.school_id == school_id, _assignments_ahead(now))
            .options(selectinload(Assignment.course))
            .order_by(Assignment.due_at, Assignment.id)
            .limit(BATCH)
        )
    ).all()
    repo = LessonRepository(session)
    courses = await repo.courses(school_id, (lesson.course_id for lesson in lessons))
    topics = await repo.topics(lesson.topic_id for lesson in lessons if lesson.topic_id)

    for lesson in lessons:
        course = courses[lesson.course_id]
        body = gate.lesson_body(lesson, course)
        if not await _settle(gate, lesson, LESSON_CHECK, body, done):
            done.still_unchecked = len(lessons) + len(assignments) - done.checked
            return done
        lesson.version += 1
        await session.flush()
        topic = topics.get(lesson.topic_id) if lesson.topic_id else None
        await emit_lesson_event(session, LESSON_CHANGED, lesson, course, topic)
    for assignment in assignments:
        body = gate.assignment_body(assignment, tz)
        if not await _settle(gate, assignment, STUDENT_DAY_CHECK, body, done):
            done.still_unchecked = len(lessons) + len(assignments) - done.checked
            return done
    return done


async def _settle(
    gate: HygieneGate, item: Any, path: str, body: dict[str, Any] | None, done: Rechecked
) -> bool:
    """Store compliance's answer on ``item``; False when compliance cannot be asked."""
    if body is None:  # no screen use any more: nothing to check
        store(item, None)
        done.checked += 1
        return True
    outcome = await gate.recheck(path, body)
    if outcome is None:
        return False
    store(item, outcome)
    done.checked += 1
    if outcome.violations:
        done.with_violations += 1
    return True


async def recheck_all(app: FastAPI) -> int:
    """The background round: every school with items ahead still marked ``not_checked``."""
    database = app.state.database
    now = utcnow()
    # a day back: "today" is the school's, in whatever time zone
    since = (now - timedelta(days=1)).date()
    async with database.session() as session:
        schools = (
            await session.scalars(
                union(
                    select(Lesson.school_id).where(_lessons_ahead(since)),
                    select(Assignment.school_id).where(_assignments_ahead(now)),
                )
            )
        ).all()
    checked = 0
    for school_id in sorted(schools):
        async with database.session() as session:
            checked += (await recheck_school(app.state, session, school_id)).checked
    return checked


async def start_hygiene_recheck(app: FastAPI) -> None:
    """on_startup hook."""
    interval = float(app.state.settings.hygiene_recheck_interval)
    start_periodic(app, "hygiene_recheck", interval, recheck_all, logger, "unchecked items checked")


async def stop_hygiene_recheck(app: FastAPI) -> None:
    """on_shutdown hook."""
    await stop_periodic(app, "hygiene_recheck")
