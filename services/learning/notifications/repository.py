"""All SQL of the notification outbox: claiming due rows, recording outcomes, lists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Select, and_, exists, or_, select, update
from sqlalchemy.orm import selectinload

from services.common.errors import BadRequest
from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.models.notifications import (
    Notification,
    NotificationAttempt,
    NotificationOwner,
)

BAD_CURSOR = "Курсор повреждён или не распознан"


@dataclass(frozen=True)
class StatusFilter:
    subject_ref: str | None = None
    topic: str | None = None
    state: str | None = None
    # only the notifications this person owns (a teacher); None: all of the school
    owner_id: uuid.UUID | None = None


def _due(now: datetime) -> Any:
    return and_(Notification.state == "pending", Notification.next_attempt_at <= now)


class NotificationRepository(Repository[Notification]):
    model = Notification

    # -- the dispatcher ------------------------------------------------------------

    async def claim_due(
        self, *, now: datetime, limit: int, lease_until: datetime, token: uuid.UUID
    ) -> list[Notification]:
        """Take up to ``limit`` due pending rows for this dispatcher until ``lease_until``.

        On PostgreSQL the candidates are locked ``FOR UPDATE SKIP LOCKED`` so replicas
        taking rows at the same time get different ones instead of waiting; the update is
        conditional on the row still being due, and marks it with ``token``, which every
        later update of this dispatcher requires (a row whose lease ran out and was taken
        by another dispatcher is no longer ours). SQLite has no row locks (one writer at a
        time): a plain select, and the same conditional update.
        """
        candidates = (
            select(Notification.id)
            .where(_due(now))
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list((await self.session.execute(candidates)).scalars())
        if not ids:
            return []
        await self.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), _due(now))
            .values(claim_token=token, next_attempt_at=lease_until)
            .execution_options(synchronize_session=False)
        )
        stmt = (
            select(Notification)
            .where(Notification.claim_token == token, Notification.id.in_(ids))
            .order_by(Notification.next_attempt_at, Notification.id)
            .execution_options(populate_existing=True)
        )
        return await self.all(stmt)

    async def record(
        self,
        notification: Notification,
        token: uuid.UUID,
        values: dict[str, Any],
        attempt: NotificationAttempt,
    ) -> bool:
        """Store one attempt's outcome if the row is still held with ``token``."""
        result = await self.session.execute(
            update(Notification)
            .where(Notification.id == notification.id, Notification.claim_token == token)
            .values(claim_token=None, **values)
            .execution_options(synchronize_session=False)
        )
        if not isinstance(result, CursorResult) or result.rowcount != 1:
            return False
        self.session.add(attempt)
        await self.session.flush()
        return True

    # -- reads -----------------------------------------------------------------------

    async def get_loaded(
        self, notification_id: uuid.UUID, school_id: uuid.UUID
    ) -> Notification | None:
        stmt = (
            select(Notification)
            .where(Notification.id == notification_id, Notification.school_id == school_id)
            .options(selectinload(Notification.history), selectinload(Notification.owners))
        )
        result: Notification | None = await self.first(stmt)
        return result

    async def status_page(
        self, school_id: uuid.UUID, f: StatusFilter, params: PageParams
    ) -> tuple[list[Notification], dict[str, Any] | None]:
        """Delivery status in the order the copies were written."""
        stmt = select(Notification).where(Notification.school_id == school_id)
        if f.subject_ref is not None:
            stmt = stmt.where(Notification.subject_ref == f.subject_ref)
        if f.topic is not None:
            stmt = stmt.where(Notification.topic == f.topic)
        if f.state is not None:
            stmt = stmt.where(Notification.state == f.state)
        if f.owner_id is not None:
            stmt = stmt.where(
                exists().where(
                    NotificationOwner.notification_id == Notification.id,
                    NotificationOwner.owner_id == f.owner_id,
                )
            )
        stmt = stmt.options(selectinload(Notification.history))
        return await self._keyset(stmt, params, newest_first=False)

    async def recipient_page(
        self, school_id: uuid.UUID, recipient_id: uuid.UUID, params: PageParams
    ) -> tuple[list[Notification], dict[str, Any] | None]:
        """A person's own notifications, newest first."""
        stmt = select(Notification).where(
            Notification.school_id == school_id, Notification.recipient_id == recipient_id
        )
        return await self._keyset(stmt, params, newest_first=True)

    async def _keyset(
        self, stmt: Select[Any], params: PageParams, *, newest_first: bool
    ) -> tuple[list[Notification], dict[str, Any] | None]:
        at, id_ = Notification.created_at, Notification.id
        after = params.after()
        if after is not None:
            try:
                last_at = datetime.fromisoformat(str(after["at"]))
                last_id = uuid.UUID(str(after["id"]))
            except (KeyError, ValueError):
                raise BadRequest(
                    "Курсор повреждён или не распознан", code="invalid-cursor"
                ) from None
            if last_at.tzinfo is None:
                raise BadRequest("Курсор повреждён или не распознан", code="invalid-cursor")
            if newest_first:
                stmt = stmt.where(or_(at < last_at, and_(at == last_at, id_ < last_id)))
            else:
                stmt = stmt.where(or_(at > last_at, and_(at == last_at, id_ > last_id)))
        order = (at.desc(), id_.desc()) if newest_first else (at, id_)
        rows: list[Notification] = await self.all(stmt.order_by(*order).limit(params.limit + 1))
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            last = rows[-1]
            return rows, {"at": last.created_at.isoformat(), "id": str(last.id)}
        return rows, None

    async def is_owner(self, notification_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        stmt = select(NotificationOwner.owner_id).where(
            NotificationOwner.notification_id == notification_id,
            NotificationOwner.owner_id == user_id,
        )
        return (await self.session.execute(stmt)).first() is not None
