"""The tables of a notification outbox: e-mail copies written in a feature's transaction.

A feature that must tell someone something writes one notification per recipient in its
own transaction (:func:`services.common.notifications.outbox.enqueue`); nothing is sent
inside the request. The dispatcher picks due rows up later, asks identity for the
addresses and sends. Delivery is at least once: each message carries a stable
``Message-ID`` derived from the row's id, so a copy resent after a crash is recognised
by mail clients.

States: ``pending`` (waiting for its next attempt) → ``sent``; ``no_address`` (the
recipient has no e-mail: final, shown to the owner); ``failed`` (attempts exhausted or
refused for good: shown, and can be retried by hand). Every attempt and manual retry is
kept in the attempts table, the delivery history.

Each service that sends mail has the three tables in its own database: either it
declares ``class Notification(NotificationMixin, Base)`` (and the owner and attempt
classes, under exactly these class names, so the relationships resolve) or it calls
:func:`notification_models` with its declarative base. Either way it hands a
:class:`NotificationModels` to the outbox, the repository and the dispatcher.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow

NOTIFICATION_STATES = ("pending", "sent", "no_address", "failed")
FINAL_STATES = ("sent", "no_address", "failed")
# The states an owner may send again by hand.
RETRYABLE_STATES = ("failed", "no_address")
RECIPIENT_ROLES = ("student", "guardian", "teacher", "staff", "admin")
# What happened on one attempt (or a manual retry), as kept in the history.
ATTEMPT_OUTCOMES = ("sent", "deferred", "no_address", "failed", "retry_requested")


class NotificationMixin(IdMixin, TimestampMixin):
    __tablename__ = "notifications"

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        # fresh objects per service: an index belongs to one table of one metadata
        return (
            # the dispatcher: due pending rows, oldest first
            Index("ix_notifications_state_next_attempt_at", "state", "next_attempt_at"),
            # delivery status of one subject (an assignment) for its owners
            Index("ix_notifications_school_id_subject_ref_id", "school_id", "subject_ref", "id"),
            # a recipient's own notifications
            Index("ix_notifications_school_id_recipient_id_id", "school_id", "recipient_id", "id"),
        )

    school_id: Mapped[uuid.UUID]
    # What kind of message, e.g. "assignment.published"; and what it is about,
    # e.g. "assignment:<uuid>".
    topic: Mapped[str] = mapped_column(String(100))
    subject_ref: Mapped[str] = mapped_column(String(200))
    recipient_id: Mapped[uuid.UUID]
    recipient_role: Mapped[str] = mapped_column(String(16))
    # The student a guardian's copy is about (null for the student's own copy).
    on_behalf_of: Mapped[uuid.UUID | None]
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # When the dispatcher may take the row (again). While a dispatcher holds the row it
    # is pushed forward by the lease, so a crashed dispatcher's rows come back by
    # themselves. Null in the final states.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=utcnow)
    # Set by the dispatcher that claimed the row; its updates are conditional on it.
    claim_token: Mapped[uuid.UUID | None]
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @declared_attr
    def owners(cls) -> Mapped[list[Any]]:  # noqa: N805
        return relationship(
            "NotificationOwner",
            cascade="all, delete-orphan",
            lazy="raise",
            order_by="NotificationOwner.owner_id",
        )

    @declared_attr
    def history(cls) -> Mapped[list[Any]]:  # noqa: N805
        return relationship(
            "NotificationAttempt",
            cascade="all, delete-orphan",
            lazy="raise",
            order_by="NotificationAttempt.id",
        )

    @property
    def owner_ids(self) -> list[uuid.UUID]:
        return [o.owner_id for o in self.owners]


class NotificationOwnerMixin:
    """Who besides the admins may see a notification's delivery status and retry it
    (for an assignment: its course's teachers)."""

    __tablename__ = "notification_owners"

    school_id: Mapped[uuid.UUID]
    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), primary_key=True
    )
    owner_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)


class NotificationAttemptMixin:
    """One line of a notification's delivery history."""

    __tablename__ = "notification_attempts"
    # the history is itself a log of the dispatcher's work
    __audit__ = False

    # A sequence, not a UUID: the history is read in the order it was written, whatever
    # the clocks of the replicas that wrote it.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    school_id: Mapped[uuid.UUID]
    notification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("notifications.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempt_no: Mapped[int] = mapped_column(default=0)
    outcome: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(String(500))
    # Who asked for a manual retry (null for the dispatcher's own attempts).
    actor_id: Mapped[uuid.UUID | None]


@dataclass(frozen=True)
class NotificationModels:
    """The mapped classes of one service's notification outbox."""

    notification: type[Any]
    owner: type[Any]
    attempt: type[Any]


def notification_models(base: type[DeclarativeBase]) -> NotificationModels:
    """Declare the outbox's three tables on ``base`` (call once per service)."""
    module = base.__module__
    return NotificationModels(
        notification=type("Notification", (NotificationMixin, base), {"__module__": module}),
        owner=type("NotificationOwner", (NotificationOwnerMixin, base), {"__module__": module}),
        attempt=type(
            "NotificationAttempt", (NotificationAttemptMixin, base), {"__module__": module}
        ),
    )
