"""The change feeds documented for integrators (GW-5): every event type in the contract
with its payload schema, real payloads valid against it, bad cursors refused."""

from __future__ import annotations

import importlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.common.pagination import encode_cursor
from services.identity.app import create_app as create_identity_app
from services.identity.demo import load_demo
from services.identity.event_payloads import EVENT_PAYLOADS
from tests.identity.conftest import identity_settings
from tests.support.databases import _alembic_upgrade, migrated_url
from tests.support.service_world import World, asgi_client, running_app

SERVICES = ("identity", "learning", "journal", "compliance")


def contract(service: str) -> tuple[dict[str, Any], list[str]]:
    app: FastAPI = importlib.import_module(f"services.{service}.app").create_app()
    api = importlib.import_module(f"services.{service}.api")
    return app.openapi(), list(api.EVENT_TYPES)


def resolve(spec: dict[str, Any], ref: str) -> dict[str, Any]:
    name = ref.removeprefix("#/components/schemas/")
    return dict(spec["components"]["schemas"][name])


@pytest.mark.parametrize("service", SERVICES)
def test_every_event_type_is_documented(service: str) -> None:
    spec, event_types = contract(service)
    operation = spec["paths"][f"/api/v1/{service}/events"]["get"]
    documented = operation["x-event-types"]
    assert [e["type"] for e in documented] == event_types
    for entry in documented:
        assert entry["subject"] == f"eo.{service}.{entry['type']}"
        payload = entry["payload"]
        if "$ref" in payload:
            schema = resolve(spec, payload["$ref"])
            assert schema["type"] == "object"
            assert schema["properties"]
            assert entry["description"]
        else:
            assert payload["type"] == "object"
    for word in ("Курсор", "Порядок", "Хранение", "Фильтр", "invalid-cursor"):
        assert word in operation["description"]
    params = {p["name"] for p in operation["parameters"]}
    assert {"after", "limit", "types", "school_id"} <= params


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_declares_a_payload_schema_for_every_event_type(service: str) -> None:
    """The schemas are also checked against every payload written while the suite runs:
    in the test environment ``emit`` validates each one (services/common/outbox.py)."""
    spec, event_types = contract(service)
    payloads = importlib.import_module(f"services.{service}.event_payloads").EVENT_PAYLOADS
    assert set(payloads) == set(event_types)
    for entry in spec["paths"][f"/api/v1/{service}/events"]["get"]["x-event-types"]:
        assert "$ref" in entry["payload"], entry["type"]


def test_a_payload_unlike_its_schema_is_refused_where_it_is_written() -> None:
    from services.common.outbox import _checked_payload
    from services.journal.app import create_app as journal_app
    from services.journal.models import kernel
    from tests.support.service_world import service_settings

    journal_app(service_settings("journal", "sqlite+aiosqlite://"))
    with pytest.raises(RuntimeError, match="does not match JournalMarkPayload"):
        _checked_payload(kernel.outbox, "mark.created", {"id": "not a uuid"})
    with pytest.raises(RuntimeError, match="no documented payload schema"):
        _checked_payload(kernel.outbox, "mark.exploded", {})


@pytest.fixture
def fresh_identity_url(tmp_path: Path) -> str:
    """An identity database of its own: only the demo load's events are in its outbox."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'identity.db'}"
    _alembic_upgrade("identity", url)
    return url


async def test_identity_payloads_match_their_schemas(fresh_identity_url: str) -> None:
    """The demo school's events (every kind identity writes on a load) validate."""
    app = create_identity_app(identity_settings(fresh_identity_url))
    async with app.router.lifespan_context(app):
        await load_demo(app.state.database, app.state.passwords)
        outbox = app.state.kernel.outbox
        async with app.state.database.session() as session:
            events = list((await session.execute(select(outbox))).scalars())
    assert {"school.created", "user.created", "class_group.created"} <= {e.type for e in events}
    for event in events:
        model = EVENT_PAYLOADS[event.type]
        model.model_validate(event.payload)


@pytest.fixture(scope="session")
def feed_db_url(db_backend: str) -> str:
    return migrated_url("journal", db_backend)


async def test_bad_cursors_are_400_in_every_service_feed(feed_db_url: str) -> None:
    async with running_app("journal", feed_db_url) as app, asgi_client(app, "journal") as c:
        world = World()
        admin = world.headers("admin")
        url = "/api/v1/journal/events"
        start = await c.get(url, headers=admin)
        assert start.status_code == 200, start.text
        for after in (
            "%%%",
            "bm90IGpzb24",
            encode_cursor({"x": 1}),
            encode_cursor({"e": -1}),
            encode_cursor({"e": "1"}),
            encode_cursor({"e": True}),
            encode_cursor({"e": 10**12}),
            "W10",
            "е" * 10,
        ):
            response = await c.get(url, params={"after": after}, headers=admin)
            assert response.status_code == 400, (after, response.text)
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["type"] == "urn:eo:problem:invalid-cursor"
        # the cursor of an empty feed is valid and stays where it is
        cursor = start.json()["next_cursor"]
        again = await c.get(url, params={"after": cursor}, headers=admin)
        assert again.status_code == 200
        assert again.json()["next_cursor"] == cursor
        other = await c.get(url, params={"school_id": str(uuid.uuid4())}, headers=admin)
        assert other.status_code == 404


def test_journal_payload_builders_match_their_schemas() -> None:
    """The functions that build journal's payloads produce what the contract says."""
    from datetime import UTC, date, datetime
    from decimal import Decimal
    from types import SimpleNamespace

    from services.journal.attendance.service import payload as attendance_payload
    from services.journal.event_payloads import EVENT_PAYLOADS as JOURNAL
    from services.journal.marks.service import mark_payload
    from services.journal.models import Attendance, LessonRecord, Mark, PortfolioItem
    from services.journal.portfolio.service import item_payload
    from services.journal.records.service import payload as record_payload

    _spec, event_types = contract("journal")
    assert set(JOURNAL) == set(event_types)
    ids = {name: uuid.uuid4() for name in ("course", "lesson", "student", "teacher")}
    mark = Mark(
        id=uuid.uuid4(),
        course_id=ids["course"],
        lesson_id=None,
        student_id=ids["student"],
        value="5",
        control_type="current_control",
        weight=Decimal("1.0"),
        date=date(2026, 11, 26),
        comment=None,
        source="manual",
        status="active",
        annul_reason=None,
        version=1,
    )
    JOURNAL["mark.created"].model_validate(mark_payload(mark))
    absence = Attendance(
        id=uuid.uuid4(),
        lesson_id=ids["lesson"],
        course_id=ids["course"],
        student_id=ids["student"],
        date=date(2026, 11, 26),
        status="absent",
        reason="illness",
        comment=None,
        version=1,
    )
    JOURNAL["attendance.recorded"].model_validate(attendance_payload(absence))
    record = LessonRecord(
        id=uuid.uuid4(),
        lesson_id=ids["lesson"],
        course_id=ids["course"],
        topic_id=None,
        topic_title="Дроби",
        delivery_form="distance",
        planned_delivery_form="in_person",
        homework="№ 12",
        version=2,
    )
    lesson = SimpleNamespace(date=date(2026, 11, 26))
    JOURNAL["lesson_record.saved"].model_validate(record_payload(record, lesson))
    item = PortfolioItem(
        id=uuid.uuid4(),
        student_id=ids["student"],
        kind="olympiad",
        title="Олимпиада",
        description=None,
        occurred_on=None,
        details={},
        evidence_url=None,
        status="confirmed",
        source="manual",
        created_by=ids["teacher"],
        decided_by=ids["teacher"],
        decided_at=datetime(2026, 11, 26, tzinfo=UTC),
        reject_reason=None,
    )
    JOURNAL["portfolio_item.confirmed"].model_validate(item_payload(item))
