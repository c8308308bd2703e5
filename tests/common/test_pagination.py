"""Cursor pagination (X-3): opaque cursors, the ``limit`` cap and the ``Link`` header."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from services.common.errors import BadRequest
from services.common.pagination import decode_cursor, encode_cursor
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld

USERS = "/api/v1/identity/users"


def next_link(response: httpx.Response) -> str | None:
    link = response.headers.get("link")
    if link is None:
        return None
    assert link.endswith('>; rel="next"'), link
    return link[1 : link.index(">")]


class TestCursor:
    def test_round_trip(self) -> None:
        value = {"id": str(uuid.uuid4()), "n": 5}
        token = encode_cursor(value)
        assert "=" not in token
        assert decode_cursor(token) == value

    @pytest.mark.parametrize("garbage", ["", "!!!", "bm90IGpzb24", "W10", "MQ", "\x00"])
    def test_garbage_is_a_bad_request(self, garbage: str) -> None:
        with pytest.raises(BadRequest) as caught:
            decode_cursor(garbage)
        assert caught.value.code == "invalid-cursor"


class TestLinkHeader:
    async def test_pages_link_to_the_next_and_keep_the_filters(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        first = await client.get(USERS, params={"role": "student", "limit": 1}, headers=admin)
        assert first.status_code == 200, first.text
        url = next_link(first)
        assert url is not None
        assert url.startswith(USERS + "?")
        query = httpx.URL(url).params
        assert query["role"] == "student"
        assert query["limit"] == "1"
        assert query["cursor"] == first.json()["next_cursor"]
        second = await client.get(url, headers=admin)
        assert second.status_code == 200
        ids = [u["id"] for u in first.json()["items"] + second.json()["items"]]
        assert sorted(ids) == sorted(str(school[r].id) for r in ("student", "student2"))
        # the last page has neither a Link nor a next cursor
        assert next_link(second) is None
        assert second.json()["next_cursor"] is None

    async def test_default_and_capped_limits(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        settings = identity_app.state.settings
        whole = await client.get(USERS, headers=admin)
        assert whole.status_code == 200
        assert len(whole.json()["items"]) <= settings.page_limit_default
        over = await client.get(USERS, params={"limit": settings.page_limit_max + 1}, headers=admin)
        assert over.status_code == 400
        assert over.json()["type"] == "urn:eo:problem:limit-too-large"
