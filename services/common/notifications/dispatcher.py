"""The background worker that delivers a service's notification outbox (LE-5, Reg §2.2).

One pass (:meth:`Dispatcher.run_once`):

1. take the due ``pending`` rows (``claim_due``: ``FOR UPDATE SKIP LOCKED`` on
   PostgreSQL, so replicas never take the same row; each taken row is leased until
   ``now + notification_lease_seconds``);
2. ask identity for the recipients' addresses, for the whole batch at once;
3. send each message and record its outcome in a transaction of its own:
   ``sent``; ``no_address`` (no e-mail, unknown or deactivated recipient: final);
   a transient failure (server down, 4xx, identity unreachable) waits
   ``backoff × 2^(attempts-1)`` (at most ``backoff_max``) and is tried again, and after
   ``max_attempts`` becomes ``failed``; a permanent refusal (5xx about the recipient or
   the content) is ``failed`` at once. A failed copy stays listed and can be retried by
   hand.

Delivery is **at least once**: the outcome is committed after the server accepted the
message, so a crash (or a lost database) in between leaves the row leased, and it is
sent again when the lease runs out. Every copy carries the same ``Message-ID``
(derived from the notification id), which mail clients use to show it once. Nothing is
ever lost: a row leaves ``pending`` only with a recorded outcome.

A service wires it with :func:`notification_hooks` (its tables and settings): the pair
of lifespan hooks builds the dispatcher as ``app.state.notification_dispatcher`` (tests
drive it with ``run_once``) and runs it in the background when enabled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.headerregistry import Address
from typing import Any

from fastapi import FastAPI

from services.common.db import Database, utcnow
from services.common.notifications.contacts import (
    Contact,
    ContactDirectory,
    ContactsUnavailable,
)
from services.common.notifications.models import NotificationModels
from services.common.notifications.repository import NotificationRepository
from services.common.notifications.settings import NotificationSettings
from services.common.notifications.transports import (
    ERROR_MAX,
    MaildirTransport,
    SendError,
    SmtpConfig,
    SmtpTransport,
    Transport,
    build_message,
    recipient_address,
    sender_address,
)

log = logging.getLogger("eo.notifications")

NO_CONTACT = "Получатель не найден в справочнике пользователей"
INACTIVE = "Учётная запись получателя отключена"
NO_EMAIL = "У получателя не указан адрес электронной почты"
BAD_EMAIL = "Адрес электронной почты получателя указан неверно"
# A run takes batches until nothing is due; this bounds one run all the same.
MAX_BATCHES_PER_RUN = 100


@dataclass(frozen=True)
class DispatchPolicy:
    batch_size: int = 50
    max_attempts: int = 10
    backoff_seconds: float = 30.0
    backoff_max_seconds: float = 3600.0
    lease_seconds: float = 600.0

    def delay(self, attempts: int) -> timedelta:
        """The wait after the ``attempts``-th failed attempt: 30 s, 60 s, 120 s … 1 h."""
        exponent = min(max(attempts - 1, 0), 32)
        seconds = min(self.backoff_seconds * (2**exponent), self.backoff_max_seconds)
        return timedelta(seconds=seconds)


@dataclass
class DispatchReport:
    """What one run did (counts per outcome)."""

    sent: int = 0
    deferred: int = 0
    no_address: int = 0
    failed: int = 0
    # rows whose lease had passed to another dispatcher before the outcome was stored
    lost_lease: int = 0
    outcomes: dict[uuid.UUID, str] = field(default_factory=dict)

    @property
    def handled(self) -> int:
        return self.sent + self.deferred + self.no_address + self.failed


class Dispatcher:
    def __init__(
        self,
        database: Database,
        transport: Transport,
        contacts: ContactDirectory,
        *,
        models: NotificationModels,
        sender: Address,
        policy: DispatchPolicy,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.database = database
        self.models = models
        self.transport = transport
        self.contacts = contacts
        self.sender = sender
        self.policy = policy
        self.clock = clock
        self.last_error: str | None = None

    async def run_once(self) -> DispatchReport:
        """Deliver everything due now (batch after batch)."""
        report = DispatchReport()
        for _ in range(MAX_BATCHES_PER_RUN):
            taken = await self._run_batch(report)
            if taken < self.policy.batch_size:
                break
        return report

    async def run(self, stop: asyncio.Event, interval: float) -> None:
        """Run passes until ``stop`` is set; a failing pass is logged and tried again."""
        while not stop.is_set():
            try:
                await self.run_once()
                self.last_error = None
            except Exception as exc:  # the loop must outlive a database or transport fault
                self.last_error = f"{type(exc).__name__}: {exc}"
                log.warning("notification dispatcher: %s", self.last_error)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=interval)

    async def _run_batch(self, report: DispatchReport) -> int:
        token = uuid.uuid4()
        now = self.clock()
        async with self.database.session() as session:
            rows = await NotificationRepository(session, self.models).claim_due(
                now=now,
                limit=self.policy.batch_size,
                lease_until=now + timedelta(seconds=self.policy.lease_seconds),
                token=token,
            )
        if not rows:
            return 0
        try:
            contacts = await self.contacts.lookup({r.recipient_id for r in rows})
        except ContactsUnavailable as exc:
            error = f"Справочник контактов недоступен: {exc}"
            for row in rows:
                await self._retry_later(row, token, error, report)
            return len(rows)
        for row in rows:
            await self._deliver(row, token, contacts.get(row.recipient_id), report)
        return len(rows)

    async def _deliver(
        self,
        row: Any,
        token: uuid.UUID,
        contact: Contact | None,
        report: DispatchReport,
    ) -> None:
        # identity answers for every school: a contact of another school is no contact
        if contact is None or contact.school_id != row.school_id:
            await self._final(row, token, "no_address", NO_CONTACT, report)
            return
        if not contact.is_active:
            await self._final(row, token, "no_address", INACTIVE, report)
            return
        if not contact.email:
            await self._final(row, token, "no_address", NO_EMAIL, report)
            return
        to = recipient_address(contact.display_name, contact.email)
        if to is None:
            await self._final(row, token, "no_address", BAD_EMAIL, report)
            return
        message = build_message(
            notification_id=row.id,
            sender=self.sender,
            to=to,
            subject=row.subject,
            body=row.body,
            created_at=row.created_at,
        )
        try:
            await self.transport.send(message)
        except SendError as exc:
            if exc.permanent:
                await self._final(row, token, "failed", str(exc), report)
            else:
                await self._retry_later(row, token, str(exc), report)
            return
        await self._final(row, token, "sent", None, report)

    async def _store(
        self,
        row: Any,
        token: uuid.UUID,
        outcome: str,
        values: dict[str, Any],
        error: str | None,
        report: DispatchReport,
        now: datetime,
    ) -> None:
        attempts = row.attempts + 1
        values = {**values, "attempts": attempts, "last_attempt_at": now}
        attempt = self.models.attempt(
            school_id=row.school_id,
            notification_id=row.id,
            at=now,
            attempt_no=attempts,
            outcome=outcome,
            error=error[:ERROR_MAX] if error else None,
        )
        async with self.database.session() as session:
            stored = await NotificationRepository(session, self.models).record(
                row, token, values, attempt
            )
        if not stored:
            report.lost_lease += 1
            return
        report.outcomes[row.id] = outcome
        if outcome == "sent":
            report.sent += 1
        elif outcome == "deferred":
            report.deferred += 1
        elif outcome == "no_address":
            report.no_address += 1
        else:
            report.failed += 1

    async def _final(
        self,
        row: Any,
        token: uuid.UUID,
        state: str,
        error: str | None,
        report: DispatchReport,
    ) -> None:
        now = self.clock()
        values: dict[str, Any] = {"state": state, "next_attempt_at": None, "last_error": error}
        if state == "sent":
            values["sent_at"] = now
        await self._store(row, token, state, values, error, report, now)

    async def _retry_later(
        self, row: Any, token: uuid.UUID, error: str, report: DispatchReport
    ) -> None:
        attempts = row.attempts + 1
        if attempts >= self.policy.max_attempts:
            await self._final(row, token, "failed", error, report)
            return
        now = self.clock()
        values = {
            "next_attempt_at": now + self.policy.delay(attempts),
            "last_error": error[:ERROR_MAX],
        }
        await self._store(row, token, "deferred", values, error, report, now)


# -- wiring into the app ----------------------------------------------------------------


def build_transport(settings: NotificationSettings) -> Transport:
    if settings.smtp_host:
        return SmtpTransport(
            SmtpConfig(
                host=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=(
                    settings.smtp_password.get_secret_value() if settings.smtp_password else None
                ),
                starttls=settings.smtp_starttls,
                timeout=settings.smtp_timeout_seconds,
            )
        )
    return MaildirTransport(settings.mail_dir)


def build_dispatcher(app: FastAPI, models: NotificationModels) -> Dispatcher:
    settings: NotificationSettings = app.state.settings
    return Dispatcher(
        app.state.database,
        build_transport(settings),
        ContactDirectory(app.state.http, app.state.service_tokens, settings.identity_url),
        models=models,
        sender=sender_address(settings.smtp_from),
        policy=DispatchPolicy(
            batch_size=settings.notification_batch_size,
            max_attempts=settings.notification_max_attempts,
            backoff_seconds=settings.notification_backoff_seconds,
            backoff_max_seconds=settings.notification_backoff_max_seconds,
            lease_seconds=settings.notification_lease_seconds,
        ),
    )


Hook = Callable[[FastAPI], Awaitable[None]]


def notification_hooks(
    models: NotificationModels,
    build: Callable[[FastAPI, NotificationModels], Dispatcher] = build_dispatcher,
) -> tuple[Hook, Hook]:
    """The ``on_startup`` and ``on_shutdown`` hooks of a service's outbox dispatcher."""

    async def start(app: FastAPI) -> None:
        settings: NotificationSettings = app.state.settings
        dispatcher = build(app, models)
        app.state.notification_dispatcher = dispatcher
        app.state.notification_stop = asyncio.Event()
        app.state.notification_task = None
        if settings.notifications_running:
            app.state.notification_task = asyncio.create_task(
                dispatcher.run(app.state.notification_stop, settings.notification_poll_seconds)
            )

    async def stop(app: FastAPI) -> None:
        # let the current message finish, then close the transport
        dispatcher: Dispatcher | None = getattr(app.state, "notification_dispatcher", None)
        if dispatcher is None:
            return
        app.state.notification_stop.set()
        task: asyncio.Task[None] | None = app.state.notification_task
        if task is not None:
            await task
        await dispatcher.transport.close()

    start.__name__ = "start_notifications"
    stop.__name__ = "stop_notifications"
    return start, stop
