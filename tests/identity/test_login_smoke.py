from __future__ import annotations

import httpx

from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld


class TestLoginAndMe:
    async def test_login_then_me(self, client: httpx.AsyncClient, school: SchoolWorld) -> None:
        headers = await bearer(client, school["student"].username)
        response = await client.get("/api/v1/identity/me", headers=headers)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["username"] == school["student"].username
        assert body["roles"] == ["student"]
        assert body["school"]["id"] == str(school.id)
        assert response.headers["x-request-id"]

    async def test_me_without_token_is_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/api/v1/identity/me")
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == "urn:eo:problem:unauthorized"
