"""Property-based contract test of every journal operation (JO-1 … JO-8, GW-3, X-2).

Schemathesis generates valid and invalid requests for every operation from journal's
own OpenAPI spec and sends them in-process, as the admin of a school whose replica holds
a course of 7Б with a plan, lessons, marks, an absence and quarters: every answer must
be documented (status, content type, body schema, headers) and none may be a server
error. Deterministic and bounded like identity's run; runs on every database backend.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import Case
from schemathesis.python import asgi

from services.journal.app import create_app
from tests.identity.test_schemathesis import CONFIG
from tests.journal.learning_events import course_created, feed, lesson_scheduled, plan_updated
from tests.journal.reports_support import configure_quarters
from tests.support.keys import test_jwks
from tests.support.service_world import (
    World,
    asgi_client,
    running_app,
    seed_directory,
    service_settings,
)

API = "/api/v1/journal"
# Known before collection, so the second run can aim its path parameters at them.
WORLD = World()
COURSE = uuid.uuid4()
LESSON = uuid.uuid4()


def _seed(database_url: str, archive: Path) -> World:
    """The school, written on a loop of its own (the app under test lives on
    schemathesis' event loop thread)."""

    async def run() -> World:
        world = WORLD
        async with running_app("journal", database_url, archive_path=archive) as app:
            await seed_directory(app, world)
            plan, topics = plan_updated(world, COURSE, ["Дроби", "Проценты"])
            lessons = [
                lesson_scheduled(
                    world, COURSE, date(2026, 11, d), lesson_id=lid, topic=(topics[0], "Дроби")
                )
                for d, lid in ((16, LESSON), (17, uuid.uuid4()))
            ]
            await feed(app, course_created(world, course_id=COURSE), plan, *lessons)
            async with asgi_client(app, "journal") as client:
                await configure_quarters(client, world)
                lesson_id = lessons[0]["payload"]["id"]
                r = await client.post(
                    f"{API}/lessons/{lesson_id}/marks",
                    json={"marks": [{"student_id": str(world.id("student")), "value": "5"}]},
                    headers=world.headers("teacher"),
                )
                assert r.status_code == 201, r.text
                r = await client.put(
                    f"{API}/lessons/{lesson_id}/attendance",
                    json={
                        "entries": [{"student_id": str(world.id("student2")), "reason": "illness"}]
                    },
                    headers=world.headers("teacher"),
                )
                assert r.status_code == 200, r.text
        return world

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module")
def archive_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("journal-archive")


@pytest.fixture(scope="module")
def seeded(journal_db_url: str, archive_path: Path) -> World:
    return _seed(journal_db_url, archive_path)


@pytest.fixture(scope="module")
def st_app(journal_db_url: str, archive_path: Path, seeded: World) -> Iterator[FastAPI]:
    app = create_app(
        service_settings("journal", journal_db_url, archive_path=archive_path),
        jwks_loader=test_jwks,
    )
    yield app
    asgi.shutdown_lifespans()


SPEC = create_app(service_settings("journal", "sqlite+aiosqlite://")).openapi()

schema = schemathesis.openapi.from_dict(SPEC, config=schemathesis.Config.from_dict(CONFIG)).include(
    path_regex="^/api/v1/journal/"
)

# The same operations aimed at the seeded course, lesson, student, class and year, so
# the generated bodies and queries reach the grid, the exports, the diary, the term
# marks, the portfolio and the year's archive with data in them (random ids mostly 404).
SEEDED_PARAMETERS = {
    "path.course_id": str(COURSE),
    "path.lesson_id": str(LESSON),
    "path.student_id": str(WORLD.id("student")),
    "path.group_id": str(WORLD.class_id("7Б")),
    "path.year_id": str(WORLD.year_id),
}
seeded_schema = schemathesis.openapi.from_dict(
    SPEC, config=schemathesis.Config.from_dict({**CONFIG, "parameters": SEEDED_PARAMETERS})
).include(path_regex=r"\{(course_id|lesson_id|student_id|group_id|year_id)\}")


@schema.parametrize()
def test_journal_api_conforms_to_its_contract(case: Case, st_app: FastAPI, seeded: World) -> None:
    case.call_and_validate(app=st_app, headers=seeded.headers("admin"))


@seeded_schema.parametrize()
def test_journal_api_on_seeded_objects(case: Case, st_app: FastAPI, seeded: World) -> None:
    case.call_and_validate(app=st_app, headers=seeded.headers("admin"))
