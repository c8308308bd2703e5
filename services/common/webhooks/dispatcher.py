"""The webhook dispatcher: outbox → deliveries → signed POSTs with retries (GW-5).

``fan_out`` reads the outbox after the ``webhooks`` relay position and creates one
delivery per matching active subscription (unique per subscription and event, so a
re-read creates nothing twice), moving the position in the same transaction.
``deliver_due`` takes the deliveries whose time has come under a lease (several
replicas never send the same delivery at once), sends each, and records the attempt:
2xx → delivered (never sent again by the schedule); otherwise the next try waits
backoff × 2^(n-1) (at most backoff_max) and after the last allowed attempt the
delivery is dead (the dead-letter list) until someone asks for a redelivery.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import func, or_, select, update

from services.common.db import Database, utcnow
from services.common.models import KernelModels
from services.common.settings import BaseServiceSettings
from services.common.webhooks.service import matches
from services.common.webhooks.signing import signature_header
from services.common.webhooks.targets import TargetPolicy, TargetRefused, check_target

log = logging.getLogger("eo.webhooks")

RELAY = "webhooks"
USER_AGENT = "eo-platform-webhooks/1"


def delivery_body(service: str, event: Any) -> str:
    """The JSON body of every delivery of ``event`` (documented in docs/integration.md)."""
    return json.dumps(
        {
            "event_id": str(event.event_id),
            "type": event.type,
            "service": service,
            "school_id": str(event.school_id),
            "aggregate_type": event.aggregate_type,
            "aggregate_id": event.aggregate_id,
            "timestamp": event.occurred_at.isoformat(),
            "data": event.payload,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )


class WebhookDispatcher:
    def __init__(
        self,
        *,
        service: str,
        database: Database,
        kernel: KernelModels,
        settings: BaseServiceSettings,
        http: httpx.AsyncClient | None = None,
        batch: int = 200,
        concurrency: int = 8,
    ) -> None:
        self.service = service
        self.database = database
        self.kernel = kernel
        self.models = kernel.webhooks
        self.settings = settings
        self.policy = TargetPolicy.from_settings(
            settings.webhook_allowed_hosts,
            settings.webhook_allowed_networks,
            require_https=settings.environment == "production",
        )
        self._own_http = http is None
        self.http = http or httpx.AsyncClient(
            timeout=settings.webhook_timeout_seconds, follow_redirects=False
        )
        self.batch = batch
        self.concurrency = concurrency
        self.last_error: str | None = None

    async def aclose(self) -> None:
        if self._own_http:
            await self.http.aclose()

    def backoff(self, attempts: int) -> timedelta:
        seconds = self.settings.webhook_backoff_seconds * 2 ** max(0, attempts - 1)
        return timedelta(seconds=min(seconds, self.settings.webhook_backoff_max_seconds))

    # -- outbox → deliveries ----------------------------------------------------------

    async def fan_out(self) -> int:
        """Creates the deliveries of new outbox events; the number of events read."""
        outbox, relay_model = self.kernel.outbox, self.kernel.relay
        sub_model, delivery_model = self.models.subscription, self.models.delivery
        total = 0
        while True:
            async with self.database.session() as session:
                relay = await session.get(relay_model, RELAY, with_for_update=True)
                if relay is None:
                    relay = relay_model(name=RELAY, last_id=0, events_relayed=0)
                    session.add(relay)
                    await session.flush()
                events = list(
                    (
                        await session.execute(
                            select(outbox)
                            .where(outbox.id > relay.last_id)
                            .order_by(outbox.id)
                            .limit(self.batch)
                        )
                    ).scalars()
                )
                if not events:
                    return total
                schools = {e.school_id for e in events}
                subs = (
                    await session.execute(
                        select(sub_model).where(
                            sub_model.school_id.in_(schools), sub_model.active.is_(True)
                        )
                    )
                ).scalars()
                by_school: dict[Any, list[Any]] = defaultdict(list)
                for sub in subs:
                    by_school[sub.school_id].append(sub)
                for event in events:
                    body: str | None = None
                    for sub in by_school.get(event.school_id, ()):
                        if event.id <= sub.after_outbox_id or not matches(
                            sub.event_types, event.type
                        ):
                            continue
                        body = body or delivery_body(self.service, event)
                        session.add(
                            delivery_model(
                                school_id=event.school_id,
                                subscription_id=sub.id,
                                event_id=event.event_id,
                                event_type=event.type,
                                outbox_id=event.id,
                                body=body,
                                status="pending",
                                attempts=0,
                                next_attempt_at=event.occurred_at,
                            )
                        )
                relay.last_id = events[-1].id
                relay.events_relayed = relay.events_relayed + len(events)
                total += len(events)
            if len(events) < self.batch:
                return total

    # -- deliveries → HTTP ------------------------------------------------------------

    async def _claim(self, now: datetime) -> list[Any]:
        model = self.models.delivery
        lease = timedelta(seconds=self.settings.webhook_lease_seconds)
        claimed: list[Any] = []
        async with self.database.session() as session:
            due = (
                await session.execute(
                    select(model.id)
                    .where(
                        model.status == "pending",
                        model.next_attempt_at <= now,
                        or_(model.lease_until.is_(None), model.lease_until < now),
                    )
                    .order_by(model.next_attempt_at, model.outbox_id)
                    .limit(self.batch)
                )
            ).scalars()
            for delivery_id in list(due):
                taken = await session.execute(
                    update(model)
                    .where(
                        model.id == delivery_id,
                        model.status == "pending",
                        or_(model.lease_until.is_(None), model.lease_until < now),
                    )
                    .values(lease_until=now + lease)
                )
                if getattr(taken, "rowcount", 0) == 1:
                    claimed.append(delivery_id)
        return claimed

    async def _send(self, delivery: Any, sub: Any) -> tuple[int | None, str | None]:
        secrets = [sub.secret]
        if (
            sub.previous_secret
            and sub.previous_secret_until is not None
            and sub.previous_secret_until > utcnow()
        ):
            secrets.append(sub.previous_secret)
        body = delivery.body.encode()
        try:
            await check_target(sub.url, self.policy)
            headers = signature_header(secrets, str(delivery.id), int(time.time()), body)
            headers["content-type"] = "application/json"
            headers["user-agent"] = USER_AGENT
            async with self.http.stream("POST", sub.url, content=body, headers=headers) as resp:
                code = resp.status_code
        except TargetRefused as exc:
            return None, str(exc.detail)[:500]
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"[:500]
        if 200 <= code < 300:
            return code, None
        return code, f"HTTP {code}"

    async def _deliver(self, delivery_id: Any, now: datetime) -> bool:
        delivery_model, attempt_model = self.models.delivery, self.models.attempt
        async with self.database.session() as session:
            delivery = await session.get(delivery_model, delivery_id)
            sub = (
                await session.get(self.models.subscription, delivery.subscription_id)
                if delivery is not None
                else None
            )
            if delivery is None or sub is None:
                return False
            if not sub.active:  # paused: keep it pending for when it is resumed
                delivery.lease_until = None
                return False
        started = utcnow()
        clock = time.monotonic()
        code, error = await self._send(delivery, sub)
        duration = int((time.monotonic() - clock) * 1000)
        async with self.database.session() as session:
            delivery = await session.get(delivery_model, delivery_id)
            if delivery is None:  # the subscription was deleted meanwhile
                return True
            number = (
                await session.execute(
                    select(func.count())
                    .select_from(attempt_model)
                    .where(attempt_model.delivery_id == delivery_id)
                )
            ).scalar_one()
            session.add(
                attempt_model(
                    delivery_id=delivery_id,
                    school_id=delivery.school_id,
                    number=int(number) + 1,
                    trigger="manual" if delivery.manual else "auto",
                    started_at=started,
                    status_code=code,
                    error=error,
                    duration_ms=duration,
                )
            )
            delivery.attempts = delivery.attempts + 1
            delivery.manual = False
            delivery.lease_until = None
            delivery.last_status_code = code
            delivery.last_error = error
            if error is None:
                delivery.status = "delivered"
                delivery.delivered_at = utcnow()
            elif delivery.attempts >= self.settings.webhook_max_attempts:
                delivery.status = "dead"
                log.warning("webhook delivery %s is dead: %s", delivery_id, error)
            else:
                delivery.next_attempt_at = now + self.backoff(delivery.attempts)
        return True

    async def deliver_due(self, now: datetime | None = None) -> int:
        """Sends every delivery due at ``now``; the number of attempts made."""
        now = now or utcnow()
        claimed = await self._claim(now)
        gate = asyncio.Semaphore(self.concurrency)

        async def one(delivery_id: Any) -> bool:
            async with gate:
                return await self._deliver(delivery_id, now)

        done = await asyncio.gather(*(one(d) for d in claimed))
        return sum(1 for d in done if d)

    async def run_once(self, now: datetime | None = None) -> int:
        await self.fan_out()
        return await self.deliver_due(now)

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        """Dispatch until ``stop`` is set; errors are logged and retried after ``interval``."""
        while not stop.is_set():
            try:
                await self.run_once()
                self.last_error = None
            except Exception as exc:  # the loop must survive any database or network fault
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("webhooks %s: %s", self.service, self.last_error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
