"""What compliance's schemathesis modules share (GW-3, X-2).

Each ``test_*_schemathesis.py`` fuzzes one part of the contract (``contract(path_regex)``)
against the app under test, as the users of a school seeded in its directory replica
(the ``st_world`` and ``st_app`` fixtures of ``tests/compliance/conftest.py``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from contextlib import contextmanager

import schemathesis
from fastapi import FastAPI
from schemathesis.python import asgi
from schemathesis.schemas import BaseSchema

from services.compliance.app import create_app
from tests.identity.test_schemathesis import CONFIG
from tests.support.keys import test_jwks
from tests.support.service_world import World, running_app, seed_directory, service_settings

SPEC = create_app(service_settings("compliance", "sqlite+aiosqlite://")).openapi()


def contract(path_regex: str) -> BaseSchema:
    """The operations of compliance's contract whose path matches ``path_regex``."""
    config = schemathesis.Config.from_dict(CONFIG)
    return schemathesis.openapi.from_dict(SPEC, config=config).include(path_regex=path_regex)


def seed_world(database_url: str) -> World:
    """The school in the directory replica, written on a loop of its own (the app under
    test lives on schemathesis' event loop thread)."""

    async def run() -> World:
        world = World()
        async with running_app("compliance", database_url) as app:
            await seed_directory(app, world)
        return world

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@contextmanager
def app_under_test(database_url: str) -> Iterator[FastAPI]:
    """Compliance on ``database_url``; schemathesis runs its lifespan."""
    app = create_app(service_settings("compliance", database_url), jwks_loader=test_jwks)
    try:
        yield app
    finally:
        asgi.shutdown_lifespans()
