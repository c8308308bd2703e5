"""Property-based contract test of the norms endpoints (CO-1, CO-2, GW-3, X-2).

Schemathesis generates valid and invalid requests for every ``/norms`` operation from
compliance's own OpenAPI spec and sends them in-process, as the admin of a school: every
answer must be documented (status, content type, body schema) and none may be a server
error. Deterministic and bounded like identity's run.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import Case
from schemathesis.python import asgi

from services.compliance.app import create_app
from tests.identity.test_schemathesis import CONFIG
from tests.support.service_world import World, running_app, seed_directory, service_settings


def _seed(database_url: str) -> World:
    """The school in the directory replica, written on a loop of its own (the app under
    test lives on schemathesis' event loop thread)."""

    async def run() -> World:
        world = World()
        async with running_app("compliance", database_url) as app:
            await seed_directory(app, world)
        return world

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module")
def world(compliance_db_url: str) -> World:
    return _seed(compliance_db_url)


@pytest.fixture(scope="module")
def st_app(compliance_db_url: str, world: World) -> Iterator[FastAPI]:
    from tests.support.keys import test_jwks

    app = create_app(service_settings("compliance", compliance_db_url), jwks_loader=test_jwks)
    yield app
    asgi.shutdown_lifespans()


schema = schemathesis.openapi.from_dict(
    create_app(service_settings("compliance", "sqlite+aiosqlite://")).openapi(),
    config=schemathesis.Config.from_dict(CONFIG),
).include(path_regex="/norms/")


@schema.parametrize()
def test_norms_api_conforms_to_its_contract(case: Case, st_app: FastAPI, world: World) -> None:
    case.call_and_validate(app=st_app, headers=world.headers("admin"))
