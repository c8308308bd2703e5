"""Works received by learning and their reviews, from learning's feed (CO-8, Reg §2.3).

``submission.received`` carries ``review_due_at``, the end of the school day by which
the work must be checked (learning's rule: a work received before the school day ends
is checked that day, one received later by the end of the next day's school day). For
an event without it (written before learning added the field) the same rule is applied
with learning's default end of the school day, 18:00, in the school's time zone.
A newer version of a work supersedes the older one: only the latest waits for review.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.directory import Directory
from services.compliance.models import ReviewWatch, directory

DEFAULT_SCHOOL_DAY_ENDS_AT = time(18, 0)
SUBMISSION_RECEIVED = "submission.received"
REVIEW_COMPLETED = "review.completed"


async def _due(session: AsyncSession, school_id: uuid.UUID, received_at: datetime) -> datetime:
    tz = await Directory(session, directory).timezone(school_id)
    arrived = received_at.astimezone(tz)
    day_end = datetime.combine(arrived.date(), DEFAULT_SCHOOL_DAY_ENDS_AT, tzinfo=tz)
    if received_at >= day_end:
        day_end = datetime.combine(
            arrived.date() + timedelta(days=1), DEFAULT_SCHOOL_DAY_ENDS_AT, tzinfo=tz
        )
    return day_end


async def on_submission_received(session: AsyncSession, event: dict[str, Any]) -> None:
    p: dict[str, Any] = event.get("payload") or {}
    school_id = uuid.UUID(str(event["school_id"]))
    submission_id = uuid.UUID(str(p["id"]))
    if await session.get(ReviewWatch, submission_id) is not None:
        return
    received_at = datetime.fromisoformat(str(p["received_at"]))
    due = (
        datetime.fromisoformat(str(p["review_due_at"]))
        if p.get("review_due_at")
        else await _due(session, school_id, received_at)
    )
    assignment_id = uuid.UUID(str(p["assignment_id"]))
    student_id = uuid.UUID(str(p["student_id"]))
    version = int(p.get("version") or 1)
    await session.execute(
        update(ReviewWatch)
        .where(
            ReviewWatch.assignment_id == assignment_id,
            ReviewWatch.student_id == student_id,
            ReviewWatch.version < version,
        )
        .values(superseded=True)
    )
    session.add(
        ReviewWatch(
            submission_id=submission_id,
            school_id=school_id,
            assignment_id=assignment_id,
            course_id=uuid.UUID(str(p["course_id"])),
            student_id=student_id,
            version=version,
            received_at=received_at,
            review_due_at=due,
            reviewed_at=None,
            superseded=False,
        )
    )
    await session.flush()


async def on_review_completed(session: AsyncSession, event: dict[str, Any]) -> None:
    p: dict[str, Any] = event.get("payload") or {}
    row = await session.get(ReviewWatch, uuid.UUID(str(p["submission_id"])))
    if row is None or row.reviewed_at is not None:
        return  # a work received before compliance listened, or a review changed later
    row.reviewed_at = datetime.fromisoformat(str(p["reviewed_at"]))
    await session.flush()


HANDLERS = {SUBMISSION_RECEIVED: on_submission_received, REVIEW_COMPLETED: on_review_completed}
