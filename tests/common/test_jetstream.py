"""The outbox published to NATS JetStream and consumed exactly once (GW-5).

Against the real nats-server with JetStream at 127.0.0.1:4222 (``TEST_NATS_URL``).
Each test uses its own subject and stream prefix and deletes its stream afterwards.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections.abc import AsyncIterator
from typing import Any

import nats
import nats.js.errors
import pytest
from fastapi import FastAPI
from nats.js import JetStreamContext
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.jetstream import (
    RELAY,
    JetStreamConsumer,
    JetStreamPublisher,
    stream_name,
)
from services.common.outbox import emit
from services.compliance.models import consumer as consumer_models
from tests.support.databases import migrated_url
from tests.support.service_world import running_app

# synthetic event types on a service's outbox (see tests/common/conftest.py)
pytestmark = pytest.mark.usefixtures("unchecked_payloads")

# The machine's nats-server with JetStream (.ci/run starts it when it is not answering).
NATS_URL = os.environ.get("TEST_NATS_URL", "nats://127.0.0.1:4222")
SERVICE = "compliance"


@pytest.fixture(scope="session")
def js_db_url(db_backend: str) -> str:
    return migrated_url(SERVICE, db_backend)


@pytest.fixture
def prefixes() -> tuple[str, str]:
    tag = uuid.uuid4().hex[:10]
    return f"eotest{tag}", f"EOTEST{tag}"


@pytest.fixture
async def js(prefixes: tuple[str, str]) -> AsyncIterator[JetStreamContext]:
    nc = await nats.connect(NATS_URL, connect_timeout=5)
    context = nc.jetstream()
    try:
        yield context
    finally:
        try:
            await context.delete_stream(stream_name(prefixes[1], SERVICE))
        finally:
            await nc.close()


@pytest.fixture
async def js_app(js_db_url: str, prefixes: tuple[str, str]) -> AsyncIterator[FastAPI]:
    # the background publisher is off here (no nats_url): the test drives it
    async with running_app(SERVICE, js_db_url) as app:
        yield app


async def emit_events(app: FastAPI, count: int) -> list[str]:
    school = uuid.uuid4()
    ids = []
    async with app.state.database.session() as session:
        for n in range(count):
            event = await emit(
                session,
                app.state.kernel.outbox,
                school_id=school,
                type="norm_settings.updated",
                aggregate_type="norm_settings",
                aggregate_id=uuid.uuid4(),
                payload={"n": n},
            )
            ids.append(str(event.event_id))
    return ids


def publisher_of(app: FastAPI, prefixes: tuple[str, str]) -> JetStreamPublisher:
    return JetStreamPublisher(
        service=SERVICE,
        database=app.state.database,
        kernel=app.state.kernel,
        url=NATS_URL,
        subject_prefix=prefixes[0],
        stream_prefix=prefixes[1],
    )


async def stream_messages(js: JetStreamContext, prefixes: tuple[str, str]) -> int:
    info = await js.stream_info(stream_name(prefixes[1], SERVICE))
    return int(info.state.messages)


class TestJetStream:
    async def test_publish_at_least_once_and_consume_exactly_once(
        self, js_app: FastAPI, js: JetStreamContext, prefixes: tuple[str, str]
    ) -> None:
        # a relay that never ran starts at the beginning of the outbox
        async with js_app.state.database.session() as session:
            await session.execute(
                delete(js_app.state.kernel.relay).where(js_app.state.kernel.relay.name == RELAY)
            )
        written = await emit_events(js_app, 3)
        publisher = publisher_of(js_app, prefixes)
        try:
            published = await publisher.publish_once()
            assert published >= 3
            total = await stream_messages(js, prefixes)
            assert total == published
            # a crash after the acks but before the position was saved: publish again
            async with js_app.state.database.session() as session:
                await session.execute(
                    update(js_app.state.kernel.relay)
                    .where(js_app.state.kernel.relay.name == RELAY)
                    .values(last_id=0)
                )
            assert await publisher.publish_once() == published
            # the server dropped the repeats by Nats-Msg-Id
            assert await stream_messages(js, prefixes) == total
        finally:
            await publisher.close()

        seen: list[dict[str, Any]] = []

        async def handler(session: AsyncSession, event: dict[str, Any]) -> None:
            seen.append(event)

        consumer = JetStreamConsumer(
            js=js,
            upstream=SERVICE,
            durable=f"test{uuid.uuid4().hex[:8]}",
            database=js_app.state.database,
            models=consumer_models,
            handler=handler,
            subject_prefix=prefixes[0],
            stream_prefix=prefixes[1],
        )
        sub = await consumer.subscription()
        # the first message is applied, but its ack is lost: the server redelivers it
        (first,) = await sub.fetch(1, timeout=5)
        assert await consumer.apply(first) is True
        await first.nak()
        applied = 0
        for _ in range(10):
            applied += await consumer.consume_once(batch=100, wait=1.0)
            if len(seen) >= total:
                break
        ids = [event["id"] for event in seen]
        assert len(ids) == len(set(ids)) == total  # each event applied once
        assert set(written) <= set(ids)
        assert applied == total - 1
        mine = [e for e in seen if e["id"] in written]
        assert [e["payload"] for e in mine] == [{"n": 0}, {"n": 1}, {"n": 2}]
        assert mine[0]["type"] == "norm_settings.updated"
        # nothing left: the redelivered first message was acknowledged
        assert await consumer.consume_once(batch=100, wait=0.5) == 0
        inbox = consumer_models.inbox
        async with js_app.state.database.session() as session:
            stored = await session.execute(
                select(func.count()).select_from(inbox).where(inbox.source == f"nats:{SERVICE}")
            )
            assert stored.scalar_one() >= total

    async def test_message_body_is_the_feed_item(
        self, js_app: FastAPI, js: JetStreamContext, prefixes: tuple[str, str]
    ) -> None:
        publisher = publisher_of(js_app, prefixes)
        try:
            await publisher.publish_once()
            (event_id,) = await emit_events(js_app, 1)
            assert await publisher.publish_once() == 1
        finally:
            await publisher.close()
        stream = stream_name(prefixes[1], SERVICE)
        message = await js.get_last_msg(stream, f"{prefixes[0]}.{SERVICE}.norm_settings.updated")
        assert message.headers is not None
        assert message.headers["Nats-Msg-Id"] == event_id
        body = json.loads(message.data or b"{}")
        assert body["id"] == event_id
        assert set(body) == {
            "id",
            "type",
            "aggregate_type",
            "aggregate_id",
            "school_id",
            "occurred_at",
            "payload",
        }


async def test_the_service_publishes_in_the_background_when_configured(
    js_db_url: str, js: JetStreamContext, prefixes: tuple[str, str]
) -> None:
    """``<SERVICE>_NATS_URL`` set: the app's own publisher relays the outbox."""
    async with running_app(
        SERVICE,
        js_db_url,
        nats_url=NATS_URL,
        nats_subject_prefix=prefixes[0],
        nats_stream_prefix=prefixes[1],
        nats_poll_seconds=0.1,
    ) as app:
        assert isinstance(app.state.jetstream, JetStreamPublisher)
        (event_id,) = await emit_events(app, 1)
        stream = stream_name(prefixes[1], SERVICE)
        subject = f"{prefixes[0]}.{SERVICE}.norm_settings.updated"
        found = None
        for _ in range(100):
            try:
                message = await js.get_last_msg(stream, subject)
            except nats.js.errors.NotFoundError:
                message = None
            if (
                message is not None
                and message.headers
                and (message.headers.get("Nats-Msg-Id") == event_id)
            ):
                found = message
                break
            await asyncio.sleep(0.1)
        assert found is not None, app.state.jetstream.last_error
