"""Property-based contract test of the materials and catalogue operations (GW-3, X-2).

Schemathesis generates valid and invalid requests from learning's own spec for the
materials and catalogue operations and sends them in-process, as a teacher of a school
with a course and materials; every answer must be documented and none a server error.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import Case
from schemathesis.python import asgi

from services.learning.app import create_app
from services.learning.settings import Settings
from tests.identity.test_schemathesis import CONFIG
from tests.learning.materials_support import PDF, create_material, make_course
from tests.support.keys import test_jwks
from tests.support.service_world import (
    World,
    asgi_client,
    running_app,
    seed_directory,
    service_settings,
)

MATERIAL_CONFIG = {**CONFIG, "generation": {**CONFIG["generation"], "max-examples": 10}}


def _seed(database_url: str, files: Path) -> World:
    async def run() -> World:
        async with running_app("learning", database_url, files_path=files) as app:
            world = World()
            await seed_directory(app, world)
            course = await make_course(app, world)
            async with asgi_client(app, "learning") as client:
                await create_material(
                    client,
                    world,
                    kind="own",
                    title="Файл",
                    course_id=course,
                    files=[("a.pdf", PDF, "application/pdf")],
                )
                await create_material(
                    client, world, kind="third_party_link", title="Ссылка", url="https://uchi.ru/"
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
        service_settings("learning", learning_db_url, files_path=files_path), jwks_loader=test_jwks
    )
    yield app
    asgi.shutdown_lifespans()


schema = schemathesis.openapi.from_dict(
    create_app(Settings(environment="development")).openapi(),
    config=schemathesis.Config.from_dict(MATERIAL_CONFIG),
).include(path_regex="/(materials|catalogue)")


@schema.parametrize()
def test_materials_and_catalogue_conform_to_the_contract(
    case: Case, st_app: FastAPI, seeded: World
) -> None:
    case.call_and_validate(app=st_app, headers=seeded.headers("teacher"))
