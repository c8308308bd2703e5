"""The change feeds compliance applies: identity's directory and learning's events.

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
from services.compliance.dashboard.reviews import HANDLERS as REVIEW_HANDLERS
from services.compliance.models import directory, timetable

LearningHandler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]

LEARNING_HANDLERS: dict[str, LearningHandler] = {
    # CO-8: works received and reviewed, for the same-day review section of the dashboard
    **REVIEW_HANDLERS,
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
