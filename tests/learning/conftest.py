from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.support.databases import migrated_url
from tests.support.service_world import World, asgi_client, running_app, seed_directory


@pytest.fixture(scope="session")
def learning_db_url(db_backend: str) -> str:
    """Migrated once per session (sync: alembic runs its own event loop)."""
    return migrated_url("learning", db_backend)


# A port nothing listens on: compliance (and identity's token endpoint) cannot be asked.
DEAD_URL = "http://127.0.0.1:9"
# Without compliance, lessons and assignments with screen devices are published marked
# "not checked" (Reg §2.5); tests/learning/test_hygiene.py asks a real compliance.
NO_COMPLIANCE: dict[str, object] = {
    "compliance_url": DEAD_URL,
    "identity_url": DEAD_URL,
    "compliance_unreachable_default": "mark_unchecked",
}


@pytest.fixture
def learning_overrides(tmp_path: Path) -> dict[str, object]:
    """Override in a test module to change settings (keep files_path)."""
    return {"files_path": tmp_path / "files", **NO_COMPLIANCE}


@pytest.fixture
async def learning_app(
    learning_db_url: str, learning_overrides: dict[str, object]
) -> AsyncIterator[FastAPI]:
    async with running_app("learning", learning_db_url, **learning_overrides) as app:
        yield app


@pytest.fixture
async def client(learning_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(learning_app, "learning") as c:
        yield c


@pytest.fixture
async def world(learning_app: FastAPI) -> World:
    """A school in the replica of identity's directory (see tests.support.service_world)."""
    w = World()
    await seed_directory(learning_app, w)
    return w


@pytest.fixture
async def other_world(learning_app: FastAPI) -> World:
    w = World()
    await seed_directory(learning_app, w)
    return w
