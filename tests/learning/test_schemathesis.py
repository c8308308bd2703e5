"""Property-based contract test of every learning operation (GW-3, X-2).

Schemathesis generates valid and invalid requests from learning's own OpenAPI spec and
sends them in-process to the app over the real test database, authenticated as the
admin of a school that has a course with topics, lessons (one with screen devices:
compliance is unreachable here, so it is published marked "not checked"), a weekly
template, an assignment with a submission, a material and a quiz. Every answer must be
documented (status, content type, body schema, headers) and none may be a server error.

Deterministic and bounded (a fixed seed, a few examples per operation). One test per
group of tags, so a group can be run on its own (``-k quizzes``); together they cover
every operation of the spec (see ``test_every_operation_is_in_a_group``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import strategies as st
from openpyxl import Workbook
from schemathesis import Case
from schemathesis.python import asgi

from services.learning.app import create_app
from services.learning.settings import Settings
from tests.identity.test_schemathesis import CONFIG
from tests.learning.conftest import NO_COMPLIANCE
from tests.learning.courses_support import API, access_objects
from tests.learning.materials_support import PDF, create_material
from tests.support.keys import test_jwks
from tests.support.service_world import (
    World,
    asgi_client,
    running_app,
    seed_directory,
    service_settings,
)

LEARNING_CONFIG = {**CONFIG, "generation": {**CONFIG["generation"], "max-examples": 5}}

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _xlsx() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["№", "Тема", "Часы"])
    sheet.append([1, "Понятие дроби", 1])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# The КТП import takes an XLSX book as the body: a real one, or any bytes.
schemathesis.openapi.media_type(XLSX, st.one_of(st.just(_xlsx()), st.binary(max_size=256)))

# tag → group; a new tag must be placed here (see test_every_operation_is_in_a_group)
GROUPS: dict[str, tuple[str, ...]] = {
    "courses": (
        "courses",
        "thematic-plans",
        "timetable",
        "school-settings",
        "individual-plans",
        "hygiene",
    ),
    "materials": ("materials", "catalogue"),
    "assignments": ("assignments", "submissions", "reviews", "notifications"),
    "quizzes": ("quizzes", "question-bank"),
    "extras": (
        "consultations",
        "online-courses",
        "webhooks",
        "calendar-feeds",
        "optouts",
        "events",
        "health",
    ),
}


def _seed(database_url: str, files: Path) -> World:
    """The school and its objects, written on a loop of its own (the app under test
    lives on schemathesis' event loop thread)."""

    async def run() -> World:
        async with running_app("learning", database_url, files_path=files, **NO_COMPLIANCE) as app:
            world = World()
            await seed_directory(app, world)
            async with asgi_client(app, "learning") as client:
                objects = await access_objects(client, world)
                teacher = world.headers("teacher")
                r = await client.post(
                    f"{API}/courses/{objects['course']}/lessons",
                    json={
                        "date": "2026-11-27",
                        "starts_at": "10:00",
                        "devices": [{"device": "pc", "minutes": 15, "kind": "viewing"}],
                    },
                    headers=teacher,
                )
                assert r.status_code == 201, r.text
                r = await client.post(
                    f"{API}/assignments",
                    json={
                        "course_id": objects["course"],
                        "title": "Задание",
                        "due_at": "2027-05-20T18:00:00",
                        "expected_screen_minutes": [{"device": "pc", "minutes": 20}],
                    },
                    headers=teacher,
                )
                assert r.status_code == 201, r.text
                r = await client.post(
                    f"{API}/assignments/{r.json()['id']}/submissions",
                    data={"text": "Ответ"},
                    headers=world.headers("student"),
                )
                assert r.status_code == 201, r.text
                await create_material(
                    client,
                    world,
                    kind="own",
                    title="Файл",
                    course_id=objects["course"],
                    files=[("a.pdf", PDF, "application/pdf")],
                )
        return world

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module")
def files_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("files")


@pytest.fixture(scope="module")
def seeded(learning_db_url: str, files_path: Path) -> World:
    return _seed(learning_db_url, files_path)


@pytest.fixture(scope="module")
def st_app(learning_db_url: str, files_path: Path, seeded: World) -> Iterator[FastAPI]:
    app = create_app(
        service_settings("learning", learning_db_url, files_path=files_path, **NO_COMPLIANCE),
        jwks_loader=test_jwks,
    )
    yield app
    asgi.shutdown_lifespans()


SPEC: dict[str, Any] = create_app(Settings(environment="development")).openapi()


def _schema(group: str) -> Any:
    return schemathesis.openapi.from_dict(
        SPEC, config=schemathesis.Config.from_dict(LEARNING_CONFIG)
    ).include(tag=list(GROUPS[group]))


def _call(case: Case, app: FastAPI, world: World) -> None:
    case.call_and_validate(app=app, headers=world.headers("admin"))


@_schema("courses").parametrize()
def test_courses_plans_timetable(case: Case, st_app: FastAPI, seeded: World) -> None:
    _call(case, st_app, seeded)


@_schema("materials").parametrize()
def test_materials_and_catalogue(case: Case, st_app: FastAPI, seeded: World) -> None:
    _call(case, st_app, seeded)


@_schema("assignments").parametrize()
def test_assignments_submissions_reviews(case: Case, st_app: FastAPI, seeded: World) -> None:
    _call(case, st_app, seeded)


@_schema("quizzes").parametrize()
def test_quizzes(case: Case, st_app: FastAPI, seeded: World) -> None:
    _call(case, st_app, seeded)


@_schema("extras").parametrize()
def test_consultations_online_courses_and_the_rest(
    case: Case, st_app: FastAPI, seeded: World
) -> None:
    _call(case, st_app, seeded)


def test_every_operation_is_in_a_group() -> None:
    grouped = {tag for tags in GROUPS.values() for tag in tags}
    missing = [
        f"{method.upper()} {path}"
        for path, ops in SPEC["paths"].items()
        for method, op in ops.items()
        if not set(op.get("tags") or ["untagged"]) & grouped
    ]
    assert missing == []
