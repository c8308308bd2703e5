"""The API features call to send an e-mail copy (LE-5, Reg §2.2; CO-3).

``enqueue`` only writes rows — one :class:`Notification` per recipient, state
``pending`` — in the caller's transaction: the message exists exactly when the change
that caused it was committed, and nothing is sent inside the request. The dispatcher
(``dispatcher.py``) delivers them later, at least once.

Each service binds its own tables (see ``models.py``); example (learning, publishing
an assignment)::

    await enqueue(
        session,
        notification_models,
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

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.notifications.models import RECIPIENT_ROLES, NotificationModels

__all__ = ["Recipient", "enqueue", "subject_ref_for"]

SUBJECT_MAX = 300
BODY_MAX = 100_000
_TOPIC = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
_REF = re.compile(r"^[a-z][a-z0-9_]*:[A-Za-z0-9_.\-]+$")


@dataclass(frozen=True, slots=True)
class Recipient:
    """Who gets a copy: a person, in which role, and (for a guardian) about which child."""

    user_id: uuid.UUID
    role: str  # "student" | "guardian" (any role of RECIPIENT_ROLES)
    on_behalf_of: uuid.UUID | None = None


def subject_ref_for(kind: str, id_: uuid.UUID) -> str:
    """The conventional reference of what a message is about, e.g. ``assignment:<id>``."""
    return f"{kind}:{id_}"


def _one_line(text: str) -> str:
    # A header is one line: line breaks and control characters would break the message
    # (and are a header-injection vector), so runs of whitespace become one space.
    return " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())


async def enqueue(
    session: AsyncSession,
    models: NotificationModels,
    *,
    school_id: uuid.UUID,
    topic: str,
    subject_ref: str,
    recipients: Sequence[Recipient],
    subject: str,
    body: str,
    owner_ids: Sequence[uuid.UUID] = (),
) -> list[Any]:
    """Write one pending notification per distinct recipient in the caller's transaction.

    ``topic`` names the kind of message (``assignment.published``), ``subject_ref`` what
    it is about (``assignment:<uuid>``); ``owner_ids`` are the people, besides the
    school's admins, who may see the delivery status and retry a failed copy (an
    assignment's course teachers). ``subject`` and ``body`` are plain text (Russian).
    A recipient listed twice (same person, same child) gets one copy. Raises
    ``ValueError`` on a programming mistake (unknown role, malformed topic or reference,
    empty subject); never sends anything and only flushes.
    """
    if not _TOPIC.match(topic) or len(topic) > 100:
        raise ValueError(f"malformed notification topic: {topic!r}")
    if not _REF.match(subject_ref) or len(subject_ref) > 200:
        raise ValueError(f"malformed notification subject_ref: {subject_ref!r}")
    subject = _one_line(subject)
    if not subject:
        raise ValueError("a notification needs a subject")
    if len(subject) > SUBJECT_MAX:
        subject = subject[: SUBJECT_MAX - 1] + "…"
    body = body.replace("\x00", "")
    if len(body) > BODY_MAX:
        raise ValueError("notification body too long")
    owners = sorted(set(owner_ids))
    now = utcnow()
    seen: set[tuple[uuid.UUID, uuid.UUID | None]] = set()
    rows: list[Any] = []
    for recipient in recipients:
        if recipient.role not in RECIPIENT_ROLES:
            raise ValueError(f"unknown recipient role: {recipient.role!r}")
        key = (recipient.user_id, recipient.on_behalf_of)
        if key in seen:
            continue
        seen.add(key)
        rows.append(
            models.notification(
                id=uuid.uuid4(),
                school_id=school_id,
                topic=topic,
                subject_ref=subject_ref,
                recipient_id=recipient.user_id,
                recipient_role=recipient.role,
                on_behalf_of=recipient.on_behalf_of,
                subject=subject,
                body=body,
                state="pending",
                attempts=0,
                next_attempt_at=now,
                # one microsecond apart: lists ordered by (created_at, id) show a batch
                # in the order it was written (a student, then the student's guardians)
                created_at=now + timedelta(microseconds=len(rows)),
                owners=[models.owner(school_id=school_id, owner_id=o) for o in owners],
                history=[],
            )
        )
    if rows:
        session.add_all(rows)
        await session.flush()
    return rows
