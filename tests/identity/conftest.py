from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from services.identity.app import create_app
from services.identity.settings import Settings
from tests.identity.factories import PASSWORD, SchoolWorld, make_school
from tests.support.databases import migrated_url

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def identity_settings(database_url: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "log_json": False,
        "log_level": "WARNING",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def identity_overrides() -> dict[str, object]:
    """Override in a test module to change settings (e.g. redis_url)."""
    return {}


@pytest.fixture(scope="session")
def identity_db_url(db_backend: str) -> str:
    """Migrated once per session (sync: alembic runs its own event loop)."""
    return migrated_url("identity", db_backend)


@pytest.fixture
async def identity_app(
    identity_db_url: str, identity_overrides: dict[str, object]
) -> AsyncIterator[FastAPI]:
    app = create_app(identity_settings(identity_db_url, **identity_overrides))
    async with app.router.lifespan_context(app):
        yield app


@pytest.fixture
async def client(identity_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=identity_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity.test") as c:
        yield c


@pytest.fixture
async def school(identity_app: FastAPI) -> SchoolWorld:
    return await make_school(identity_app)


@pytest.fixture
async def other_school(identity_app: FastAPI) -> SchoolWorld:
    return await make_school(identity_app, "МБОУ Другая школа")


async def login(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> dict[str, object]:
    response = await client.post(
        "/api/v1/identity/token",
        data={"grant_type": "password", "username": username, "password": password},
    )
    assert response.status_code == 200, response.text
    return dict(response.json())


async def bearer(
    client: httpx.AsyncClient, username: str, password: str = PASSWORD
) -> dict[str, str]:
    tokens = await login(client, username, password)
    return {"Authorization": f"Bearer {tokens['access_token']}"}
