"""Tables of the webhooks every service offers for its own change feed (GW-5).

A subscription (URL, event types, secret) belongs to one school. The dispatcher fans
each outbox event out to one delivery per matching subscription (unique per
subscription and event: a delivery is created once), then sends it; every try is an
attempt row (the delivery log). ``webhook_deliveries.id`` is the ``webhook-id`` header:
the same for every try of one delivery, so receivers deduplicate by it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UTCDateTime, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")

SUBSCRIPTIONS = "webhook_subscriptions"
DELIVERIES = "webhook_deliveries"


class WebhookSubscriptionMixin:
    __tablename__ = SUBSCRIPTIONS

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str | None] = mapped_column(String(500))
    # Event types or "prefix.*" patterns; empty: every event of the service.
    event_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(default=True)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Only events written after the subscription (outbox ids above this) are sent.
    after_outbox_id: Mapped[int] = mapped_column(BigId, default=0)
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class WebhookDeliveryMixin:
    __tablename__ = DELIVERIES
    __audit__ = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(f"{SUBSCRIPTIONS}.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(100))
    outbox_id: Mapped[int] = mapped_column(BigId)
    # The exact JSON body sent (signed as is on every try).
    body: Mapped[str] = mapped_column(Text)
    # pending → delivered, or dead after the last allowed attempt (the dead-letter list)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The next try was asked for by a person (manual redelivery).
    manual: Mapped[bool] = mapped_column(default=False)
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class WebhookAttemptMixin:
    __tablename__ = "webhook_attempts"
    __audit__ = False

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey(f"{DELIVERIES}.id", ondelete="CASCADE"), index=True
    )
    school_id: Mapped[uuid.UUID]
    number: Mapped[int]
    # auto (the dispatcher's schedule) or manual (after a redelivery request)
    trigger: Mapped[str] = mapped_column(String(16), default="auto")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(String(500))
    duration_ms: Mapped[int] = mapped_column(default=0)


@dataclass(frozen=True)
class WebhookModels:
    subscription: type[Any]
    delivery: type[Any]
    attempt: type[Any]


def webhook_models(base: type[DeclarativeBase]) -> WebhookModels:
    module = base.__module__
    subscription = type(
        "WebhookSubscription", (WebhookSubscriptionMixin, base), {"__module__": module}
    )
    delivery = type(
        "WebhookDelivery",
        (WebhookDeliveryMixin, base),
        {
            "__module__": module,
            "__table_args__": (
                UniqueConstraint("subscription_id", "event_id"),
                Index("ix_webhook_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
                Index(
                    "ix_webhook_deliveries_subscription_id_created_at",
                    "subscription_id",
                    "created_at",
                ),
            ),
        },
    )
    attempt = type("WebhookAttempt", (WebhookAttemptMixin, base), {"__module__": module})
    return WebhookModels(subscription=subscription, delivery=delivery, attempt=attempt)
