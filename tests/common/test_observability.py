"""``/healthz``, ``/readyz`` (503 when the database is unreachable) and ``/metrics``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from services.learning.app import create_app as create_learning_app
from services.learning.settings import Settings as LearningSettings
from tests.support.keys import test_jwks

PROBLEM = "application/problem+json"


class TestHealth:
    async def test_healthz(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "service": "identity"}

    async def test_readyz_with_a_database(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/readyz")
        assert response.status_code == 200
        assert response.json() == {"status": "ok", "service": "identity"}


@pytest.fixture(params=["sqlite", "postgres"])
async def unreachable_client(
    request: pytest.FixtureRequest, tmp_path: Path
) -> AsyncIterator[httpx.AsyncClient]:
    if request.param == "sqlite":
        # A file that is not a database: opening succeeds, the first statement fails.
        # (A path that can't be opened would leave aiosqlite's worker thread to report
        # to an event loop the test has already closed.)
        broken = tmp_path / "learning.db"
        broken.write_bytes(b"this is not an SQLite database\n" * 64)
        url = f"sqlite:///{broken}"
    else:
        url = "postgresql://nobody@127.0.0.1:1/eo_nowhere"
    # learning's lifespan touches no table, so it starts without a working database
    settings = LearningSettings(
        environment="test",
        database_url=url,
        secret_key="y" * 40,
        log_json=False,
        log_level="CRITICAL",
    )
    app: FastAPI = create_learning_app(settings, jwks_loader=test_jwks)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://learning.test") as c:
            yield c


class TestNotReady:
    async def test_readyz_is_503_problem(self, unreachable_client: httpx.AsyncClient) -> None:
        response = await unreachable_client.get("/readyz", headers={"X-Request-ID": "ready-1"})
        assert response.status_code == 503
        assert response.headers["content-type"].startswith(PROBLEM)
        body = response.json()
        assert body["type"] == "urn:eo:problem:database-unavailable"
        assert body["request_id"] == "ready-1"

    async def test_healthz_stays_up(self, unreachable_client: httpx.AsyncClient) -> None:
        assert (await unreachable_client.get("/healthz")).status_code == 200


class TestMetrics:
    async def test_requests_are_counted_by_route_template(self, client: httpx.AsyncClient) -> None:
        await client.get("/api/v1/identity/me")
        await client.get("/api/v1/identity/does-not-exist/secret-ivanov")
        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        text = response.text
        assert (
            'http_requests_total{method="GET",route="/api/v1/identity/me",'
            'service="identity",status="401"} 1.0' in text
        ) or (
            'http_requests_total{service="identity",method="GET",'
            'route="/api/v1/identity/me",status="401"} 1.0' in text
        )
        assert "http_request_duration_seconds_bucket" in text
        # unmatched paths collapse into one label: no personal data, bounded cardinality
        assert 'route="unmatched"' in text
        assert "secret-ivanov" not in text
