"""The API other features of learning call to send an e-mail copy (LE-5, Reg §2.2).

A thin binding of :func:`services.common.notifications.outbox.enqueue` to learning's
tables; see there for the rules. Example (publishing an assignment)::

    await enqueue(
        session,
        school_id=assignment.school_id,
        topic="assignment.published",
        subject_ref=f"assignment:{assignment.id}",
        recipients=[
            Recipient(student_id, "student"),
            Recipient(guardian_id, "guardian", on_behalf_of=student_id),
        ],
        subject="Новое задание: …",
        body="…",
        owner_ids=course.teacher_ids,
    )
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.notifications import outbox
from services.common.notifications.outbox import Recipient, subject_ref_for
from services.learning.models.notifications import Notification, notification_models

__all__ = ["Notification", "Recipient", "enqueue", "subject_ref_for"]


async def enqueue(
    session: AsyncSession,
    *,
    school_id: uuid.UUID,
    topic: str,
    subject_ref: str,
    recipients: Sequence[Recipient],
    subject: str,
    body: str,
    owner_ids: Sequence[uuid.UUID] = (),
) -> list[Notification]:
    """Write one pending notification per distinct recipient in the caller's transaction."""
    rows: list[Notification] = await outbox.enqueue(
        session,
        notification_models,
        school_id=school_id,
        topic=topic,
        subject_ref=subject_ref,
        recipients=recipients,
        subject=subject,
        body=body,
        owner_ids=owner_ids,
    )
    return rows
