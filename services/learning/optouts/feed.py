"""Applying compliance's opt-out events to learning's replica (CO-4 → LE-12).

``optout.submitted`` / ``optout.registered`` / ``optout.withdrawn`` carry the whole
application; the handler is an upsert guarded by the application's ``version``, so a
replay or an older copy never undoes a newer state.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.learning.models import OptOutReplica

OPTOUT_EVENT_TYPES = ["optout.submitted", "optout.registered", "optout.withdrawn"]
COMPLIANCE_EVENT_TYPES = [*OPTOUT_EVENT_TYPES]


def _date(value: Any) -> date | None:
    return date.fromisoformat(str(value)) if value else None


async def apply_compliance(session: AsyncSession, event: dict[str, Any]) -> None:
    """Apply one event of compliance's feed (idempotent)."""
    if str(event["type"]) not in OPTOUT_EVENT_TYPES:
        return
    p: dict[str, Any] = event.get("payload") or {}
    optout_id = uuid.UUID(str(p["id"]))
    version = int(p.get("version") or 1)
    row = await session.get(OptOutReplica, optout_id)
    if row is not None and row.version > version:
        return
    course_ids = p.get("course_ids")
    registration = p.get("registration") or {}
    values: dict[str, Any] = {
        "school_id": uuid.UUID(str(event["school_id"])),
        "student_id": uuid.UUID(str(p["student_id"])),
        "class_group_id": uuid.UUID(str(p["class_group_id"])),
        "course_ids": [str(c) for c in course_ids] if course_ids else None,
        "status": str(p["status"]),
        "effective_from": _date(p.get("effective_from")),
        "effective_to": _date(p.get("effective_to")),
        "registration_number": registration.get("number"),
        "version": version,
    }
    if row is None:
        session.add(OptOutReplica(id=optout_id, **values))
    else:
        for name, value in values.items():
            setattr(row, name, value)
    await session.flush()
