"""GW-2: request ids end to end: taken or made, sent upstream, echoed back."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.gateway.test_routing import seen_headers


class TestRequestId:
    async def test_incoming_id_goes_upstream_and_back(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get(
            "/api/v1/learning/x", headers={**auth, "X-Request-ID": "client-42.a:b"}
        )
        assert response.status_code == 200
        assert seen_headers(response)["x-request-id"] == ["client-42.a:b"]
        # one id in the answer: the gateway's, not a second one from the upstream
        assert response.headers.get_list("x-request-id") == ["client-42.a:b"]

    async def test_missing_id_is_made_and_sent_both_ways(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get("/api/v1/learning/x", headers=auth)
        made = response.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", made)
        assert seen_headers(response)["x-request-id"] == [made]

    @pytest.mark.parametrize("bad", ["has space", "x" * 129, "юникод", "a;b"])
    async def test_invalid_id_is_replaced(
        self, gateway: httpx.AsyncClient, auth: dict[str, str], bad: str
    ) -> None:
        request = gateway.build_request("GET", "/api/v1/learning/x", headers=auth)
        request.headers["X-Request-ID"] = bad.encode().decode("latin-1")
        response = await gateway.send(request)
        made = response.headers["x-request-id"]
        assert made != bad.encode().decode("latin-1")
        assert seen_headers(response)["x-request-id"] == [made]

    async def test_problems_carry_the_id(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/api/v1/learning/x", headers={"X-Request-ID": "rid-401"})
        assert response.status_code == 401
        assert response.headers["x-request-id"] == "rid-401"
        assert response.json()["request_id"] == "rid-401"

    async def test_local_endpoints_echo_the_id(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/healthz", headers={"X-Request-ID": "probe-1"})
        assert response.headers["x-request-id"] == "probe-1"
