"""Brute-force throttling (ID-6): per account and per client, in memory and in Redis."""

from __future__ import annotations

import uuid

import httpx
import pytest

from tests.identity.factories import PASSWORD, SchoolWorld

TOKEN = "/api/v1/identity/token"


@pytest.fixture(params=["memory", "redis"])
def identity_overrides(request: pytest.FixtureRequest, redis_url: str | None) -> dict[str, object]:
    if request.param == "redis":
        if not redis_url:
            pytest.skip("TEST_REDIS_URL is not set: Redis-backed throttling runs in CI")
        # a fresh key space per test so counters never leak between tests
        return {"redis_url": redis_url, "redis_prefix": f"eo-test:{uuid.uuid4().hex}:"}
    return {}


class TestAccountThrottling:
    async def test_failures_lock_the_account_with_retry_after(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        username = school["student"].username
        for _ in range(5):
            response = await client.post(
                TOKEN,
                data={"grant_type": "password", "username": username, "password": "wrong-pass-1"},
            )
            assert response.status_code == 400
        locked = await client.post(
            TOKEN, data={"grant_type": "password", "username": username, "password": PASSWORD}
        )
        assert locked.status_code == 429
        assert int(locked.headers["retry-after"]) >= 1
        assert locked.json()["type"] == "urn:eo:problem:login-throttled"

    async def test_unknown_accounts_are_throttled_alike(self, client: httpx.AsyncClient) -> None:
        username = "ghost-" + uuid.uuid4().hex[:8]
        statuses = [
            (
                await client.post(
                    TOKEN,
                    data={
                        "grant_type": "password",
                        "username": username,
                        "password": "wrong-pass-1",
                    },
                )
            ).status_code
            for _ in range(6)
        ]
        assert statuses == [400] * 5 + [429]


class TestClientThrottling:
    async def test_many_attempts_from_one_address(self, client: httpx.AsyncClient) -> None:
        ip = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
        statuses = []
        for i in range(31):
            response = await client.post(
                TOKEN,
                data={
                    "grant_type": "password",
                    "username": f"spray-{i}-{uuid.uuid4().hex[:4]}",
                    "password": "wrong-pass-1",
                },
                headers={"X-Forwarded-For": ip},
            )
            statuses.append(response.status_code)
        assert statuses[:30] == [400] * 30
        assert statuses[30] == 429
