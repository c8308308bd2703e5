"""The periodic publisher (LE-5): a scheduled assignment is published when its time comes
even if nobody reads the assignments."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date, datetime, time
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.learning.models import Assignment, kernel
from tests.learning.assignments_support import (
    FakeClock,
    create_assignment,
    install_clock,
    local_iso,
    make_course,
)
from tests.support.service_world import World, running_app


@pytest.fixture
def learning_overrides(tmp_path: Path) -> dict[str, object]:
    return {"files_path": tmp_path / "files", "assignment_publish_interval_seconds": 0.02}


async def status_of(app: FastAPI, assignment_id: str) -> tuple[str, int]:
    async with app.state.database.session() as session:
        row = await session.get(Assignment, uuid.UUID(assignment_id))
        assert row is not None
        events = await session.scalars(
            select(kernel.outbox).where(
                kernel.outbox.aggregate_id == assignment_id,
                kernel.outbox.type == "assignment.published",
            )
        )
        return row.status, len(list(events))


async def test_the_background_task_publishes_a_due_assignment(
    learning_app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    clock: FakeClock = install_clock(learning_app)
    course_id = await make_course(learning_app, world)
    body = await create_assignment(
        client, world, course_id, publish_at=local_iso(date(2026, 11, 26), time(8, 0))
    )
    await asyncio.sleep(0.1)  # several rounds while it is not yet due
    assert await status_of(learning_app, body["id"]) == ("scheduled", 0)

    clock.set_local(datetime(2026, 11, 26, 8, 0))
    for _ in range(500):  # no read of assignments happens meanwhile
        if (await status_of(learning_app, body["id"]))[0] == "published":
            break
        await asyncio.sleep(0.02)
    await asyncio.sleep(0.1)  # more rounds: still published once
    assert await status_of(learning_app, body["id"]) == ("published", 1)


async def test_the_task_runs_with_the_app_and_stops_with_it(
    learning_db_url: str, tmp_path: Path
) -> None:
    async with running_app(
        "learning",
        learning_db_url,
        files_path=tmp_path / "files",
        assignment_publish_interval_seconds=0.02,
    ) as app:
        _stop, task = app.state.assignment_publisher
        await asyncio.sleep(0.05)
        assert not task.done()
    assert task.done()
    assert app.state.assignment_publisher is None


async def test_no_task_when_the_interval_is_zero(learning_db_url: str, tmp_path: Path) -> None:
    async with running_app(
        "learning",
        learning_db_url,
        files_path=tmp_path / "files",
        assignment_publish_interval_seconds=0,
    ) as app:
        assert app.state.assignment_publisher is None
