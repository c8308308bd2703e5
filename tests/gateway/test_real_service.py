"""GW-1, GW-2 end to end: a real service (learning, on its own migrated database)
behind the gateway; both verify the token, the request id runs through."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.app import create_app
from services.learning.app import create_app as learning_app
from services.learning.settings import Settings as LearningSettings
from tests.gateway.conftest import gateway_settings, running
from tests.gateway.upstreams import serve
from tests.support.databases import migrated_url
from tests.support.keys import mint, test_jwks


@pytest.fixture(scope="session")
def learning_db_url(db_backend: str) -> str:
    return migrated_url("learning", db_backend)


@pytest.fixture
async def gateway_to_learning(
    learning_db_url: str, dead_url: str
) -> AsyncIterator[httpx.AsyncClient]:
    settings = LearningSettings(
        environment="test",
        database_url=learning_db_url,
        secret_key="x" * 40,
        log_json=False,
        log_level="WARNING",
    )
    async with serve(learning_app(settings, jwks_loader=test_jwks), lifespan="on") as url:
        app = create_app(gateway_settings(dead_url, learning_url=url), jwks_loader=test_jwks)
        async with running(app) as client:
            yield client


class TestLearningBehindTheGateway:
    async def test_feed_through_the_gateway(self, gateway_to_learning: httpx.AsyncClient) -> None:
        token = mint(uuid.uuid4(), uuid.uuid4(), ["admin"])
        response = await gateway_to_learning.get(
            "/api/v1/learning/events",
            headers={"Authorization": f"Bearer {token}", "X-Request-ID": "e2e-1"},
        )
        assert response.status_code == 200, response.text
        assert response.json()["items"] == []
        assert response.headers.get_list("x-request-id") == ["e2e-1"]

    async def test_service_problems_pass_through(
        self, gateway_to_learning: httpx.AsyncClient
    ) -> None:
        # a valid token at the edge, but the service's own rule refuses the role
        token = mint(uuid.uuid4(), uuid.uuid4(), ["student"])
        response = await gateway_to_learning.get(
            "/api/v1/learning/events", headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:eo:problem:forbidden"

    async def test_readiness_of_a_real_service(
        self, gateway_to_learning: httpx.AsyncClient
    ) -> None:
        response = await gateway_to_learning.get("/readyz")
        assert response.json()["services"]["learning"] == "ok"
