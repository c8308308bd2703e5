"""Compliance's opt-out events fed into learning through the feed handler (LE-12).

The events look like compliance's ``optout.*`` events (services/compliance/optouts);
they are applied with :func:`services.learning.optouts.feed.apply_compliance`, the
handler of learning's compliance feed, as ``seed_directory`` does for identity.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import FastAPI

from services.learning.optouts.feed import apply_compliance
from tests.support.service_world import World

IN_FORCE_FROM = date(2026, 11, 1)


def optout_event(
    world: World,
    student: str | uuid.UUID,
    *,
    optout_id: uuid.UUID | None = None,
    status: str = "registered",
    class_name: str = "7Б",
    course_ids: list[uuid.UUID] | None = None,
    effective_from: date | None = IN_FORCE_FROM,
    effective_to: date | None = None,
    version: int = 2,
) -> dict[str, Any]:
    student_id = student if isinstance(student, uuid.UUID) else world.id(student)
    return {
        "id": str(uuid.uuid4()),
        "type": f"optout.{status}",
        "school_id": str(world.school_id),
        "payload": {
            "id": str(optout_id or uuid.uuid4()),
            "student_id": str(student_id),
            "student_name": "",
            "class_group_id": str(world.class_id(class_name)),
            "class_group_ids": [str(world.class_id(class_name))],
            "grade": 7,
            "level": "basic",
            "course_ids": [str(c) for c in course_ids] if course_ids else None,
            "status": status,
            "filed_by": str(world.id("guardian")),
            "filed_by_role": "guardian",
            "filed_on": "2026-10-30",
            "document": {"number": None, "date": "2026-10-30"},
            "registration": (
                {"number": "вх-15", "date": "2026-11-01", "registered_by": str(world.id("admin"))}
                if status != "submitted"
                else None
            ),
            "effective_from": effective_from.isoformat() if effective_from else None,
            "effective_to": effective_to.isoformat() if effective_to else None,
            "version": version,
        },
    }


async def feed(app: FastAPI, *events: dict[str, Any]) -> None:
    """Apply compliance's events as learning's feed consumer would."""
    async with app.state.database.session() as session:
        for e in events:
            await apply_compliance(session, e)


async def register_optout(
    app: FastAPI, world: World, student: str = "student", **kw: Any
) -> uuid.UUID:
    optout_id = uuid.uuid4()
    await feed(
        app,
        optout_event(
            world, student, optout_id=optout_id, status="submitted", version=1, effective_from=None
        ),
        optout_event(world, student, optout_id=optout_id, **kw),
    )
    return optout_id
