"""What a student with a §3.9 opt-out (and their guardian) sees (LE-12).

In the student's timetable and assignments an item covered by the student's opt-out is
marked ``opted_out: true``; a lesson with ЭО or ДОТ then shows its alternative and no
video-room link — the student takes it in person or on paper. Other views leave the
mark null.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from services.learning.models import Assignment, Course
from services.learning.optouts.guard import NEEDS_ALTERNATIVE, covering
from services.learning.optouts.repository import OptOutReplicaRepository
from services.learning.timetable.schemas import LessonRead


async def mark_lessons(
    session: AsyncSession,
    school_id: uuid.UUID,
    student_id: uuid.UUID,
    lessons: list[LessonRead],
    courses: dict[uuid.UUID, Course],
) -> list[LessonRead]:
    rows = await OptOutReplicaRepository(session).of_students(school_id, [student_id])
    out = []
    for ls in lessons:
        course = courses.get(ls.course.id)
        opted = course is not None and student_id in covering(rows, course, ls.date)
        changes: dict[str, object] = {"opted_out": opted}
        if opted and ls.delivery_form in NEEDS_ALTERNATIVE:
            changes["video_room_url"] = None
        out.append(ls.model_copy(update=changes))
    return out


async def opted_out_assignments(
    session: AsyncSession,
    school_id: uuid.UUID,
    student_id: uuid.UUID,
    assignments: Sequence[Assignment],
    tz: ZoneInfo,
    now: datetime,
) -> set[uuid.UUID]:
    """The assignments (course loaded) covered by the student's opt-out when given."""
    rows = await OptOutReplicaRepository(session).of_students(school_id, [student_id])
    if not rows:
        return set()
    out = set()
    for a in assignments:
        given: date = (a.published_at or a.publish_at or now).astimezone(tz).date()
        if student_id in covering(rows, a.course, given):
            out.add(a.id)
    return out
