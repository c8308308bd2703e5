"""Actual screen time through the gateway (CO-3): the demo student's app reports a
batch, the guardian sees the day, another guardian does not, and the 80 % alert reaches
the student and the guardian by e-mail (a real SMTP server, addresses from identity,
compliance's dispatcher running in the background) — once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.learning.notifications_support import MailHandler, smtp_server
from tests.support.platform import Platform, running_platform

API = "/api/v1/compliance/screen-time"
TZ = ZoneInfo("Europe/Samara")


@pytest.fixture
def smtp() -> Iterator[tuple[MailHandler, int]]:
    with smtp_server() as server:
        yield server


def ok(r: httpx.Response) -> Any:
    assert r.status_code == 200, r.text
    return r.json()


async def test_a_students_screen_time_through_the_gateway(
    db_backend: str, smtp: tuple[MailHandler, int]
) -> None:
    mail, port = smtp
    compliance = {
        "notifications_enabled": True,
        "notification_poll_seconds": 0.1,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
    }
    async with running_platform(db_backend, compliance=compliance) as platform:
        await story(platform, mail)


async def story(platform: Platform, mail: MailHandler) -> None:
    gw = platform.gateway
    student = await platform.headers("demo-student")
    guardian = await platform.headers("demo-guardian")
    other_guardian = await platform.headers("demo-guardian2")
    student_id = (await platform.me("demo-student"))["id"]
    day = datetime.now(TZ).date() - timedelta(days=1)
    url = f"{API}/students/{student_id}/days/{day.isoformat()}"

    async def known() -> httpx.Response | None:
        r = await gw.get(url, headers=student)
        return r if r.status_code == 200 else None

    await platform.wait_for(known, what="compliance's replica of the directory")

    # the student's app: two stretches on a tablet at home, one of them sent twice
    start = datetime.combine(day, time(15, 0), tzinfo=TZ)
    batch = {
        "intervals": [
            {"device": "tablet", "started_at": start.isoformat(), "minutes": 60, "context": "home"},
            {
                "device": "tablet",
                "started_at": (start + timedelta(minutes=30)).isoformat(),
                "ended_at": (start + timedelta(minutes=100)).isoformat(),
                "context": "home",
            },
        ]
    }
    first = ok(await gw.post(f"{API}/intervals", json=batch, headers=student))
    # grade 7, tablet at home: 120 minutes a day; 100 minutes are 83 %
    assert first["seconds_added"] == 100 * 60
    assert [(a["threshold"], a["used_minutes"], a["limit_minutes"]) for a in first["alerts"]] == [
        (80, 100, 120)
    ]
    again = ok(await gw.post(f"{API}/intervals", json=batch, headers=student))
    assert again["seconds_added"] == 0
    assert again["alerts"] == []

    seen = ok(await gw.get(url, headers=guardian))
    assert [(u["device"], u["context"], u["minutes"]) for u in seen["usage"]] == [
        ("tablet", "home", 100)
    ]
    assert [a["threshold"] for a in seen["alerts"]] == [80]
    assert (await gw.get(url, headers=other_guardian)).status_code == 404

    async def delivered() -> list[str] | None:
        to = sorted(r.envelope_to[0] for r in mail.received)
        return to if len(to) >= 2 else None

    to = await platform.wait_for(delivered, what="the alert's e-mails")
    assert to == ["demo-guardian@demo-school.example", "demo-student@demo-school.example"]
    subjects = {str(r.message["Subject"]) for r in mail.received}
    assert all(s.startswith("Использовано 80 % нормы работы с ЭСО") for s in subjects)
    assert len(mail.received) == 2
