"""GW-1: ``/api/v1/<service>/…`` goes to that service unchanged; headers on the way."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.gateway.conftest import GatewayFactory
from tests.gateway.upstreams import BIG_BODY_CHUNK, BIG_BODY_CHUNKS, EchoLog


def seen_headers(response: httpx.Response) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in response.json()["headers"]:
        out.setdefault(name, []).append(value)
    return out


class TestRouting:
    @pytest.mark.parametrize("service", ["identity", "learning", "journal", "compliance"])
    async def test_each_service_gets_its_prefix(
        self, service: str, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get(f"/api/v1/{service}/things/1", headers=auth)
        assert response.status_code == 200
        assert response.json()["service"] == service
        assert response.json()["path"] == f"/api/v1/{service}/things/1"

    async def test_each_service_has_its_own_upstream(
        self, make_gateway: GatewayFactory, echo_url: str, dead_url: str, auth: dict[str, str]
    ) -> None:
        async with make_gateway(learning_url=echo_url, journal_url=dead_url) as gateway:
            assert (await gateway.get("/api/v1/learning/x", headers=auth)).status_code == 200
            assert (await gateway.get("/api/v1/journal/x", headers=auth)).status_code == 503

    async def test_path_and_query_are_passed_unchanged(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get(
            "/api/v1/learning/files/%D0%B0%20b%2Fc?q=%D0%BE%D1%82%D0%BC%D0%B5%D1%82%D0%BA%D0%B0&x=1&x=2",
            headers=auth,
        )
        assert response.status_code == 200
        seen = response.json()
        assert seen["raw_path"] == "/api/v1/learning/files/%D0%B0%20b%2Fc"
        assert seen["query"] == "q=%D0%BE%D1%82%D0%BC%D0%B5%D1%82%D0%BA%D0%B0&x=1&x=2"

    async def test_well_known_documents_come_from_identity(
        self, gateway: httpx.AsyncClient, echo_log: EchoLog
    ) -> None:
        for name in ("openid-configuration", "jwks.json"):
            response = await gateway.get(f"/.well-known/{name}")
            assert response.status_code == 200
            assert response.json()["service"] == "identity"
            assert response.json()["path"] == f"/api/v1/identity/.well-known/{name}"

    async def test_unknown_service_is_a_problem_404(
        self, gateway: httpx.AsyncClient, auth: dict[str, str], echo_log: EchoLog
    ) -> None:
        response = await gateway.get("/api/v1/payroll/x", headers=auth)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:eo:problem:unknown-service"
        assert echo_log.count == 0

    async def test_unknown_local_path_is_a_problem_404(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/nothing-here")
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"

    async def test_dot_segments_are_refused(
        self, gateway: httpx.AsyncClient, echo_log: EchoLog
    ) -> None:
        # a "public" prefix must not lead anywhere else
        response = await gateway.get("/api/v1/identity/.well-known/%2e%2e/me")
        assert response.status_code == 400
        assert response.json()["type"] == "urn:eo:problem:invalid-path"
        assert echo_log.count == 0


class TestHeaders:
    async def test_forwarding_headers_are_set(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get(
            "/api/v1/learning/x", headers={**auth, "X-Forwarded-For": "10.1.1.1"}
        )
        seen = seen_headers(response)
        # the peer is appended: services trust the last entry, which the client can't forge
        assert seen["x-forwarded-for"] == ["10.1.1.1, 127.0.0.1"]
        assert seen["x-forwarded-proto"] == ["http"]
        assert seen["x-forwarded-host"] == ["gateway.test"]

    async def test_authorization_is_forwarded_unchanged(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get("/api/v1/learning/x", headers=auth)
        assert seen_headers(response)["authorization"] == [auth["Authorization"]]

    async def test_hop_by_hop_headers_are_dropped_both_ways(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get(
            "/api/v1/learning/x",
            headers={
                **auth,
                "Connection": "keep-alive, X-Private-Hop",
                "X-Private-Hop": "secret",
                "Keep-Alive": "timeout=5",
                "TE": "trailers",
                "Proxy-Authorization": "Basic Zm9vOmJhcg==",
                "Upgrade": "websocket",
                "X-Kept": "yes",
            },
        )
        seen = seen_headers(response)
        for name in ("x-private-hop", "keep-alive", "te", "proxy-authorization", "upgrade"):
            assert name not in seen, name
        assert seen["x-kept"] == ["yes"]
        # the upstream's own hop-by-hop header is not passed back; its other headers are
        assert "keep-alive" not in response.headers
        assert response.headers["x-upstream"] == "echo"

    async def test_connection_cannot_strip_the_gateways_own_headers(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get(
            "/api/v1/learning/x",
            headers={**auth, "Connection": "X-Request-ID, X-Forwarded-For", "X-Request-ID": "r-1"},
        )
        seen = seen_headers(response)
        assert seen["x-request-id"] == ["r-1"]
        assert seen["x-forwarded-for"] == ["127.0.0.1"]

    async def test_aiohttp_adds_no_headers_of_its_own(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        request = gateway.build_request("GET", "/api/v1/learning/x", headers=auth)
        for name in ("accept", "accept-encoding", "user-agent"):
            del request.headers[name]
        seen = seen_headers(await gateway.send(request))
        assert "accept-encoding" not in seen
        assert "user-agent" not in seen
        assert "content-type" not in seen


class TestBodies:
    async def test_small_body_is_forwarded(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        body = "отметка".encode() * 100
        response = await gateway.post(
            "/api/v1/journal/marks",
            content=body,
            headers={**auth, "Content-Type": "application/json"},
        )
        seen = response.json()
        assert seen["body_length"] == len(body)
        assert seen["body_sha256"] == hashlib.sha256(body).hexdigest()
        assert seen_headers(response)["content-type"] == ["application/json"]

    async def test_large_body_is_streamed_with_its_length(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        body = bytes(range(256)) * 1024  # 256 KiB: above the read-in-one-go size
        response = await gateway.put("/api/v1/learning/files/1", content=body, headers=auth)
        seen = response.json()
        assert seen["body_length"] == len(body)
        assert seen["body_sha256"] == hashlib.sha256(body).hexdigest()
        assert seen_headers(response)["content-length"] == [str(len(body))]

    async def test_chunked_body_is_streamed(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        parts = [b"a" * 5000, b"b" * 70000, b"c"]

        async def stream() -> AsyncIterator[bytes]:
            for part in parts:
                yield part

        response = await gateway.post("/api/v1/learning/upload", content=stream(), headers=auth)
        assert response.json()["body_sha256"] == hashlib.sha256(b"".join(parts)).hexdigest()

    async def test_large_response_is_streamed_back(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        response = await gateway.get("/api/v1/learning/big", headers=auth)
        assert response.status_code == 200
        assert response.content == BIG_BODY_CHUNK * BIG_BODY_CHUNKS

    @pytest.mark.parametrize("status", [201, 404, 409, 500])
    async def test_upstream_status_is_kept(
        self, gateway: httpx.AsyncClient, auth: dict[str, str], status: int
    ) -> None:
        response = await gateway.get(f"/api/v1/learning/x?status={status}", headers=auth)
        assert response.status_code == status

    async def test_head_has_no_body(self, gateway: httpx.AsyncClient, auth: dict[str, str]) -> None:
        response = await gateway.head("/api/v1/learning/x", headers=auth)
        assert response.status_code == 200
        assert response.content == b""
