"""GW-2: rate limits per client (token subject, else address) → 429 with Retry-After;
in memory, and in Redis when ``TEST_REDIS_URL`` is set."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.gateway.conftest import GatewayFactory
from tests.gateway.upstreams import EchoLog
from tests.support.keys import mint

LIMIT = 3


@pytest.fixture(params=["memory", "redis"])
async def limited(
    request: pytest.FixtureRequest, make_gateway: GatewayFactory, redis_url: str | None
) -> AsyncIterator[httpx.AsyncClient]:
    overrides: dict[str, object] = {"rate_limit_requests": LIMIT, "rate_limit_window_seconds": 60}
    if request.param == "redis":
        if not redis_url:
            pytest.skip("TEST_REDIS_URL is not set: Redis-backed limits run in CI")
        # a fresh key space per test so counters never leak between tests
        overrides.update(redis_url=redis_url, redis_prefix=f"eo-test:gw:{uuid.uuid4().hex}:")
    async with make_gateway(**overrides) as client:
        yield client


def bearer(user: uuid.UUID) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint(user, uuid.uuid4(), ["student"])}


class TestRateLimits:
    async def test_over_the_limit_is_429_with_retry_after(
        self, limited: httpx.AsyncClient, echo_log: EchoLog
    ) -> None:
        headers = bearer(uuid.uuid4())
        for _ in range(LIMIT):
            assert (await limited.get("/api/v1/learning/x", headers=headers)).status_code == 200
        response = await limited.get("/api/v1/learning/x", headers=headers)
        assert response.status_code == 429
        assert response.headers["content-type"] == "application/problem+json"
        assert 1 <= int(response.headers["retry-after"]) <= 60
        assert response.json()["type"] == "urn:eo:problem:too-many-requests"
        assert echo_log.count == LIMIT

    async def test_each_subject_has_its_own_budget(self, limited: httpx.AsyncClient) -> None:
        first, second = bearer(uuid.uuid4()), bearer(uuid.uuid4())
        for _ in range(LIMIT):
            await limited.get("/api/v1/learning/x", headers=first)
        assert (await limited.get("/api/v1/learning/x", headers=first)).status_code == 429
        assert (await limited.get("/api/v1/learning/x", headers=second)).status_code == 200

    async def test_one_subject_with_several_tokens_shares_a_budget(
        self, limited: httpx.AsyncClient
    ) -> None:
        user = uuid.uuid4()
        for _ in range(LIMIT):
            await limited.get("/api/v1/learning/x", headers=bearer(user))
        assert (await limited.get("/api/v1/learning/x", headers=bearer(user))).status_code == 429

    async def test_anonymous_clients_are_limited_by_address(
        self, limited: httpx.AsyncClient
    ) -> None:
        for _ in range(LIMIT):
            response = await limited.post("/api/v1/identity/token")
            assert response.status_code == 200
        assert (await limited.post("/api/v1/identity/token")).status_code == 429

    async def test_local_endpoints_are_not_limited(self, limited: httpx.AsyncClient) -> None:
        for _ in range(LIMIT + 2):
            assert (await limited.get("/healthz")).status_code == 200


class TestForwardedAddresses:
    async def test_behind_a_trusted_proxy_the_forwarded_client_is_counted(
        self, make_gateway: GatewayFactory
    ) -> None:
        async with make_gateway(rate_limit_requests=1, trusted_proxy_hops=1) as client:
            first = {"X-Forwarded-For": "10.0.0.1"}
            assert (await client.post("/api/v1/identity/token", headers=first)).status_code == 200
            assert (await client.post("/api/v1/identity/token", headers=first)).status_code == 429
            other = {"X-Forwarded-For": "10.0.0.2"}
            assert (await client.post("/api/v1/identity/token", headers=other)).status_code == 200

    async def test_without_trusted_proxies_the_header_is_ignored(
        self, make_gateway: GatewayFactory
    ) -> None:
        async with make_gateway(rate_limit_requests=1) as client:
            await client.post("/api/v1/identity/token", headers={"X-Forwarded-For": "10.0.0.1"})
            spoofed = {"X-Forwarded-For": "10.0.0.2"}
            assert (await client.post("/api/v1/identity/token", headers=spoofed)).status_code == 429
