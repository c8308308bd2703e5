"""The periodic finisher (LE-8): an attempt past its time limit is finished and graded,
and ``test_attempt.graded`` emitted, without anyone reading it."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.learning.models import QuizAttempt
from services.learning.quizzes.sweeper import sweep
from services.learning.settings import Settings
from tests.learning.conftest import NO_COMPLIANCE
from tests.learning.courses_support import create_course
from tests.learning.quizzes_support import (
    add_question,
    answer,
    create_quiz,
    graded_events,
    install_clock,
    option_id,
    single,
    start,
)
from tests.support.service_world import TEST_SECRET, World


@pytest.fixture
def learning_overrides(tmp_path: Path) -> dict[str, object]:
    return {"files_path": tmp_path / "files", "quiz_finish_interval_seconds": 0.05, **NO_COMPLIANCE}


async def wait_for_events(client: httpx.AsyncClient, world: World) -> list[dict[str, Any]]:
    """The graded events once there are any (a bounded wait, no timing asserted)."""
    for _ in range(400):
        events = await graded_events(client, world)
        if events:
            return events
        await asyncio.sleep(0.05)
    raise AssertionError("the finisher did not grade the expired attempt")


async def test_expired_attempts_are_graded_in_the_background(
    learning_app: FastAPI, client: httpx.AsyncClient, world: World
) -> None:
    clock = install_clock(learning_app)
    course = await create_course(client, world)
    q = await add_question(client, world, course["id"], single(points=2))
    quiz = await create_quiz(client, world, course["id"], [q["id"]], time_limit_minutes=10)
    attempt = await start(client, world, quiz["id"])
    r = await answer(client, world, attempt["id"], q["id"], {"option_ids": [option_id(q, "4")]})
    assert r.status_code == 200, r.text
    # still within the limit: the finisher leaves it alone
    assert await sweep(learning_app) == 0

    clock.advance(minutes=10, seconds=1)
    (event,) = await wait_for_events(client, world)
    assert event["payload"]["id"] == attempt["id"]
    assert event["payload"]["student_id"] == str(world.id("student"))
    assert (event["payload"]["score"], event["payload"]["max_score"]) == (2, 2)
    assert event["payload"]["mark"] == "5"
    async with learning_app.state.database.session() as session:
        row = await session.get(QuizAttempt, uuid.UUID(attempt["id"]))
        assert row is not None
        assert (row.status, row.finish_reason) == ("graded", "time_expired")
    # nothing is finished twice
    assert await sweep(learning_app) == 0
    assert len(await graded_events(client, world)) == 1


def test_the_finisher_is_off_in_tests_unless_asked() -> None:
    key = TEST_SECRET
    assert Settings(environment="test", secret_key=key).quiz_finish_interval == 0
    assert Settings(environment="development").quiz_finish_interval == 30
    on = Settings(environment="test", secret_key=key, quiz_finish_interval_seconds=5)
    assert on.quiz_finish_interval == 5
