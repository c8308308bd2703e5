from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from fastapi import FastAPI

from tests.support.databases import migrated_url
from tests.support.service_world import World, asgi_client, running_app, seed_directory


@pytest.fixture(scope="session")
def compliance_db_url(db_backend: str) -> str:
    """Migrated once per session (sync: alembic runs its own event loop)."""
    return migrated_url("compliance", db_backend)


@pytest.fixture
def compliance_overrides() -> dict[str, object]:
    """Override in a test module to change settings."""
    return {}


@pytest.fixture
async def compliance_app(
    compliance_db_url: str, compliance_overrides: dict[str, object]
) -> AsyncIterator[FastAPI]:
    async with running_app("compliance", compliance_db_url, **compliance_overrides) as app:
        yield app


@pytest.fixture
async def client(compliance_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(compliance_app, "compliance") as c:
        yield c


@pytest.fixture
async def world(compliance_app: FastAPI) -> World:
    """A school in the replica of identity's directory (see tests.support.service_world)."""
    w = World()
    await seed_directory(compliance_app, w)
    return w


@pytest.fixture
async def other_world(compliance_app: FastAPI) -> World:
    w = World()
    await seed_directory(compliance_app, w)
    return w


# -- the schemathesis modules (tests/compliance/schemathesis_support.py) -----------------


@pytest.fixture(scope="module")
def st_world(compliance_db_url: str) -> World:
    """A school seeded once per schemathesis module."""
    from tests.compliance.schemathesis_support import seed_world

    return seed_world(compliance_db_url)


@pytest.fixture(scope="module")
def st_app(compliance_db_url: str, st_world: World) -> Iterator[FastAPI]:
    """The app the schemathesis module fuzzes (after its school is seeded)."""
    from tests.compliance.schemathesis_support import app_under_test

    with app_under_test(compliance_db_url) as app:
        yield app
