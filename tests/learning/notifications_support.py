"""Helpers of the notification outbox tests: a real SMTP server (aiosmtpd) on a free
port, a real in-process identity app for the contacts lookup, a clock the tests move."""

from __future__ import annotations

import email
import email.policy
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from services.common.db import Database, utcnow
from services.learning.models import Notification
from services.learning.notifications.dispatcher import Dispatcher
from services.learning.notifications.outbox import Recipient, enqueue
from tests.support.keys import mint

API = "/api/v1/learning"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Received:
    envelope_from: str
    envelope_to: list[str]
    message: EmailMessage


@dataclass
class MailHandler:
    """Collects what the server accepted; can refuse DATA a number of times (4xx) and
    refuse chosen recipients for good (5xx)."""

    refuse_data: int = 0
    refuse_data_reply: str = "451 4.3.0 try again later"
    refused_recipients: set[str] = field(default_factory=set)
    received: list[Received] = field(default_factory=list)
    refusals: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refused_recipients:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self.lock:
            if self.refusals < self.refuse_data:
                self.refusals += 1
                return self.refuse_data_reply
            raw = envelope.original_content or b""
            message = email.message_from_bytes(raw, policy=email.policy.default)
            assert isinstance(message, EmailMessage)
            self.received.append(
                Received(str(envelope.mail_from), list(envelope.rcpt_tos), message)
            )
        return "250 Message accepted for delivery"


@contextmanager
def smtp_server() -> Iterator[tuple[MailHandler, int]]:
    handler = MailHandler()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


class Clock:
    """The dispatcher's clock: real time plus what the test added."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return utcnow() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)


def dispatcher_of(app: FastAPI) -> Dispatcher:
    dispatcher: Dispatcher = app.state.notification_dispatcher
    return dispatcher


@asynccontextmanager
async def connected(learning: FastAPI, identity: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Point learning's service token and contacts lookup at the in-process identity."""
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=identity), base_url="http://127.0.0.1:8001"
    )
    learning.state.service_tokens.http = http
    learning.state.service_tokens.invalidate()
    dispatcher_of(learning).contacts.http = http
    try:
        yield http
    finally:
        await http.aclose()


async def add_notifications(
    app: FastAPI,
    *,
    school_id: uuid.UUID,
    recipients: Sequence[Recipient],
    owner_ids: Sequence[uuid.UUID] = (),
    subject_ref: str | None = None,
    subject: str = "Новое задание: «Кислород и его свойства»",
    body: str = "Здравствуйте!\nОпубликовано задание по химии. Срок сдачи — 30 ноября.",
    topic: str = "assignment.published",
) -> list[Notification]:
    ref = subject_ref or f"assignment:{uuid.uuid4()}"
    async with app.state.database.session() as session:
        return await enqueue(
            session,
            school_id=school_id,
            topic=topic,
            subject_ref=ref,
            recipients=recipients,
            subject=subject,
            body=body,
            owner_ids=owner_ids,
        )


async def load(app: FastAPI, notification_id: uuid.UUID) -> Notification:
    database: Database = app.state.database
    async with database.session() as session:
        stmt = (
            select(Notification)
            .where(Notification.id == notification_id)
            .options(selectinload(Notification.history), selectinload(Notification.owners))
        )
        return (await session.scalars(stmt)).one()


async def set_state(app: FastAPI, notification_id: uuid.UUID, **values: Any) -> None:
    async with app.state.database.session() as session:
        row = await session.get(Notification, notification_id)
        assert row is not None
        for key, value in values.items():
            setattr(row, key, value)


def headers_for(user_id: uuid.UUID, school_id: uuid.UUID, *roles: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {mint(user_id, school_id, roles)}"}
