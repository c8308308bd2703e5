from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.support.databases import migrated_url
from tests.support.service_world import World, asgi_client, running_app, seed_directory


@pytest.fixture(scope="session")
def journal_db_url(db_backend: str) -> str:
    """Migrated once per session (sync: alembic runs its own event loop)."""
    return migrated_url("journal", db_backend)


@pytest.fixture
def journal_overrides() -> dict[str, object]:
    """Override in a test module to change settings."""
    return {}


@pytest.fixture
async def journal_app(
    journal_db_url: str, journal_overrides: dict[str, object]
) -> AsyncIterator[FastAPI]:
    async with running_app("journal", journal_db_url, **journal_overrides) as app:
        yield app


@pytest.fixture
async def client(journal_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(journal_app, "journal") as c:
        yield c


@pytest.fixture
async def world(journal_app: FastAPI) -> World:
    """A school in the replica of identity's directory (see tests.support.service_world)."""
    w = World()
    await seed_directory(journal_app, w)
    return w


@pytest.fixture
async def other_world(journal_app: FastAPI) -> World:
    w = World()
    await seed_directory(journal_app, w)
    return w
