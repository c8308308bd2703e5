"""The change feeds journal applies: identity's directory and learning's events.

Handlers of learning's other events (reviews, tests, assignments …) register in
:data:`LEARNING_HANDLERS` by event type; each runs in the transaction that records the
event as applied, so an event is applied exactly once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.directory import apply_identity_event
from services.common.timetable import TIMETABLE_EVENT_TYPES, apply_timetable_event
from services.journal.marks.service import on_review_completed, on_test_attempt_graded
from services.journal.models import directory, timetable
from services.journal.portfolio.service import (
    on_online_course_completed,
    on_review_completed_portfolio,
)

LearningHandler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


async def on_review_completed_all(session: AsyncSession, event: dict[str, Any]) -> None:
    """A review's mark goes to the journal, the reviewed work to the portfolio."""
    await on_review_completed(session, event)
    await on_review_completed_portfolio(session, event)


LEARNING_HANDLERS: dict[str, LearningHandler] = {
    "review.completed": on_review_completed_all,
    "online_course.completed": on_online_course_completed,
    "test_attempt.graded": on_test_attempt_graded,
}


async def apply_identity(session: AsyncSession, event: dict[str, Any]) -> None:
    await apply_identity_event(session, directory, event)


async def apply_learning(session: AsyncSession, event: dict[str, Any]) -> None:
    type_ = str(event["type"])
    if type_ in TIMETABLE_EVENT_TYPES:
        await apply_timetable_event(session, timetable, event)
    handler = LEARNING_HANDLERS.get(type_)
    if handler is not None:
        await handler(session, event)
