"""Webhook subscriptions and their deliveries: the rules behind the endpoints."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import BadRequest, BusinessRuleError, Conflict, NotFound
from services.common.models import KernelModels
from services.common.pagination import PageParams
from services.common.webhooks.signing import generate_secret
from services.common.webhooks.targets import TargetPolicy, check_target


def matches(patterns: Sequence[str], event_type: str) -> bool:
    """Empty: every type; ``x.y``: that type; ``x.*``: every type starting with ``x.``."""
    if not patterns:
        return True
    for pattern in patterns:
        if pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def check_event_types(patterns: Sequence[str], known: Sequence[str]) -> list[str]:
    unknown = [p for p in patterns if not any(matches([p], t) for t in known)]
    if unknown:
        raise BusinessRuleError(
            "Неизвестные типы событий: " + ", ".join(unknown) + ". Допустимы: " + ", ".join(known),
            code="unknown-event-type",
        )
    return list(dict.fromkeys(patterns))


def _page_after(params: PageParams) -> tuple[datetime, uuid.UUID] | None:
    after = params.after()
    if after is None:
        return None
    try:
        at, last = datetime.fromisoformat(str(after["c"])), uuid.UUID(str(after["i"]))
    except (KeyError, ValueError, TypeError) as exc:
        raise BadRequest("Курсор повреждён или не распознан", code="invalid-cursor") from exc
    if at.tzinfo is None:
        raise BadRequest("Курсор повреждён или не распознан", code="invalid-cursor")
    return at, last


def after_key(model: Any, after: tuple[datetime, uuid.UUID]) -> Any:
    return (model.created_at > after[0]) | ((model.created_at == after[0]) & (model.id > after[1]))


class WebhookService:
    def __init__(
        self,
        session: AsyncSession,
        kernel: KernelModels,
        event_types: Sequence[str],
        policy: TargetPolicy,
        *,
        secret_grace: timedelta,
    ) -> None:
        self.session = session
        self.kernel = kernel
        self.models = kernel.webhooks
        self.event_types = list(event_types)
        self.policy = policy
        self.secret_grace = secret_grace

    async def _last_outbox_id(self) -> int:
        outbox = self.kernel.outbox
        found = await self.session.execute(select(func.max(outbox.id)))
        return int(found.scalar() or 0)

    async def get(self, school_id: uuid.UUID, webhook_id: uuid.UUID) -> Any:
        sub = await self.session.get(self.models.subscription, webhook_id)
        if sub is None or sub.school_id != school_id:
            raise NotFound("Подписка на веб-хуки не найдена", code="webhook-not-found")
        return sub

    async def create(
        self,
        school_id: uuid.UUID,
        actor_id: uuid.UUID,
        *,
        url: str,
        event_types: Sequence[str],
        description: str | None,
        active: bool,
    ) -> Any:
        types = check_event_types(event_types, self.event_types)
        await check_target(url, self.policy)
        sub = self.models.subscription(
            school_id=school_id,
            url=url,
            event_types=types,
            description=description or None,
            active=active,
            secret=generate_secret(),
            after_outbox_id=await self._last_outbox_id(),
            created_by=actor_id,
        )
        self.session.add(sub)
        await self.session.flush()
        return sub

    async def list_subscriptions(
        self, school_id: uuid.UUID, params: PageParams
    ) -> tuple[list[Any], Any]:
        model = self.models.subscription
        stmt = select(model).where(model.school_id == school_id)
        after = _page_after(params)
        if after is not None:
            stmt = stmt.where(
                (model.created_at > after[0])
                | ((model.created_at == after[0]) & (model.id > after[1]))
            )
        stmt = stmt.order_by(model.created_at, model.id).limit(params.limit + 1)
        rows = list((await self.session.execute(stmt)).scalars())
        nxt = None
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            nxt = {"c": rows[-1].created_at.isoformat(), "i": str(rows[-1].id)}
        return rows, nxt

    async def update(
        self, school_id: uuid.UUID, webhook_id: uuid.UUID, changes: dict[str, Any]
    ) -> Any:
        sub = await self.get(school_id, webhook_id)
        if changes.get("event_types") is not None:
            sub.event_types = check_event_types(changes["event_types"], self.event_types)
        if changes.get("url") is not None:
            await check_target(changes["url"], self.policy)
            sub.url = changes["url"]
        if "description" in changes:
            sub.description = changes["description"] or None
        if changes.get("active") is not None:
            if changes["active"] and not sub.active:
                # resumed: events written while it was paused are not sent
                sub.after_outbox_id = await self._last_outbox_id()
            sub.active = changes["active"]
        sub.updated_at = utcnow()
        await self.session.flush()
        return sub

    async def delete(self, school_id: uuid.UUID, webhook_id: uuid.UUID) -> None:
        sub = await self.get(school_id, webhook_id)
        await self.session.delete(sub)
        await self.session.flush()

    async def rotate_secret(self, school_id: uuid.UUID, webhook_id: uuid.UUID) -> Any:
        sub = await self.get(school_id, webhook_id)
        if self.secret_grace.total_seconds() > 0:
            sub.previous_secret = sub.secret
            sub.previous_secret_until = utcnow() + self.secret_grace
        else:
            sub.previous_secret = None
            sub.previous_secret_until = None
        sub.secret = generate_secret()
        sub.updated_at = utcnow()
        await self.session.flush()
        return sub

    # -- deliveries -------------------------------------------------------------------

    async def deliveries(
        self,
        school_id: uuid.UUID,
        webhook_id: uuid.UUID,
        params: PageParams,
        status: str | None,
    ) -> tuple[list[Any], Any]:
        await self.get(school_id, webhook_id)
        model = self.models.delivery
        stmt = select(model).where(model.subscription_id == webhook_id)
        if status is not None:
            stmt = stmt.where(model.status == status)
        after = _page_after(params)
        if after is not None:
            stmt = stmt.where(
                (model.created_at > after[0])
                | ((model.created_at == after[0]) & (model.id > after[1]))
            )
        stmt = stmt.order_by(model.created_at, model.id).limit(params.limit + 1)
        rows = list((await self.session.execute(stmt)).scalars())
        nxt = None
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            nxt = {"c": rows[-1].created_at.isoformat(), "i": str(rows[-1].id)}
        return rows, nxt

    async def delivery(
        self, school_id: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> tuple[Any, list[Any]]:
        await self.get(school_id, webhook_id)
        found = await self.session.get(self.models.delivery, delivery_id)
        if found is None or found.subscription_id != webhook_id:
            raise NotFound("Доставка не найдена", code="webhook-delivery-not-found")
        attempt = self.models.attempt
        attempts = (
            await self.session.execute(
                select(attempt).where(attempt.delivery_id == delivery_id).order_by(attempt.id)
            )
        ).scalars()
        return found, list(attempts)

    async def redeliver(
        self, school_id: uuid.UUID, webhook_id: uuid.UUID, delivery_id: uuid.UUID
    ) -> Any:
        found, _ = await self.delivery(school_id, webhook_id, delivery_id)
        if found.status == "pending":
            raise Conflict(
                "Доставка уже ожидает отправки; повторный запуск не нужен",
                code="webhook-delivery-pending",
            )
        found.status = "pending"
        found.attempts = 0
        found.manual = True
        found.next_attempt_at = utcnow()
        found.lease_until = None
        await self.session.flush()
        return found
