"""Request ids (in, out, into problem bodies) and problem details for routing errors (X-2)."""

from __future__ import annotations

import re

import httpx

ME = "/api/v1/identity/me"
PROBLEM = "application/problem+json"


class TestRequestId:
    async def test_incoming_id_is_echoed_and_put_into_the_problem(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.get(ME, headers={"X-Request-ID": "front-42.a:b_c-d"})
        assert response.status_code == 401
        assert response.headers["x-request-id"] == "front-42.a:b_c-d"
        body = response.json()
        assert body["request_id"] == "front-42.a:b_c-d"
        assert body["instance"] == ME

    async def test_an_id_is_made_when_none_is_given(self, client: httpx.AsyncClient) -> None:
        first = await client.get(ME)
        second = await client.get(ME)
        rid = first.headers["x-request-id"]
        assert re.fullmatch(r"[0-9a-f]{32}", rid)
        assert first.json()["request_id"] == rid
        assert second.headers["x-request-id"] != rid

    async def test_unsafe_ids_are_replaced(self, client: httpx.AsyncClient) -> None:
        for unsafe in ("has spaces", "x" * 129, "new\\nline", "<script>"):
            response = await client.get(ME, headers={"X-Request-ID": unsafe})
            rid = response.headers["x-request-id"]
            assert rid != unsafe
            assert re.fullmatch(r"[0-9a-f]{32}", rid)
            assert response.json()["request_id"] == rid

    async def test_successful_responses_carry_the_id(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/healthz", headers={"X-Request-ID": "ok-1"})
        assert response.status_code == 200
        assert response.headers["x-request-id"] == "ok-1"

    async def test_middleware_problems_carry_the_id(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/api/v1/identity/logout",
            content=b"{" + b" " * 2_000_000 + b"}",
            headers={"Content-Type": "application/json", "X-Request-ID": "big-1"},
        )
        assert response.status_code == 413
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.headers["x-request-id"] == "big-1"
        assert response.json()["request_id"] == "big-1"


class TestRoutingProblems:
    async def test_unknown_route_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/identity/no-such-thing")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith(PROBLEM)
        body = response.json()
        assert body["type"] == "urn:eo:problem:not-found"
        assert body["status"] == 404
        assert body["title"]

    async def test_wrong_method_is_a_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.delete("/api/v1/identity/token")
        assert response.status_code == 405
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["type"] == "urn:eo:problem:method-not-allowed"
        assert "POST" in response.headers["allow"]

    async def test_validation_problem_names_the_field(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/api/v1/identity/logout", json={"refresh_token": 5})
        assert response.status_code == 422
        body = response.json()
        assert body["type"] == "urn:eo:problem:validation-error"
        assert [e["field"] for e in body["errors"]] == ["body.refresh_token"]
        assert body["request_id"] == response.headers["x-request-id"]
