"""GW-2: CORS for the frontends, from configuration; preflights answered at the edge."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tests.gateway.conftest import GatewayFactory
from tests.gateway.upstreams import EchoLog

ALLOWED = "https://school.example.ru"
PREFLIGHT = {
    "Origin": ALLOWED,
    "Access-Control-Request-Method": "POST",
    "Access-Control-Request-Headers": "authorization, content-type, idempotency-key",
}


@pytest.fixture
async def cors_gateway(make_gateway: GatewayFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_gateway(cors_origins=[ALLOWED, "http://localhost:5173"]) as client:
        yield client


class TestPreflight:
    async def test_allowed_origin_is_answered_at_the_edge(
        self, cors_gateway: httpx.AsyncClient, echo_log: EchoLog
    ) -> None:
        response = await cors_gateway.options("/api/v1/journal/marks", headers=PREFLIGHT)
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "POST" in response.headers["access-control-allow-methods"]
        assert (
            response.headers["access-control-allow-headers"]
            == PREFLIGHT["Access-Control-Request-Headers"]
        )
        assert response.headers["access-control-max-age"] == "600"
        assert response.headers["vary"] == "Origin"
        assert "x-request-id" in response.headers
        assert echo_log.count == 0  # no token needed, no service contacted

    async def test_other_origin_is_refused(
        self, cors_gateway: httpx.AsyncClient, echo_log: EchoLog
    ) -> None:
        response = await cors_gateway.options(
            "/api/v1/journal/marks", headers={**PREFLIGHT, "Origin": "https://evil.example"}
        )
        assert response.status_code == 403
        assert response.headers["content-type"] == "application/problem+json"
        assert "access-control-allow-origin" not in response.headers
        assert echo_log.count == 0

    async def test_no_origins_configured_refuses_every_preflight(
        self, gateway: httpx.AsyncClient
    ) -> None:
        response = await gateway.options("/api/v1/journal/marks", headers=PREFLIGHT)
        assert response.status_code == 403

    async def test_any_origin(self, make_gateway: GatewayFactory) -> None:
        async with make_gateway(cors_origins=["*"]) as client:
            response = await client.options(
                "/api/v1/journal/marks", headers={**PREFLIGHT, "Origin": "https://any.example"}
            )
        assert response.status_code == 204
        assert response.headers["access-control-allow-origin"] == "*"


class TestActualRequests:
    async def test_allowed_origin_can_read_the_answer(
        self, cors_gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await cors_gateway.get("/api/v1/learning/x", headers={**auth, "Origin": ALLOWED})
        assert response.status_code == 200
        assert response.headers["access-control-allow-origin"] == ALLOWED
        assert "X-Request-ID" in response.headers["access-control-expose-headers"]
        assert "Retry-After" in response.headers["access-control-expose-headers"]

    async def test_errors_are_readable_too(self, cors_gateway: httpx.AsyncClient) -> None:
        response = await cors_gateway.get("/api/v1/learning/x", headers={"Origin": ALLOWED})
        assert response.status_code == 401
        assert response.headers["access-control-allow-origin"] == ALLOWED

    async def test_other_origin_gets_no_cors_headers(
        self, cors_gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await cors_gateway.get(
            "/api/v1/learning/x", headers={**auth, "Origin": "https://evil.example"}
        )
        assert "access-control-allow-origin" not in response.headers
