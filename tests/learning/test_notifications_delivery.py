"""E-mail copies are delivered through a real SMTP server (aiosmtpd) with the addresses
of a real identity app: sent once, retried with backoff when refused, never lost
(LE-5, Reg §2.2)."""

from __future__ import annotations

import asyncio
import email
import email.policy
import mailbox
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.identity.models import PersonalDataAccess, User
from services.learning.models import Notification
from services.learning.notifications.dispatcher import Dispatcher, DispatchPolicy, build_transport
from services.learning.notifications.outbox import Recipient
from services.learning.notifications.repository import NotificationRepository
from services.learning.notifications.transports import (
    MaildirTransport,
    SmtpConfig,
    SmtpTransport,
    build_message,
    recipient_address,
    sender_address,
)
from tests.identity.conftest import identity_settings
from tests.identity.factories import SchoolWorld, add_user, make_school
from tests.learning.notifications_support import (
    API,
    Clock,
    MailHandler,
    Received,
    add_notifications,
    connected,
    dispatcher_of,
    free_port,
    headers_for,
    load,
    smtp_server,
)
from tests.support.databases import migrated_url
from tests.support.service_world import asgi_client, running_app, service_settings

MAX_ATTEMPTS = 4


@pytest.fixture
def smtp() -> Iterator[tuple[MailHandler, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def learning_overrides(tmp_path: Path, smtp: tuple[MailHandler, int]) -> dict[str, object]:
    return {
        "files_path": tmp_path / "files",
        "maildir_path": tmp_path / "mail",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp[1],
        "smtp_timeout_seconds": 10.0,
        "smtp_from": "ЭО и ДОТ <noreply@school.example>",
        "notification_max_attempts": MAX_ATTEMPTS,
    }


@pytest.fixture(scope="session")
def identity_db_url(db_backend: str) -> str:
    return migrated_url("identity", db_backend)


@pytest.fixture
async def identity(identity_db_url: str) -> AsyncIterator[FastAPI]:
    from services.identity.app import create_app

    app = create_app(identity_settings(identity_db_url))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def school(identity: FastAPI) -> SchoolWorld:
    return await make_school(identity)


@pytest.fixture
async def wired(learning_app: FastAPI, identity: FastAPI) -> AsyncIterator[Clock]:
    clock = Clock()
    dispatcher = dispatcher_of(learning_app)
    dispatcher.clock = clock
    async with connected(learning_app, identity):
        # the test database is shared: copies other tests left pending are handled
        # first (none of their recipients is known to this identity), out of the way
        await dispatcher.run_once()
        yield clock


async def run(app: FastAPI, rows: list[Notification]) -> list[str | None]:
    """One dispatcher pass; what it did with each of ``rows`` (None: not taken)."""
    report = await dispatcher_of(app).run_once()
    return [report.outcomes.get(r.id) for r in rows]


def copies_for(school: SchoolWorld) -> list[Recipient]:
    return [
        Recipient(school["student"].id, "student"),
        Recipient(school["guardian"].id, "guardian", on_behalf_of=school["student"].id),
    ]


class TestDelivery:
    async def test_each_recipient_gets_one_copy(
        self,
        learning_app: FastAPI,
        identity: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        rows = await add_notifications(
            learning_app,
            school_id=school.id,
            recipients=copies_for(school),
            owner_ids=[school["teacher"].id],
        )
        assert {r.state for r in rows} == {"pending"}
        # The test database is shared: copies other tests left pending may become due
        # during this test and reach the same server. Only this test's copies count:
        # they are recognised by their Message-ID (derived from the row's id).
        ours = {f"<notification.{r.id}@school.example>" for r in rows}

        def received() -> list[Received]:
            return [m for m in handler.received if m.message["Message-ID"] in ours]

        assert received() == []  # nothing is sent when the copy is written

        assert await run(learning_app, rows) == ["sent", "sent"]

        by_to = {r.envelope_to[0]: r for r in received()}
        student_mail = f"{school['student'].username}@example.org"
        guardian_mail = f"{school['guardian'].username}@example.org"
        assert set(by_to) == {student_mail, guardian_mail}
        got = by_to[student_mail].message
        assert got["Subject"] == "Новое задание: «Кислород и его свойства»"
        assert got["To"].addresses[0].addr_spec == student_mail
        assert got["To"].addresses[0].display_name == "Иванов Иван Иванович"
        assert got["From"].addresses[0].addr_spec == "noreply@school.example"
        assert got["From"].addresses[0].display_name == "ЭО и ДОТ"
        assert got["Auto-Submitted"] == "auto-generated"
        assert got.get_content_type() == "text/plain"
        assert got.get_content_charset() == "utf-8"
        assert got.get_content() == (
            "Здравствуйте!\nОпубликовано задание по химии. Срок сдачи — 30 ноября.\n"
        )
        student_row = next(r for r in rows if r.recipient_role == "student")
        assert got["Message-ID"] == f"<notification.{student_row.id}@school.example>"
        assert by_to[student_mail].envelope_from == "noreply@school.example"

        for row in rows:
            stored = await load(learning_app, row.id)
            assert stored.state == "sent"
            assert stored.attempts == 1
            assert stored.sent_at is not None
            assert stored.next_attempt_at is None
            assert stored.claim_token is None
            assert [(h.outcome, h.attempt_no) for h in stored.history] == [("sent", 1)]

        # a second pass has nothing left to do
        assert await run(learning_app, rows) == [None, None]
        assert len(received()) == 2

        # identity logged who read the addresses and why
        async with identity.state.database.session() as session:
            logged = (
                (
                    await session.execute(
                        select(PersonalDataAccess.subject_id).where(
                            PersonalDataAccess.resource == "contacts:notification"
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert {school["student"].id, school["guardian"].id} <= set(logged)

    async def test_teacher_sees_the_delivery_status(
        self,
        learning_app: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        ref = f"assignment:{uuid.uuid4()}"
        await add_notifications(
            learning_app,
            school_id=school.id,
            recipients=copies_for(school),
            owner_ids=[school["teacher"].id],
            subject_ref=ref,
        )
        await dispatcher_of(learning_app).run_once()
        async with asgi_client(learning_app, "learning") as client:
            response = await client.get(
                f"{API}/notifications",
                params={"subject_ref": ref},
                headers=headers_for(school["teacher"].id, school.id, "teacher"),
            )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert {(i["recipient_role"], i["state"]) for i in items} == {
            ("student", "sent"),
            ("guardian", "sent"),
        }
        guardian = next(i for i in items if i["recipient_role"] == "guardian")
        assert guardian["on_behalf_of"] == str(school["student"].id)
        assert [h["outcome"] for h in guardian["history"]] == ["sent"]


class TestRefusedServer:
    async def test_retried_with_backoff_until_accepted(
        self,
        learning_app: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        handler.refuse_data = 2
        (row,) = await add_notifications(
            learning_app,
            school_id=school.id,
            recipients=[Recipient(school["student"].id, "student")],
        )
        assert await run(learning_app, [row]) == ["deferred"]
        stored = await load(learning_app, row.id)
        assert stored.state == "pending"
        assert stored.attempts == 1
        assert stored.last_error is not None
        assert "451" in stored.last_error
        assert stored.next_attempt_at is not None
        assert stored.last_attempt_at is not None
        # the first wait is 30 s
        assert stored.next_attempt_at - stored.last_attempt_at == timedelta(seconds=30)

        # not due yet: nothing happens
        assert await run(learning_app, [row]) == [None]
        assert handler.refusals == 1

        wired.advance(31)
        assert await run(learning_app, [row]) == ["deferred"]
        stored = await load(learning_app, row.id)
        assert stored.attempts == 2
        assert stored.next_attempt_at is not None
        assert stored.last_attempt_at is not None
        # the wait doubles
        assert stored.next_attempt_at - stored.last_attempt_at == timedelta(seconds=60)

        wired.advance(30)
        assert await run(learning_app, [row]) == [None]  # 30 of 60 s: still waiting
        wired.advance(31)
        assert await run(learning_app, [row]) == ["sent"]

        assert handler.refusals == 2
        assert len(handler.received) == 1  # delivered exactly once
        stored = await load(learning_app, row.id)
        assert stored.state == "sent"
        assert stored.attempts == 3
        assert stored.last_error is None
        assert [(h.outcome, h.attempt_no) for h in stored.history] == [
            ("deferred", 1),
            ("deferred", 2),
            ("sent", 3),
        ]
        assert all("451" in (h.error or "") for h in stored.history[:2])

    async def test_failed_after_max_attempts_then_retried_by_the_teacher(
        self,
        learning_app: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        handler.refuse_data = MAX_ATTEMPTS
        ref = f"assignment:{uuid.uuid4()}"
        (row,) = await add_notifications(
            learning_app,
            school_id=school.id,
            recipients=[Recipient(school["student"].id, "student")],
            owner_ids=[school["teacher"].id],
            subject_ref=ref,
        )
        dispatcher = dispatcher_of(learning_app)
        for _ in range(MAX_ATTEMPTS):
            await dispatcher.run_once()
            wired.advance(3600)
        stored = await load(learning_app, row.id)
        assert stored.state == "failed"
        assert stored.attempts == MAX_ATTEMPTS
        assert stored.next_attempt_at is None
        assert [h.outcome for h in stored.history] == ["deferred"] * (MAX_ATTEMPTS - 1) + ["failed"]
        assert handler.received == []
        # failed is final for the dispatcher
        wired.advance(86400)
        assert await run(learning_app, [row]) == [None]

        teacher = headers_for(school["teacher"].id, school.id, "teacher")
        async with asgi_client(learning_app, "learning") as client:
            listed = await client.get(
                f"{API}/notifications",
                params={"subject_ref": ref, "state": "failed"},
                headers=teacher,
            )
            assert [i["id"] for i in listed.json()["items"]] == [str(row.id)]
            retried = await client.post(f"{API}/notifications/{row.id}/retry", headers=teacher)
        assert retried.status_code == 200, retried.text
        assert retried.json()["state"] == "pending"
        assert retried.json()["attempts"] == 0

        assert await run(learning_app, [row]) == ["sent"]
        assert len(handler.received) == 1
        stored = await load(learning_app, row.id)
        assert stored.state == "sent"
        assert [h.outcome for h in stored.history][-2:] == ["retry_requested", "sent"]
        assert stored.history[-2].actor_id == school["teacher"].id

    async def test_a_recipient_refused_for_good_fails_at_once(
        self,
        learning_app: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        handler.refused_recipients = {f"{school['guardian'].username}@example.org"}
        rows = await add_notifications(
            learning_app, school_id=school.id, recipients=copies_for(school)
        )
        assert await run(learning_app, rows) == ["sent", "failed"]
        guardian_row = next(r for r in rows if r.recipient_role == "guardian")
        stored = await load(learning_app, guardian_row.id)
        assert stored.state == "failed"
        assert stored.attempts == 1
        assert stored.last_error is not None
        assert "550" in stored.last_error
        assert [r.envelope_to for r in handler.received] == [
            [f"{school['student'].username}@example.org"]
        ]

    async def test_server_down_is_retried_later(
        self,
        learning_app: FastAPI,
        school: SchoolWorld,
        wired: Clock,
    ) -> None:
        dispatcher = dispatcher_of(learning_app)
        transport = dispatcher.transport
        (row,) = await add_notifications(
            learning_app,
            school_id=school.id,
            recipients=[Recipient(school["student"].id, "student")],
        )
        with smtp_server() as (handler, port):
            pass  # started and stopped: nobody listens on the port any more
        assert isinstance(transport, SmtpTransport)
        transport.config = SmtpConfig(host="127.0.0.1", port=port, timeout=5.0)
        assert await run(learning_app, [row]) == ["deferred"]
        stored = await load(learning_app, row.id)
        assert stored.state == "pending"
        assert stored.last_error is not None
        assert stored.last_error.startswith("Почтовый сервер недоступен")

        with smtp_server() as (handler, port):
            transport.config = SmtpConfig(host="127.0.0.1", port=port, timeout=5.0)
            wired.advance(31)
            assert await run(learning_app, [row]) == ["sent"]
            assert len(handler.received) == 1


class TestNoAddress:
    async def test_recipients_without_an_address_are_final_and_visible(
        self,
        learning_app: FastAPI,
        identity: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        no_mail = await add_user(identity, school.id, ["student"])
        gone = await add_user(identity, school.id, ["guardian"], is_active=False)
        broken = await add_user(identity, school.id, ["student"])
        other = await make_school(identity, "МБОУ Другая школа")
        async with identity.state.database.session() as session:
            user = await session.get(User, no_mail.id)
            assert user is not None
            user.email = None
            user = await session.get(User, broken.id)
            assert user is not None
            user.email = "not-an-address"
        unknown = uuid.uuid4()
        rows = await add_notifications(
            learning_app,
            school_id=school.id,
            recipients=[
                Recipient(no_mail.id, "student"),
                Recipient(gone.id, "guardian", on_behalf_of=no_mail.id),
                Recipient(broken.id, "student"),
                Recipient(unknown, "student"),
                # a person of another school is no contact of this one
                Recipient(other["student"].id, "student"),
                Recipient(school["student"].id, "student"),
            ],
        )
        assert await run(learning_app, rows) == ["no_address"] * 5 + ["sent"]
        assert len(handler.received) == 1
        errors = {}
        for row in rows:
            stored = await load(learning_app, row.id)
            errors[row.recipient_id] = (stored.state, stored.last_error)
            if stored.state == "no_address":
                assert stored.next_attempt_at is None
                assert [h.outcome for h in stored.history] == ["no_address"]
        assert errors[no_mail.id] == (
            "no_address",
            "У получателя не указан адрес электронной почты",
        )
        assert errors[gone.id] == ("no_address", "Учётная запись получателя отключена")
        assert errors[broken.id] == (
            "no_address",
            "Адрес электронной почты получателя указан неверно",
        )
        assert errors[unknown] == ("no_address", "Получатель не найден в справочнике пользователей")
        assert errors[other["student"].id][0] == "no_address"
        assert errors[school["student"].id] == ("sent", None)
        # final: the dispatcher does not try them again
        wired.advance(86400)
        assert await run(learning_app, rows) == [None] * 6

    async def test_an_address_added_later_is_used_on_a_manual_retry(
        self,
        learning_app: FastAPI,
        identity: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        person = await add_user(identity, school.id, ["student"])
        async with identity.state.database.session() as session:
            user = await session.get(User, person.id)
            assert user is not None
            user.email = None
        (row,) = await add_notifications(
            learning_app, school_id=school.id, recipients=[Recipient(person.id, "student")]
        )
        await dispatcher_of(learning_app).run_once()
        assert (await load(learning_app, row.id)).state == "no_address"
        async with identity.state.database.session() as session:
            user = await session.get(User, person.id)
            assert user is not None
            user.email = "new.address@example.org"
        admin = headers_for(school["admin"].id, school.id, "admin")
        async with asgi_client(learning_app, "learning") as client:
            retried = await client.post(f"{API}/notifications/{row.id}/retry", headers=admin)
        assert retried.status_code == 200, retried.text
        await dispatcher_of(learning_app).run_once()
        assert (await load(learning_app, row.id)).state == "sent"
        assert handler.received[0].envelope_to == ["new.address@example.org"]


class TestIdentityUnreachable:
    async def test_retried_later_and_delivered_once_identity_is_back(
        self,
        learning_app: FastAPI,
        identity: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        rows = await add_notifications(
            learning_app, school_id=school.id, recipients=copies_for(school)
        )
        dispatcher = dispatcher_of(learning_app)
        tokens = learning_app.state.service_tokens
        reachable = dispatcher.contacts.http
        # nothing listens on this port: connection refused
        down = httpx.AsyncClient(base_url=f"http://127.0.0.1:{free_port()}", timeout=5.0)
        try:
            tokens.http = down
            tokens.invalidate()
            dispatcher.contacts.http = down
            outcomes = await run(learning_app, rows)
        finally:
            await down.aclose()
        assert outcomes == ["deferred", "deferred"]
        for row in rows:
            stored = await load(learning_app, row.id)
            assert stored.state == "pending"
            assert stored.attempts == 1
            assert stored.last_error is not None
            assert stored.last_error.startswith("Справочник контактов недоступен")
        assert handler.received == []

        tokens.http = reachable
        dispatcher.contacts.http = reachable
        assert await run(learning_app, rows) == [None, None]  # waits for its backoff
        wired.advance(31)
        assert await run(learning_app, rows) == ["sent", "sent"]
        assert len(handler.received) == 2
        for row in rows:
            stored = await load(learning_app, row.id)
            assert [h.outcome for h in stored.history] == ["deferred", "sent"]


class TestAtLeastOnce:
    async def test_a_crash_after_sending_resends_with_the_same_message_id(
        self,
        learning_app: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        (row,) = await add_notifications(
            learning_app,
            school_id=school.id,
            recipients=[Recipient(school["student"].id, "student")],
        )
        dispatcher = dispatcher_of(learning_app)
        # a dispatcher takes the row and sends it, then dies before storing the outcome
        now = wired()
        async with learning_app.state.database.session() as session:
            (claimed,) = await NotificationRepository(session).claim_due(
                now=now,
                limit=10,
                lease_until=now + timedelta(seconds=dispatcher.policy.lease_seconds),
                token=uuid.uuid4(),
            )
        to = recipient_address("Иванов Иван", f"{school['student'].username}@example.org")
        assert to is not None
        await dispatcher.transport.send(
            build_message(
                notification_id=claimed.id,
                sender=dispatcher.sender,
                to=to,
                subject=claimed.subject,
                body=claimed.body,
                created_at=claimed.created_at,
            )
        )
        # while the lease holds, nobody else sends it
        assert await run(learning_app, [row]) == [None]
        # the lease runs out: the row is taken again and sent again (at least once)
        wired.advance(dispatcher.policy.lease_seconds + 1)
        assert await run(learning_app, [row]) == ["sent"]
        assert len(handler.received) == 2
        ids = {r.message["Message-ID"] for r in handler.received}
        assert ids == {f"<notification.{row.id}@school.example>"}
        stored = await load(learning_app, row.id)
        assert stored.state == "sent"

    async def test_two_dispatchers_never_send_the_same_copy_twice(
        self,
        learning_app: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
        wired: Clock,
    ) -> None:
        handler, _ = smtp
        recipients = (
            [Recipient(school["student"].id, "student")]
            + [Recipient(uuid.uuid4(), "student") for _ in range(4)]
            + [Recipient(school["student2"].id, "student")]
        )
        rows = await add_notifications(learning_app, school_id=school.id, recipients=recipients)
        first = dispatcher_of(learning_app)
        second = Dispatcher(
            first.database,
            first.transport,
            first.contacts,
            sender=first.sender,
            policy=DispatchPolicy(batch_size=2),
            clock=first.clock,
        )
        first.policy = DispatchPolicy(batch_size=2)
        reports = await asyncio.gather(first.run_once(), second.run_once())
        outcomes: dict[uuid.UUID, str] = {}
        for report in reports:
            assert not set(report.outcomes) & set(outcomes)
            outcomes.update(report.outcomes)
        assert set(outcomes) >= {r.id for r in rows}
        assert len(handler.received) == 2
        async with learning_app.state.database.session() as session:
            states = (
                (
                    await session.execute(
                        select(Notification.state).where(Notification.id.in_([r.id for r in rows]))
                    )
                )
                .scalars()
                .all()
            )
        assert sorted(states) == ["no_address"] * 4 + ["sent"] * 2


def test_addresses_and_sender_are_checked() -> None:
    assert recipient_address("Иванов", "ivanov@example.org") is not None
    for bad in ("", "ivanov", "a@b", "a b@example.org", "<a@example.org>", "a@@example.org"):
        assert recipient_address("Иванов", bad) is None
    sender = sender_address("ЭО и ДОТ <noreply@school.example>")
    assert sender.domain == "school.example"
    with pytest.raises(ValueError):
        sender_address("ЭО и ДОТ")


class TestMaildir:
    async def test_without_an_smtp_server_messages_go_to_a_local_maildir(
        self,
        learning_app: FastAPI,
        school: SchoolWorld,
        wired: Clock,
        tmp_path: Path,
    ) -> None:
        settings = learning_app.state.settings.model_copy(
            update={"smtp_host": None, "maildir_path": tmp_path / "outbox"}
        )
        transport = build_transport(settings)
        assert isinstance(transport, MaildirTransport)
        dispatcher = dispatcher_of(learning_app)
        dispatcher.transport = transport
        rows = await add_notifications(
            learning_app, school_id=school.id, recipients=copies_for(school)
        )
        assert await run(learning_app, rows) == ["sent", "sent"]

        box = mailbox.Maildir(tmp_path / "outbox", create=False)
        messages = [
            email.message_from_bytes(box.get_bytes(key), policy=email.policy.default)
            for key in box.iterkeys()
        ]
        assert len(messages) == 2
        by_to = {m["To"].addresses[0].addr_spec: m for m in messages}
        message = by_to[f"{school['guardian'].username}@example.org"]
        assert isinstance(message, EmailMessage)
        assert message["Subject"] == "Новое задание: «Кислород и его свойства»"
        assert "Срок сдачи — 30 ноября." in message.get_content()
        guardian_row = next(r for r in rows if r.recipient_role == "guardian")
        assert message["Message-ID"] == f"<notification.{guardian_row.id}@school.example>"
        # the raw file is 7-bit clean: the subject is RFC 2047-encoded
        raw = box.get_bytes(next(box.iterkeys()))
        assert raw.isascii()
        assert b"=?utf-8?" in raw.lower()


class TestBackgroundWorker:
    async def test_the_app_runs_the_dispatcher_when_enabled(
        self,
        learning_db_url: str,
        learning_overrides: dict[str, object],
        identity: FastAPI,
        school: SchoolWorld,
        smtp: tuple[MailHandler, int],
    ) -> None:
        handler, _ = smtp
        overrides = {
            **learning_overrides,
            "notifications_enabled": True,
            "notification_poll_seconds": 0.05,
        }
        async with running_app("learning", learning_db_url, **overrides) as app:
            task = app.state.notification_task
            assert task is not None
            assert not task.done()
            async with connected(app, identity):
                (row,) = await add_notifications(
                    app,
                    school_id=school.id,
                    recipients=[Recipient(school["student"].id, "student")],
                )
                for _ in range(400):  # bounded: the worker polls every 50 ms
                    if (await load(app, row.id)).state != "pending":
                        break
                    await asyncio.sleep(0.05)
                stored = await load(app, row.id)
        assert task.done()  # stopped with the app
        assert stored.state == "sent"
        assert [r.message["Message-ID"] for r in handler.received] == [
            f"<notification.{row.id}@school.example>"
        ]


def test_the_worker_is_off_in_tests_unless_asked() -> None:
    assert service_settings("learning", "sqlite://").notifications_running is False
    assert (
        service_settings("learning", "sqlite://", notifications_enabled=True).notifications_running
        is True
    )
    assert service_settings(
        "learning", "sqlite://", environment="development", secret_key="change-me-development-only"
    ).notifications_running
