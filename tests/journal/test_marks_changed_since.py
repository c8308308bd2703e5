"""``GET /marks?changed_since=``: the marks set or changed since a moment — what the
gateway's "today" view shows as new since the last visit (GW-4)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import update

from services.journal.models import Mark
from tests.journal.learning_events import a_course
from tests.journal.test_marks import API, post_mark
from tests.support.service_world import World


@pytest.fixture
async def course(journal_app: FastAPI, world: World) -> uuid.UUID:
    return await a_course(journal_app, world)


async def age(app: FastAPI, mark_id: str, days: int) -> None:
    """Pretend a mark was set (and last changed) ``days`` ago."""
    then = datetime.now(UTC) - timedelta(days=days)
    async with app.state.database.session() as session:
        await session.execute(
            update(Mark)
            .where(Mark.id == uuid.UUID(mark_id))
            .values(created_at=then, updated_at=then)
        )
        await session.commit()


async def test_only_marks_set_or_changed_since(
    journal_app: FastAPI, client: httpx.AsyncClient, world: World, course: uuid.UUID
) -> None:
    old = (await post_mark(client, world, course, value="3")).json()
    fresh = (await post_mark(client, world, course, value="5", comment="Молодец")).json()
    await age(journal_app, old["id"], 10)
    since = (datetime.now(UTC) - timedelta(days=2)).isoformat()

    response = await client.get(
        f"{API}/marks",
        params={"student_id": str(world.id("student")), "changed_since": since},
        headers=world.headers("guardian"),
    )
    assert response.status_code == 200, response.text
    assert [m["id"] for m in response.json()["items"]] == [fresh["id"]]

    # an old mark changed now is new again
    mark = await client.get(f"{API}/marks/{old['id']}", headers=world.headers("teacher"))
    changed = await client.patch(
        f"{API}/marks/{old['id']}",
        json={"value": "4", "reason": "Пересчёт"},
        headers={**world.headers("teacher"), "If-Match": mark.headers["etag"]},
    )
    assert changed.status_code == 200, changed.text
    again = await client.get(
        f"{API}/marks",
        params={"student_id": str(world.id("student")), "changed_since": since},
        headers=world.headers("student"),
    )
    assert {m["id"] for m in again.json()["items"]} == {old["id"], fresh["id"]}


@pytest.mark.parametrize("value", ["вчера", "2026-11-25T10:00:00", "2026-13-01T00:00:00Z"])
async def test_changed_since_needs_a_moment_with_its_offset(
    client: httpx.AsyncClient, world: World, course: uuid.UUID, value: str
) -> None:
    response = await client.get(
        f"{API}/marks",
        params={"student_id": str(world.id("student")), "changed_since": value},
        headers=world.headers("student"),
    )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["type"] == "urn:eo:problem:validation-error"
    assert [e["field"] for e in body["errors"]] == ["query.changed_since"]
