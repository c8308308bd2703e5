"""Publishing the outbox to NATS JetStream, and consuming it exactly once (GW-5).

For deployments with several replicas the change feed can also flow over JetStream:
:class:`JetStreamPublisher` reads the outbox after its relay position and publishes
each event to ``<prefix>.<service>.<event type>`` in the stream
``<stream prefix>_<SERVICE>`` with ``Nats-Msg-Id`` = the event id. The position moves
only after the server acknowledged the publication (at least once); a publication
repeated after a crash is dropped by the server's duplicate window, and consumers
deduplicate by event id anyway.

:class:`JetStreamConsumer` pulls from a durable consumer and applies each message in
one transaction together with a row in the inbox table (``services.common.feed``):
an event delivered again (a lost ack, a replay) is acknowledged without being applied
again; a handler that fails rolls back and the message is redelivered.

The message body is the feed item (``EventRead`` of ``GET /api/v1/<service>/events``
without the cursor), the same JSON a feed consumer sees.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from typing import Any

import nats
from nats.aio.client import Client as NatsClient
from nats.aio.msg import Msg
from nats.errors import TimeoutError as NatsTimeoutError
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy, StreamConfig
from nats.js.errors import NotFoundError
from sqlalchemy import select

from services.common.db import Database
from services.common.feed import ConsumerModels, Handler
from services.common.models import KernelModels

log = logging.getLogger("eo.jetstream")

RELAY = "jetstream"
DUPLICATE_WINDOW_SECONDS = 24 * 3600.0


def stream_name(stream_prefix: str, service: str) -> str:
    return f"{stream_prefix}_{service.upper()}"


def subject_for(subject_prefix: str, service: str, event_type: str) -> str:
    return f"{subject_prefix}.{service}.{event_type}"


def event_message(event: Any) -> bytes:
    return json.dumps(
        {
            "id": str(event.event_id),
            "type": event.type,
            "aggregate_type": event.aggregate_type,
            "aggregate_id": event.aggregate_id,
            "school_id": str(event.school_id),
            "occurred_at": event.occurred_at.isoformat(),
            "payload": event.payload,
        },
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    ).encode()


async def ensure_stream(
    js: JetStreamContext, name: str, subjects: list[str], *, duplicate_window: float
) -> None:
    try:
        await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(
            StreamConfig(name=name, subjects=subjects, duplicate_window=duplicate_window)
        )


class JetStreamPublisher:
    def __init__(
        self,
        *,
        service: str,
        database: Database,
        kernel: KernelModels,
        url: str,
        subject_prefix: str = "eo",
        stream_prefix: str = "EO",
        batch: int = 500,
        duplicate_window: float = DUPLICATE_WINDOW_SECONDS,
    ) -> None:
        self.service = service
        self.database = database
        self.kernel = kernel
        self.url = url
        self.subject_prefix = subject_prefix
        self.stream = stream_name(stream_prefix, service)
        self.batch = batch
        self.duplicate_window = duplicate_window
        self._nc: NatsClient | None = None
        self._js: JetStreamContext | None = None
        self.last_error: str | None = None

    async def connect(self) -> JetStreamContext:
        if self._js is None or self._nc is None or self._nc.is_closed:
            self._nc = await nats.connect(self.url, connect_timeout=5, max_reconnect_attempts=3)
            self._js = self._nc.jetstream()
            await ensure_stream(
                self._js,
                self.stream,
                [f"{self.subject_prefix}.{self.service}.>"],
                duplicate_window=self.duplicate_window,
            )
        return self._js

    async def close(self) -> None:
        if self._nc is not None and not self._nc.is_closed:
            await self._nc.drain()
        self._nc = None
        self._js = None

    async def publish_once(self) -> int:
        """Publishes every event after the relay position; the number published."""
        js = await self.connect()
        outbox, relay_model = self.kernel.outbox, self.kernel.relay
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
                for event in events:
                    # raises on a missing ack: the position stays before this event
                    await js.publish(
                        subject_for(self.subject_prefix, self.service, event.type),
                        event_message(event),
                        stream=self.stream,
                        headers={"Nats-Msg-Id": str(event.event_id)},
                    )
                    relay.last_id = event.id
                    relay.events_relayed = relay.events_relayed + 1
                    total += 1
            if len(events) < self.batch:
                return total

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        while not stop.is_set():
            try:
                await self.publish_once()
                self.last_error = None
            except Exception as exc:  # the loop must survive the server going away
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("jetstream %s: %s", self.service, self.last_error)
                with contextlib.suppress(Exception):
                    await self.close()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
        await self.close()


class JetStreamConsumer:
    """A durable pull consumer of one service's stream, applied exactly once."""

    def __init__(
        self,
        *,
        js: JetStreamContext,
        upstream: str,
        durable: str,
        database: Database,
        models: ConsumerModels,
        handler: Handler,
        subject_prefix: str = "eo",
        stream_prefix: str = "EO",
        types: list[str] | None = None,
        ack_wait: float = 30.0,
    ) -> None:
        self.js = js
        self.upstream = upstream
        self.durable = durable
        self.database = database
        self.models = models
        self.handler = handler
        self.subject_prefix = subject_prefix
        self.stream = stream_name(stream_prefix, upstream)
        self.types = set(types or ())
        self.ack_wait = ack_wait
        self.source = f"nats:{upstream}"
        self._sub: JetStreamContext.PullSubscription | None = None

    async def subscription(self) -> JetStreamContext.PullSubscription:
        if self._sub is None:
            self._sub = await self.js.pull_subscribe(
                f"{self.subject_prefix}.{self.upstream}.>",
                durable=self.durable,
                stream=self.stream,
                config=ConsumerConfig(
                    ack_policy=AckPolicy.EXPLICIT,
                    deliver_policy=DeliverPolicy.ALL,
                    ack_wait=self.ack_wait,
                ),
            )
        return self._sub

    async def apply(self, msg: Msg) -> bool:
        """Applies one message in one transaction (unless its event was seen); True when
        the handler ran. Does not acknowledge."""
        event = json.loads(msg.data)
        event_id = uuid.UUID(str(event["id"]))
        async with self.database.session() as session:
            seen = await session.execute(
                select(self.models.inbox.event_id).where(self.models.inbox.event_id == event_id)
            )
            if seen.first() is not None:
                return False
            if not self.types or event.get("type") in self.types:
                await self.handler(session, event)
            session.add(
                self.models.inbox(event_id=event_id, source=self.source, type=str(event["type"]))
            )
        return True

    async def consume_once(self, batch: int = 100, wait: float = 1.0) -> int:
        """Fetches and applies up to ``batch`` messages; the number of events applied."""
        sub = await self.subscription()
        try:
            messages = await sub.fetch(batch, timeout=wait)
        except (NatsTimeoutError, TimeoutError):
            return 0
        applied = 0
        for msg in messages:
            try:
                applied += int(await self.apply(msg))
            except Exception:
                log.exception("jetstream %s: handler failed; redelivery asked", self.upstream)
                await msg.nak()
                continue
            await msg.ack()
        return applied
