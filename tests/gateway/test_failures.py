"""GW-2: body-size limit, and never a hang: a dead service is a fast 503 problem, a
slow one a 504 at its time budget.

No timing assertions here: each call runs under a hard ``asyncio.wait_for`` guard
(a hang fails the test), and the connect timeout that makes the 503 fast is checked
as configuration.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.app import create_app
from gateway.settings import Settings
from tests.gateway.conftest import GatewayFactory, gateway_settings, running
from tests.gateway.upstreams import EchoLog, echo_app, free_port, serve
from tests.support.keys import test_jwks

GUARD = 5  # seconds: far above any budget below; reaching it means a hang


def assert_problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status
    assert body["type"] == f"urn:eo:problem:{code}"


class TestBodyLimit:
    LIMIT = 4096

    @pytest.fixture
    async def small(self, make_gateway: GatewayFactory) -> AsyncIterator[httpx.AsyncClient]:
        async with make_gateway(max_body_bytes=self.LIMIT) as client:
            yield client

    async def test_declared_length_over_the_limit(
        self, small: httpx.AsyncClient, auth: dict[str, str], echo_log: EchoLog
    ) -> None:
        response = await small.post("/api/v1/learning/x", content=b"x" * 5000, headers=auth)
        assert_problem(response, 413, "payload-too-large")
        assert echo_log.count == 0

    async def test_streamed_body_over_the_limit(
        self, small: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        async def stream() -> AsyncIterator[bytes]:
            for _ in range(10):
                yield b"y" * 1000

        response = await asyncio.wait_for(
            small.post("/api/v1/learning/x", content=stream(), headers=auth), GUARD
        )
        assert_problem(response, 413, "payload-too-large")

    async def test_at_the_limit_passes(
        self, small: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await small.post("/api/v1/learning/x", content=b"x" * self.LIMIT, headers=auth)
        assert response.status_code == 200
        assert response.json()["body_length"] == self.LIMIT

    async def test_bad_content_length(self, small: httpx.AsyncClient, auth: dict[str, str]) -> None:
        request = small.build_request("POST", "/api/v1/learning/x", content=b"abc", headers=auth)
        request.headers["Content-Length"] = "lots"
        assert_problem(await small.send(request), 400, "bad-request")


class TestDeadService:
    def test_connect_timeout_is_under_a_second(self) -> None:
        assert Settings().connect_timeout < 1.0
        assert gateway_settings("http://127.0.0.1:1").connect_timeout < 1.0

    async def test_nothing_listening_is_503(
        self, make_gateway: GatewayFactory, dead_url: str, auth: dict[str, str]
    ) -> None:
        async with make_gateway(learning_url=dead_url) as gateway:
            response = await asyncio.wait_for(
                gateway.get("/api/v1/learning/courses", headers=auth), GUARD
            )
        assert_problem(response, 503, "upstream-unavailable")
        assert "learning" in response.json()["detail"]
        assert response.json()["request_id"] == response.headers["x-request-id"]

    async def test_stopped_service_is_503(self, auth: dict[str, str]) -> None:
        port = free_port()
        app = create_app(gateway_settings(f"http://127.0.0.1:{port}"), jwks_loader=test_jwks)
        async with running(app) as gateway:
            async with serve(echo_app(EchoLog()), port=port):
                # a pooled keep-alive connection to the service now exists
                alive = await gateway.get("/api/v1/journal/x", headers=auth)
                assert alive.status_code == 200
            stopped = await asyncio.wait_for(gateway.get("/api/v1/journal/x", headers=auth), GUARD)
            posted = await asyncio.wait_for(
                gateway.post("/api/v1/journal/x", content=b"{}", headers=auth), GUARD
            )
        assert_problem(stopped, 503, "upstream-unavailable")
        assert_problem(posted, 503, "upstream-unavailable")

    async def test_unresponsive_address_is_503_not_a_hang(
        self, make_gateway: GatewayFactory, auth: dict[str, str]
    ) -> None:
        # TEST-NET-1 (RFC 5737): never routed, so the connect can only time out
        async with make_gateway(learning_url="http://192.0.2.1:9") as gateway:
            response = await asyncio.wait_for(
                gateway.get("/api/v1/learning/courses", headers=auth), GUARD
            )
        assert_problem(response, 503, "upstream-unavailable")


class TestSlowService:
    async def test_over_the_budget_is_504(
        self, make_gateway: GatewayFactory, auth: dict[str, str]
    ) -> None:
        async with make_gateway(upstream_timeout=0.3) as gateway:
            response = await asyncio.wait_for(
                gateway.get("/api/v1/learning/slow", headers=auth), GUARD
            )
        assert_problem(response, 504, "upstream-timeout")
        assert response.json()["title"] == "Сервис не ответил вовремя"

    async def test_default_budget_is_ten_seconds(self) -> None:
        assert Settings().upstream_timeout == 10.0
