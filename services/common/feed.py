"""Consuming another service's change feed: at least once, applied exactly once.

A :class:`FeedConsumer` reads ``GET /api/v1/<upstream>/events?after=<cursor>`` with a
service token (identity's ``client_credentials`` grant) and applies each page of events
in one transaction of its own database, together with the new cursor and one row per
event id in its inbox. A crash before the commit re-reads the page; an event seen
again (a replay, a reset cursor) is skipped by its id. A handler that fails rolls the
page back and the consumer retries it later: nothing is skipped, nothing applied twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import Database, UTCDateTime, utcnow

log = logging.getLogger("eo.feed")

Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]


class FeedCursorMixin:
    __tablename__ = "feed_cursors"
    __audit__ = False

    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[str] = mapped_column(String(200))
    events_applied: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class InboxEventMixin:
    __tablename__ = "inbox_events"
    __audit__ = False

    event_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(64))
    type: Mapped[str] = mapped_column(String(100))
    processed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


@dataclass(frozen=True)
class ConsumerModels:
    cursor: type[Any]
    inbox: type[Any]


def consumer_models(base: type[DeclarativeBase]) -> ConsumerModels:
    module = base.__module__
    return ConsumerModels(
        cursor=type("FeedCursor", (FeedCursorMixin, base), {"__module__": module}),
        inbox=type("InboxEvent", (InboxEventMixin, base), {"__module__": module}),
    )


class ServiceTokenSource:
    """Access tokens of this service from identity's client_credentials grant."""

    def __init__(
        self, http: httpx.AsyncClient, token_url: str, client_id: str, client_secret: str
    ) -> None:
        self.http = http
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self._token: str | None = None
        self._valid_until = 0.0
        self._lock = asyncio.Lock()

    def invalidate(self) -> None:
        self._token = None

    async def token(self) -> str:
        async with self._lock:
            if self._token is None or time.monotonic() >= self._valid_until:
                response = await self.http.post(
                    self.token_url,
                    data={
                        "grant_type": "client_credentials",
                        "client_id": self.client_id,
                        "client_secret": self.client_secret,
                    },
                )
                response.raise_for_status()
                body = response.json()
                self._token = str(body["access_token"])
                lifetime = float(body.get("expires_in") or 60)
                self._valid_until = time.monotonic() + max(5.0, lifetime - 30.0)
            return self._token

    async def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {await self.token()}"}


class FeedError(Exception):
    """The upstream refused the request (its body says why)."""


class FeedConsumer:
    def __init__(
        self,
        *,
        source: str,
        events_url: str,
        database: Database,
        models: ConsumerModels,
        handler: Handler,
        tokens: ServiceTokenSource,
        http: httpx.AsyncClient,
        types: Sequence[str] = (),
        batch: int = 500,
    ) -> None:
        self.source = source
        self.events_url = events_url
        self.database = database
        self.models = models
        self.handler = handler
        self.tokens = tokens
        self.http = http
        self.types = list(types)
        self.batch = batch
        self.last_error: str | None = None

    async def cursor(self) -> str | None:
        async with self.database.session() as session:
            row = await session.get(self.models.cursor, self.source)
            return row.cursor if row is not None else None

    async def _fetch(self, after: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": self.batch}
        if after:
            params["after"] = after
        if self.types:
            params["types"] = ",".join(self.types)
        for attempt in (1, 2):
            response = await self.http.get(
                self.events_url, params=params, headers=await self.tokens.headers()
            )
            if response.status_code == 401 and attempt == 1:
                self.tokens.invalidate()  # expired or signed by a rotated-out key
                continue
            if response.status_code != 200:
                raise FeedError(f"{self.source}: HTTP {response.status_code}: {response.text}")
            return dict(response.json())
        raise FeedError(f"{self.source}: unauthorised")  # pragma: no cover

    async def _apply(self, items: list[dict[str, Any]], next_cursor: str) -> int:
        applied = 0
        async with self.database.session() as session:
            ids = [uuid.UUID(str(item["id"])) for item in items]
            seen = set(
                (
                    await session.execute(
                        select(self.models.inbox.event_id).where(
                            self.models.inbox.event_id.in_(ids)
                        )
                    )
                ).scalars()
            )
            for item, event_id in zip(items, ids, strict=True):
                if event_id in seen:
                    continue
                seen.add(event_id)
                await self.handler(session, item)
                session.add(
                    self.models.inbox(event_id=event_id, source=self.source, type=str(item["type"]))
                )
                applied += 1
            cursor = await session.get(self.models.cursor, self.source)
            if cursor is None:
                session.add(
                    self.models.cursor(
                        source=self.source, cursor=next_cursor, events_applied=applied
                    )
                )
            else:
                cursor.cursor = next_cursor
                cursor.events_applied = cursor.events_applied + applied
            await session.commit()
        return applied

    async def poll_once(self) -> int:
        """Read and apply everything the upstream has now; the number of events applied."""
        total = 0
        after = await self.cursor()
        while True:
            page = await self._fetch(after)
            items = list(page.get("items") or [])
            next_cursor = page.get("next_cursor") or after
            if items and next_cursor:
                total += await self._apply(items, str(next_cursor))
                after = str(next_cursor)
            if len(items) < self.batch:
                break
        self.last_error = None
        return total

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        """Poll until ``stop`` is set; errors are logged and retried after ``interval``."""
        while not stop.is_set():
            try:
                await self.poll_once()
            except Exception as exc:  # the loop must survive any upstream or handler fault
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("feed %s: %s", self.source, self.last_error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)
