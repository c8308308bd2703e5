"""``Idempotency-Key`` on authenticated POSTs (GW-5): a replay returns the stored response
and creates nothing; another body under the same key is 422; a request still running is
409; failures with status ≥ 500 are not stored, so the client may retry."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.errors import ServiceUnavailable
from services.identity.models import ClassGroup, User, kernel
from services.identity.tokens.service import TokenService
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld

USERS = "/api/v1/identity/users"
CLASS_GROUPS = "/api/v1/identity/class-groups"
LOGOUT = "/api/v1/identity/logout"
PROBLEM = "application/problem+json"


def new_user(username: str | None = None) -> dict[str, Any]:
    return {
        "username": username or f"idem-{uuid.uuid4().hex[:10]}",
        "last_name": "Петрова",
        "first_name": "Анна",
        "roles": ["student"],
    }


async def users_named(app: FastAPI, username: str) -> int:
    async with app.state.database.session() as session:
        count = await session.execute(
            select(func.count()).select_from(User).where(User.username == username)
        )
        return int(count.scalar_one())


def new_class(school: SchoolWorld, letter: str = "Г") -> dict[str, Any]:
    return {"academic_year_id": str(school.year_id), "grade": 9, "letter": letter}


async def class_groups_of(app: FastAPI, school: SchoolWorld) -> int:
    async with app.state.database.session() as session:
        count = await session.execute(
            select(func.count()).select_from(ClassGroup).where(ClassGroup.school_id == school.id)
        )
        return int(count.scalar_one())


async def stored_keys(app: FastAPI, key: str) -> list[Any]:
    model = app.state.kernel.idempotency
    async with app.state.database.session() as session:
        result = await session.execute(select(model).where(model.key == key))
        return list(result.scalars().all())


def with_key(headers: dict[str, str], key: str) -> dict[str, str]:
    return {**headers, "Idempotency-Key": key}


@pytest.fixture
async def lenient_client(identity_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """A client that receives the 500 response instead of the re-raised exception."""
    transport = httpx.ASGITransport(app=identity_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity.test") as c:
        yield c


class TestReplay:
    async def test_same_key_and_body_replays_and_creates_one_row(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        body = new_class(school)
        key = f"create-{uuid.uuid4()}"
        before = await class_groups_of(identity_app, school)
        first = await client.post(CLASS_GROUPS, json=body, headers=with_key(admin, key))
        assert first.status_code == 201, first.text
        assert "idempotent-replayed" not in first.headers
        second = await client.post(CLASS_GROUPS, json=body, headers=with_key(admin, key))
        assert second.status_code == 201
        assert second.headers["idempotent-replayed"] == "true"
        assert second.json() == first.json()
        assert second.headers["content-type"] == first.headers["content-type"]
        # the replay is a request of its own: it has its own id
        assert second.headers["x-request-id"] != first.headers["x-request-id"]
        assert await class_groups_of(identity_app, school) == before + 1
        [record] = await stored_keys(identity_app, key)
        assert record.state == "done"
        assert record.response_status == 201

    async def test_without_a_key_each_post_is_its_own(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        body = new_user()
        first = await client.post(USERS, json=body, headers=admin)
        assert first.status_code == 201, first.text
        second = await client.post(USERS, json=body, headers=admin)
        assert second.status_code == 409  # the username is taken: not a replay
        assert "idempotent-replayed" not in second.headers
        assert await users_named(identity_app, body["username"]) == 1

    async def test_a_stored_4xx_is_replayed_too(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = with_key(await bearer(client, school["admin"].username), "bad-body-1")
        body = {"refresh_token": ""}
        first = await client.post(LOGOUT, json=body, headers=headers)
        assert first.status_code == 422
        second = await client.post(LOGOUT, json=body, headers=headers)
        assert second.status_code == 422
        assert second.headers["idempotent-replayed"] == "true"
        assert second.json()["errors"] == first.json()["errors"]

    async def test_keys_belong_to_the_caller(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        key = f"shared-{uuid.uuid4()}"
        admin = await bearer(client, school["admin"].username)
        staff = await bearer(client, school["staff"].username)
        one = await client.post(LOGOUT, json={"refresh_token": "a"}, headers=with_key(admin, key))
        other = await client.post(LOGOUT, json={"refresh_token": "b"}, headers=with_key(staff, key))
        assert one.status_code == other.status_code == 204
        assert "idempotent-replayed" not in other.headers
        assert len(await stored_keys(identity_app, key)) == 2

    async def test_anonymous_posts_are_not_deduplicated(
        self, client: httpx.AsyncClient, identity_app: FastAPI
    ) -> None:
        key = f"anon-{uuid.uuid4()}"
        for _ in range(2):
            response = await client.post(
                LOGOUT, json={"refresh_token": "x"}, headers={"Idempotency-Key": key}
            )
            assert response.status_code == 204
            assert "idempotent-replayed" not in response.headers
        assert await stored_keys(identity_app, key) == []


class TestMisuse:
    async def test_same_key_other_body_is_422(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        key = f"reuse-{uuid.uuid4()}"
        first = await client.post(
            CLASS_GROUPS, json=new_class(school, "Д"), headers=with_key(admin, key)
        )
        assert first.status_code == 201, first.text
        before = await class_groups_of(identity_app, school)
        second = await client.post(
            CLASS_GROUPS, json=new_class(school, "Е"), headers=with_key(admin, key)
        )
        assert second.status_code == 422
        assert second.headers["content-type"].startswith(PROBLEM)
        assert second.json()["type"] == "urn:eo:problem:idempotency-key-reused"
        assert await class_groups_of(identity_app, school) == before

    async def test_same_key_other_path_is_422(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        key = f"path-{uuid.uuid4()}"
        first = await client.post(LOGOUT, json={"refresh_token": "x"}, headers=with_key(admin, key))
        assert first.status_code == 204
        second = await client.post(
            "/api/v1/identity/me/password",
            json={"refresh_token": "x"},
            headers=with_key(admin, key),
        )
        assert second.status_code == 422
        assert second.json()["type"] == "urn:eo:problem:idempotency-key-reused"

    @pytest.mark.parametrize("key", ["", "ключ", "a" * 256, "with space"])
    async def test_malformed_keys_are_400(
        self, client: httpx.AsyncClient, school: SchoolWorld, key: str
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        headers: dict[str, str | bytes] = {**admin, "Idempotency-Key": key.encode()}
        response = await client.post(LOGOUT, json={"refresh_token": "x"}, headers=headers)
        assert response.status_code == 400
        assert response.headers["content-type"].startswith(PROBLEM)
        assert response.json()["type"] == "urn:eo:problem:invalid-idempotency-key"


class TestInFlight:
    async def test_a_running_request_gives_409_then_replays(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        entered = asyncio.Event()
        release = asyncio.Event()
        original = TokenService.logout

        async def slow_logout(self: TokenService, refresh_token: str) -> None:
            entered.set()
            await release.wait()
            await original(self, refresh_token)

        monkeypatch.setattr(TokenService, "logout", slow_logout)
        key = f"flight-{uuid.uuid4()}"
        headers = with_key(admin, key)
        body = {"refresh_token": "slow"}
        first = asyncio.create_task(client.post(LOGOUT, json=body, headers=headers))
        await asyncio.wait_for(entered.wait(), timeout=10)
        concurrent = await client.post(LOGOUT, json=body, headers=headers)
        assert concurrent.status_code == 409
        assert concurrent.headers["content-type"].startswith(PROBLEM)
        assert concurrent.json()["type"] == "urn:eo:problem:idempotency-in-flight"
        release.set()
        assert (await asyncio.wait_for(first, timeout=10)).status_code == 204
        replay = await client.post(LOGOUT, json=body, headers=headers)
        assert replay.status_code == 204
        assert replay.headers["idempotent-replayed"] == "true"


class TestServerErrorsAreNotStored:
    async def test_a_503_is_forgotten_and_the_retry_runs(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        original = TokenService.logout

        async def unavailable(self: TokenService, refresh_token: str) -> None:
            raise ServiceUnavailable("временно недоступно")

        monkeypatch.setattr(TokenService, "logout", unavailable)
        key = f"retry-{uuid.uuid4()}"
        body = {"refresh_token": "r"}
        failed = await client.post(LOGOUT, json=body, headers=with_key(admin, key))
        assert failed.status_code == 503
        assert await stored_keys(identity_app, key) == []
        monkeypatch.setattr(TokenService, "logout", original)
        retried = await client.post(LOGOUT, json=body, headers=with_key(admin, key))
        assert retried.status_code == 204
        assert "idempotent-replayed" not in retried.headers

    async def test_an_unhandled_error_is_forgotten(
        self,
        lenient_client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        admin = await bearer(lenient_client, school["admin"].username)
        original = TokenService.logout

        async def broken(self: TokenService, refresh_token: str) -> None:
            raise RuntimeError("boom")

        monkeypatch.setattr(TokenService, "logout", broken)
        key = f"boom-{uuid.uuid4()}"
        body = {"refresh_token": "b"}
        failed = await lenient_client.post(LOGOUT, json=body, headers=with_key(admin, key))
        assert failed.status_code == 500
        assert failed.headers["content-type"].startswith(PROBLEM)
        assert "boom" not in failed.text
        assert await stored_keys(identity_app, key) == []
        monkeypatch.setattr(TokenService, "logout", original)
        retried = await lenient_client.post(LOGOUT, json=body, headers=with_key(admin, key))
        assert retried.status_code == 204
        assert "idempotent-replayed" not in retried.headers


class TestSecretResponsesAreNotStored:
    """One-time passwords must never be written to the idempotency table."""

    async def test_no_store_response_is_not_kept_and_not_replayed(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        headers["Idempotency-Key"] = "create-" + uuid.uuid4().hex
        body = {
            "username": "secret-" + uuid.uuid4().hex[:8],
            "last_name": "Петров",
            "first_name": "Пётр",
            "roles": ["teacher"],
        }
        first = await client.post("/api/v1/identity/users", json=body, headers=headers)
        assert first.status_code == 201, first.text
        password = first.json()["initial_password"]
        async with identity_app.state.database.session() as session:
            rows = (await session.execute(select(kernel.idempotency))).scalars().all()
        mine = [r for r in rows if r.key == headers["Idempotency-Key"]]
        assert len(mine) == 1
        assert mine[0].response_body is None
        assert all(password.encode() not in (r.response_body or b"") for r in rows)
        again = await client.post("/api/v1/identity/users", json=body, headers=headers)
        assert again.status_code == 409
        assert again.json()["type"] == "urn:eo:problem:idempotent-response-not-stored"
