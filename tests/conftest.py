"""Fixtures shared by every test package (registered explicitly, no star imports)."""

from __future__ import annotations

import os

import pytest

from tests.support.databases import backends


@pytest.fixture(scope="session", params=backends())
def db_backend(request: pytest.FixtureRequest) -> str:
    """Every database test runs on SQLite, and on PostgreSQL when TEST_POSTGRES_URL is set."""
    return str(request.param)


@pytest.fixture(scope="session")
def redis_url() -> str | None:
    return os.environ.get("TEST_REDIS_URL")


def pytest_configure(config: pytest.Config) -> None:
    # argon2 at the real minimum parameters is used everywhere; keep logs quiet.
    os.environ.setdefault("EO_TEST", "1")
