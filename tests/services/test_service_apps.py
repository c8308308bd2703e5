"""Learning, journal and compliance run as their own apps: health, readiness on their own
database (built by their migrations), authentication by the JWKS, the change feed."""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from tests.support.databases import migrated_url
from tests.support.keys import mint, test_jwks

SERVICES = ("learning", "journal", "compliance")


@pytest.fixture(scope="session", params=SERVICES)
def service_db(request: pytest.FixtureRequest, db_backend: str) -> tuple[str, str]:
    name = str(request.param)
    return name, migrated_url(name, db_backend)


@pytest.fixture
async def service_client(
    service_db: tuple[str, str],
) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    name, url = service_db
    app_module = importlib.import_module(f"services.{name}.app")
    settings_module = importlib.import_module(f"services.{name}.settings")
    settings = settings_module.Settings(
        environment="test",
        database_url=url,
        secret_key="x" * 40,
        log_json=False,
        log_level="WARNING",
    )
    app: FastAPI = app_module.create_app(settings, jwks_loader=test_jwks)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"http://{name}.test") as client:
            yield name, client


class TestServiceApps:
    async def test_health_and_readiness(
        self, service_client: tuple[str, httpx.AsyncClient]
    ) -> None:
        name, client = service_client
        health = await client.get("/healthz")
        assert health.json() == {"status": "ok", "service": name}
        ready = await client.get("/readyz")
        assert ready.status_code == 200
        metrics = await client.get("/metrics")
        assert "http_requests_total" in metrics.text

    async def test_feed_requires_a_valid_token(
        self, service_client: tuple[str, httpx.AsyncClient]
    ) -> None:
        name, client = service_client
        anonymous = await client.get(f"/api/v1/{name}/events")
        assert anonymous.status_code == 401
        assert anonymous.headers["content-type"].startswith("application/problem+json")
        forged = await client.get(
            f"/api/v1/{name}/events", headers={"Authorization": "Bearer x.y.z"}
        )
        assert forged.status_code == 401

    async def test_feed_by_role(self, service_client: tuple[str, httpx.AsyncClient]) -> None:
        name, client = service_client
        school = uuid.uuid4()
        student = mint(uuid.uuid4(), school, ["student"])
        admin = mint(uuid.uuid4(), school, ["admin"])
        denied = await client.get(
            f"/api/v1/{name}/events", headers={"Authorization": f"Bearer {student}"}
        )
        assert denied.status_code == 403
        feed = await client.get(
            f"/api/v1/{name}/events", headers={"Authorization": f"Bearer {admin}"}
        )
        assert feed.status_code == 200
        assert feed.json()["items"] == []
        assert feed.json()["next_cursor"]

    async def test_openapi_is_served(self, service_client: tuple[str, httpx.AsyncClient]) -> None:
        name, client = service_client
        spec = (await client.get(f"/api/v1/{name}/openapi.json")).json()
        assert f"/api/v1/{name}/events" in spec["paths"]
