"""Tables every service has in its own database: the audit log (X-4), the outbox that
feeds the change feed, stored idempotent responses, the outbox relays' positions and
the webhooks of the change feed (GW-5).

Each service calls :func:`kernel_models` once with its declarative base.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UTCDateTime, utcnow
from services.common.webhooks.models import WebhookModels, webhook_models

BigId = BigInteger().with_variant(Integer(), "sqlite")


class AuditLogMixin:
    __tablename__ = "audit_log"
    __audit__ = False

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    school_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_id: Mapped[uuid.UUID | None]
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(64))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    request_id: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class OutboxEventMixin:
    __tablename__ = "outbox_events"
    __audit__ = False

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    event_id: Mapped[uuid.UUID] = mapped_column(unique=True, default=uuid.uuid4)
    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    type: Mapped[str] = mapped_column(String(100))
    aggregate_type: Mapped[str] = mapped_column(String(64))
    aggregate_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[uuid.UUID | None]
    request_id: Mapped[str | None] = mapped_column(String(128))


class OutboxRelayMixin:
    """How far a relay of the outbox got: the webhook fan-out, the JetStream publisher.

    ``last_id`` moves only after the events up to it were handed on (at least once).
    """

    __tablename__ = "outbox_relays"
    __audit__ = False

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    last_id: Mapped[int] = mapped_column(BigId, default=0)
    events_relayed: Mapped[int] = mapped_column(BigId, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class IdempotencyRecordMixin:
    __tablename__ = "idempotency_keys"
    __audit__ = False
    __table_args__ = (UniqueConstraint("scope", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    scope: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16))
    response_status: Mapped[int | None]
    response_headers: Mapped[list[list[str]] | None] = mapped_column(JSON)
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class KernelModels:
    audit: type[Any]
    outbox: type[Any]
    idempotency: type[Any]
    relay: type[Any]
    webhooks: WebhookModels


def kernel_models(base: type[DeclarativeBase]) -> KernelModels:
    module = base.__module__
    audit = type("AuditLog", (AuditLogMixin, base), {"__module__": module})
    outbox = type(
        "OutboxEvent",
        (OutboxEventMixin, base),
        {
            "__module__": module,
            "__table_args__": (Index("ix_outbox_events_school_id_id", "school_id", "id"),),
        },
    )
    idem = type("IdempotencyRecord", (IdempotencyRecordMixin, base), {"__module__": module})
    relay = type("OutboxRelay", (OutboxRelayMixin, base), {"__module__": module})
    return KernelModels(
        audit=audit,
        outbox=outbox,
        idempotency=idem,
        relay=relay,
        webhooks=webhook_models(base),
    )
