"""Screen-time alerts reach the student and the linked guardian by e-mail: through
compliance's notification outbox, a real SMTP server (aiosmtpd) and the addresses of a
real identity app — exactly one message per recipient and threshold (CO-3)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.compliance.screen_time_support import (
    at,
    interval,
    notifications_of,
    recent_day,
    report,
)
from tests.identity.conftest import identity_settings
from tests.identity.factories import SchoolWorld, make_school
from tests.learning.notifications_support import (
    MailHandler,
    Received,
    connected,
    dispatcher_of,
    smtp_server,
)
from tests.support.databases import migrated_url
from tests.support.service_world import World, seed_directory


@pytest.fixture
def smtp() -> Iterator[tuple[MailHandler, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def compliance_overrides(tmp_path: Path, smtp: tuple[MailHandler, int]) -> dict[str, object]:
    return {
        "maildir_path": tmp_path / "mail",
        "smtp_host": "127.0.0.1",
        "smtp_port": smtp[1],
        "smtp_timeout_seconds": 10.0,
        "smtp_from": "ЭО и ДОТ <noreply@school.example>",
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
async def people(compliance_app: FastAPI, school: SchoolWorld) -> World:
    """The identity school's people in compliance's replica of the directory."""
    world = World(
        school_id=school.id,
        ids={name: school[name].id for name in ("admin", "student", "guardian")},
    )
    await seed_directory(compliance_app, world)
    return world


@pytest.fixture
async def wired(compliance_app: FastAPI, identity: FastAPI) -> AsyncIterator[None]:
    async with connected(compliance_app, identity):
        # the test database is shared: copies other tests left pending go first
        await dispatcher_of(compliance_app).run_once()
        yield


async def ours(app: FastAPI, world: World, handler: MailHandler) -> list[Received]:
    ids = {f"<notification.{n.id}@school.example>" for n in await notifications_of(app, world)}
    return [m for m in handler.received if m.message["Message-ID"] in ids]


async def test_alerts_are_mailed_once_per_threshold_to_student_and_guardian(
    client: httpx.AsyncClient,
    compliance_app: FastAPI,
    school: SchoolWorld,
    people: World,
    smtp: tuple[MailHandler, int],
    wired: None,
) -> None:
    handler, _ = smtp
    dispatcher = dispatcher_of(compliance_app)
    day = recent_day()
    student_mail = f"{school['student'].username}@example.org"
    guardian_mail = f"{school['guardian'].username}@example.org"

    async def school_pc(start: tuple[int, int], minutes: int) -> list[int]:
        response = await report(
            client,
            people,
            [interval(people, "pc", at(day, *start), minutes=minutes, context="school")],
        )
        assert response.status_code == 200, response.text
        return [a["threshold"] for a in response.json()["alerts"]]

    # grade 7, PC at school: 60 minutes a day; 48 minutes are 80 %
    assert await school_pc((9, 0), 48) == [80]
    assert await ours(compliance_app, people, handler) == []  # nothing sent in the request
    await dispatcher.run_once()
    first = await ours(compliance_app, people, handler)
    assert sorted(m.envelope_to[0] for m in first) == sorted([student_mail, guardian_mail])
    message = next(m.message for m in first if m.envelope_to == [guardian_mail])
    assert message["Subject"].startswith("Использовано 80 % нормы работы с ЭСО")
    assert message["From"].addresses[0].addr_spec == "noreply@school.example"
    text = message.get_content()
    assert "Использовано: 48 мин из 60 мин" in text
    assert "СанПиН 1.2.3685-21" in text

    # the same time again, then the rest of the hour, then more: one alert more only
    assert await school_pc((9, 0), 48) == []
    assert await school_pc((9, 48), 12) == [100]
    assert await school_pc((10, 0), 10) == []
    await dispatcher.run_once()
    await dispatcher.run_once()
    got = await ours(compliance_app, people, handler)
    assert len(got) == 4
    by_recipient: dict[str, list[str]] = {}
    for m in got:
        by_recipient.setdefault(m.envelope_to[0], []).append(str(m.message["Subject"]))
    assert set(by_recipient) == {student_mail, guardian_mail}
    for subjects in by_recipient.values():
        assert len(subjects) == 2
        assert sum(s.startswith("Использовано 80 %") for s in subjects) == 1
        assert sum(s.startswith("Норма времени работы с ЭСО исчерпана") for s in subjects) == 1
    assert {n.state for n in await notifications_of(compliance_app, people)} == {"sent"}
