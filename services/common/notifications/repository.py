"""All SQL of a notification outbox: claiming due rows, recording outcomes, lists."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Select, and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.common.errors import BadRequest
from services.common.notifications.models import NotificationModels
from services.common.pagination import PageParams

BAD_CURSOR = "Курсор повреждён или не распознан"


@dataclass(frozen=True)
class StatusFilter:
    subject_ref: str | None = None
    topic: str | None = None
    state: str | None = None
    # only the notifications this person owns (a teacher); None: all of the school
    owner_id: uuid.UUID | None = None


class NotificationRepository:
    """The outbox's queries over one service's tables (``models``)."""

    def __init__(self, session: AsyncSession, models: NotificationModels) -> None:
        self.session = session
        self.models = models

    def _due(self, now: datetime) -> Any:
        n = self.models.notification
        return and_(n.state == "pending", n.next_attempt_at <= now)

    async def all(self, stmt: Select[Any]) -> list[Any]:
        return list((await self.session.execute(stmt)).scalars().all())

    # -- the dispatcher ------------------------------------------------------------

    async def claim_due(
        self, *, now: datetime, limit: int, lease_until: datetime, token: uuid.UUID
    ) -> list[Any]:
        """Take up to ``limit`` due pending rows for this dispatcher until ``lease_until``.

        On PostgreSQL the candidates are locked ``FOR UPDATE SKIP LOCKED`` so replicas
        taking rows at the same time get different ones instead of waiting; the update is
        conditional on the row still being due, and marks it with ``token``, which every
        later update of this dispatcher requires (a row whose lease ran out and was taken
        by another dispatcher is no longer ours). SQLite has no row locks (one writer at a
        time): a plain select, and the same conditional update.
        """
        n = self.models.notification
        candidates = (
            select(n.id).where(self._due(now)).order_by(n.next_attempt_at, n.id).limit(limit)
        )
        if self.session.get_bind().dialect.name == "postgresql":
            candidates = candidates.with_for_update(skip_locked=True)
        ids = list((await self.session.execute(candidates)).scalars())
        if not ids:
            return []
        await self.session.execute(
            update(n)
            .where(n.id.in_(ids), self._due(now))
            .values(claim_token=token, next_attempt_at=lease_until)
            .execution_options(synchronize_session=False)
        )
        stmt = (
            select(n)
            .where(n.claim_token == token, n.id.in_(ids))
            .order_by(n.next_attempt_at, n.id)
            .execution_options(populate_existing=True)
        )
        return await self.all(stmt)

    async def record(
        self,
        notification: Any,
        token: uuid.UUID,
        values: dict[str, Any],
        attempt: Any,
    ) -> bool:
        """Store one attempt's outcome if the row is still held with ``token``."""
        n = self.models.notification
        result = await self.session.execute(
            update(n)
            .where(n.id == notification.id, n.claim_token == token)
            .values(claim_token=None, **values)
            .execution_options(synchronize_session=False)
        )
        if not isinstance(result, CursorResult) or result.rowcount != 1:
            return False
        self.session.add(attempt)
        await self.session.flush()
        return True

    # -- reads -----------------------------------------------------------------------

    async def get_loaded(self, notification_id: uuid.UUID, school_id: uuid.UUID) -> Any | None:
        n = self.models.notification
        stmt = (
            select(n)
            .where(n.id == notification_id, n.school_id == school_id)
            .options(selectinload(n.history), selectinload(n.owners))
        )
        return (await self.session.execute(stmt)).scalars().first()

    async def status_page(
        self, school_id: uuid.UUID, f: StatusFilter, params: PageParams
    ) -> tuple[list[Any], dict[str, Any] | None]:
        """Delivery status in the order the copies were written."""
        n, owner = self.models.notification, self.models.owner
        stmt = select(n).where(n.school_id == school_id)
        if f.subject_ref is not None:
            stmt = stmt.where(n.subject_ref == f.subject_ref)
        if f.topic is not None:
            stmt = stmt.where(n.topic == f.topic)
        if f.state is not None:
            stmt = stmt.where(n.state == f.state)
        if f.owner_id is not None:
            stmt = stmt.where(
                exists().where(
                    owner.notification_id == n.id,
                    owner.owner_id == f.owner_id,
                )
            )
        stmt = stmt.options(selectinload(n.history))
        return await self._keyset(stmt, params, newest_first=False)

    async def recipient_page(
        self, school_id: uuid.UUID, recipient_id: uuid.UUID, params: PageParams
    ) -> tuple[list[Any], dict[str, Any] | None]:
        """A person's own notifications, newest first."""
        n = self.models.notification
        stmt = select(n).where(n.school_id == school_id, n.recipient_id == recipient_id)
        return await self._keyset(stmt, params, newest_first=True)

    async def _keyset(
        self, stmt: Select[Any], params: PageParams, *, newest_first: bool
    ) -> tuple[list[Any], dict[str, Any] | None]:
        n = self.models.notification
        at, id_ = n.created_at, n.id
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
        rows = await self.all(stmt.order_by(*order).limit(params.limit + 1))
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            last = rows[-1]
            return rows, {"at": last.created_at.isoformat(), "id": str(last.id)}
        return rows, None

    async def is_owner(self, notification_id: uuid.UUID, user_id: uuid.UUID) -> bool:
        owner = self.models.owner
        stmt = select(owner.owner_id).where(
            owner.notification_id == notification_id,
            owner.owner_id == user_id,
        )
        return (await self.session.execute(stmt)).first() is not None
