"""Bad input never breaks the service (X-2, X-3, STYLE 7-8).

Malformed JSON is 400; wrong types, unknown fields and NUL bytes are 422 naming the
field; oversized bodies 413; a ``limit`` above the cap and garbage cursors 400; unknown
routes 404 and wrong methods 405 — all as problem details, never a 500, and a refused
write leaves nothing behind.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import func, select

from services.identity.models import Base
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld

API = "/api/v1/identity"
USERS = f"{API}/users"
TOKEN = f"{API}/token"
PROBLEM = "application/problem+json"

# Rows that change without any write by the caller: logins issue refresh tokens; the
# relays (webhooks, NATS) move their position in the outbox on their own.
UNTRACKED_TABLES = {"refresh_tokens", "signing_keys", "outbox_relays"}


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:eo:problem:")
    assert body["title"]
    if code is not None:
        assert body["type"] == f"urn:eo:problem:{code}"
    return body


def fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors") or []]


def user_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": f"bad-input-{uuid.uuid4().hex[:8]}",
        "last_name": "Сидорова",
        "first_name": "Мария",
        "roles": ["student"],
    }
    body.update(overrides)
    return body


async def row_counts(app: FastAPI, school: SchoolWorld) -> dict[str, int]:
    """Rows of ``school`` in every table (other test runs may share the database)."""
    counts: dict[str, int] = {}
    idempotency = app.state.kernel.idempotency
    async with app.state.database.session() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in UNTRACKED_TABLES:
                continue
            stmt = select(func.count()).select_from(table)
            if "school_id" in table.c:
                stmt = stmt.where(table.c.school_id == school.id)
            elif table.name == "schools":
                stmt = stmt.where(table.c.id == school.id)
            elif table.name == idempotency.__tablename__:
                owners = [f"user:{p.id}" for p in school.people.values()]
                stmt = stmt.where(table.c.scope.in_(owners))
            else:
                raise AssertionError(f"table {table.name} is not scoped by school")
            counts[table.name] = int((await session.execute(stmt)).scalar_one())
    return counts


@pytest.fixture
async def admin(client: httpx.AsyncClient, school: SchoolWorld) -> dict[str, str]:
    return await bearer(client, school["admin"].username)


@pytest.fixture
async def lenient_client(identity_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """Receives a 500 response instead of the re-raised exception, so sweeps report it."""
    transport = httpx.ASGITransport(app=identity_app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://identity.test") as c:
        yield c


class TestMalformedBodies:
    @pytest.mark.parametrize(
        "raw", [b'{"username": ', b"{'a': 1}", b"\xff\xfe", b'{"a": 1,}', b"NaN-ish{"]
    )
    async def test_malformed_json_is_400(
        self, client: httpx.AsyncClient, admin: dict[str, str], raw: bytes
    ) -> None:
        response = await client.post(
            USERS, content=raw, headers={**admin, "Content-Type": "application/json"}
        )
        assert_problem(response, 400, "malformed-json")

    async def test_wrong_types_name_the_fields(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.post(
            USERS,
            json=user_body(last_name=5, roles="student", birth_date="вчера"),
            headers=admin,
        )
        body = assert_problem(response, 422, "validation-error")
        assert {"body.last_name", "body.roles", "body.birth_date"} <= set(fields(body))
        assert all(e["message"] and e["code"] for e in body["errors"])

    async def test_json_array_instead_of_object(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.post(USERS, json=[user_body()], headers=admin)
        assert_problem(response, 422)

    async def test_unknown_fields_are_refused(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.post(
            USERS, json=user_body(is_admin=True, school_id=str(uuid.uuid4())), headers=admin
        )
        body = assert_problem(response, 422, "validation-error")
        assert {"body.is_admin", "body.school_id"} <= set(fields(body))
        assert {e["code"] for e in body["errors"]} == {"extra_forbidden"}

    async def test_missing_fields_are_named(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.post(USERS, json={"username": "abc"}, headers=admin)
        body = assert_problem(response, 422, "validation-error")
        assert {"body.last_name", "body.first_name", "body.roles"} <= set(fields(body))

    @pytest.mark.parametrize("field", ["last_name", "first_name", "middle_name", "username"])
    async def test_nul_bytes_are_refused(
        self, client: httpx.AsyncClient, admin: dict[str, str], field: str
    ) -> None:
        response = await client.post(USERS, json=user_body(**{field: "Ив\x00анов"}), headers=admin)
        body = assert_problem(response, 422, "validation-error")
        assert f"body.{field}" in fields(body)

    async def test_control_characters_are_refused(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.patch(
            f"{API}/school", json={"name": "Школа\x1b[31m"}, headers=admin
        )
        body = assert_problem(response, 422, "validation-error")
        assert fields(body) == ["body.name"]

    async def test_nul_in_query_strings_is_not_a_server_error(
        self, lenient_client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(lenient_client, school["admin"].username)
        response = await lenient_client.get(USERS, params={"q": "Ив\x00"}, headers=admin)
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith(PROBLEM)

    async def test_wrong_content_type(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.post(
            USERS, content=b"username=x", headers={**admin, "Content-Type": "text/plain"}
        )
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"].startswith(PROBLEM)


class TestOversizedBodies:
    async def test_declared_length_over_the_limit_is_413(
        self, client: httpx.AsyncClient, admin: dict[str, str], identity_app: FastAPI
    ) -> None:
        limit = identity_app.state.settings.max_body_bytes
        padding = "я" * limit
        response = await client.post(USERS, json=user_body(last_name=padding), headers=admin)
        assert_problem(response, 413, "payload-too-large")

    async def test_streamed_body_over_the_limit_is_413(
        self, client: httpx.AsyncClient, admin: dict[str, str], identity_app: FastAPI
    ) -> None:
        limit = identity_app.state.settings.max_body_bytes

        async def chunks() -> AsyncIterator[bytes]:
            yield b'{"username": "big", "last_name": "'
            for _ in range(limit // 65536 + 2):
                yield b"a" * 65536
            yield b'"}'

        response = await client.post(
            USERS, content=chunks(), headers={**admin, "Content-Type": "application/json"}
        )
        assert "content-length" not in response.request.headers
        assert_problem(response, 413, "payload-too-large")

    async def test_streamed_body_with_an_idempotency_key_is_413(
        self, client: httpx.AsyncClient, admin: dict[str, str], identity_app: FastAPI
    ) -> None:
        # the idempotency middleware reads the whole body first: the limit applies there too
        limit = identity_app.state.settings.max_body_bytes

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(limit // 65536 + 2):
                yield b"a" * 65536

        headers = {**admin, "Content-Type": "application/json", "Idempotency-Key": "big-1"}
        response = await client.post(USERS, content=chunks(), headers=headers)
        assert_problem(response, 413, "payload-too-large")

    async def test_streamed_form_over_the_limit_is_413(
        self, client: httpx.AsyncClient, identity_app: FastAPI
    ) -> None:
        limit = identity_app.state.settings.max_body_bytes

        async def chunks() -> AsyncIterator[bytes]:
            yield b"grant_type=password&username=a&password="
            for _ in range(limit // 65536 + 2):
                yield b"a" * 65536

        response = await client.post(
            TOKEN,
            content=chunks(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert_problem(response, 413, "payload-too-large")

    async def test_garbage_content_length_is_400(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        request = client.build_request(
            "POST", USERS, content=b"{}", headers={**admin, "Content-Type": "application/json"}
        )
        request.headers["Content-Length"] = "lots"
        response = await client.send(request)
        assert_problem(response, 400)


class TestPaging:
    async def test_limit_above_the_cap_is_400(
        self, client: httpx.AsyncClient, admin: dict[str, str], identity_app: FastAPI
    ) -> None:
        cap = identity_app.state.settings.page_limit_max
        ok = await client.get(USERS, params={"limit": cap}, headers=admin)
        assert ok.status_code == 200, ok.text
        response = await client.get(USERS, params={"limit": cap + 1}, headers=admin)
        assert_problem(response, 400, "limit-too-large")

    @pytest.mark.parametrize("limit", ["0", "-1", "ten", "1.5"])
    async def test_nonsense_limits_are_422(
        self, client: httpx.AsyncClient, admin: dict[str, str], limit: str
    ) -> None:
        response = await client.get(USERS, params={"limit": limit}, headers=admin)
        body = assert_problem(response, 422, "validation-error")
        assert fields(body) == ["query.limit"]

    @pytest.mark.parametrize(
        "cursor",
        ["garbage", "%%%", "eyJpZCI6IDF9", "W10", "eyJpZCI6Im5vdC1hLXV1aWQifQ", "x" * 600],
    )
    async def test_garbage_cursor_is_400(
        self, client: httpx.AsyncClient, admin: dict[str, str], cursor: str
    ) -> None:
        response = await client.get(USERS, params={"cursor": cursor}, headers=admin)
        assert 400 <= response.status_code < 500
        assert_problem(response, response.status_code)
        if len(cursor) <= 512:
            assert response.status_code == 400
            assert response.json()["type"] == "urn:eo:problem:invalid-cursor"

    async def test_next_page_link(
        self, client: httpx.AsyncClient, admin: dict[str, str], school: SchoolWorld
    ) -> None:
        first = await client.get(USERS, params={"limit": 2}, headers=admin)
        assert first.status_code == 200
        link = first.headers["link"]
        assert link.endswith('>; rel="next"')
        assert first.json()["next_cursor"]
        seen = [u["id"] for u in first.json()["items"]]
        url = link[1 : link.index(">")]
        while url:
            page = await client.get(url, headers=admin)
            assert page.status_code == 200
            seen += [u["id"] for u in page.json()["items"]]
            link = page.headers.get("link", "")
            url = link[1 : link.index(">")] if link else ""
        assert len(seen) == len(set(seen)) == len(school.people)
        assert set(seen) == {str(p.id) for p in school.people.values()}


class TestRouting:
    async def test_unknown_route_is_404_problem(self, client: httpx.AsyncClient) -> None:
        assert_problem(await client.get(f"{API}/nothing/here"), 404, "not-found")
        assert_problem(await client.get("/favicon.ico"), 404)

    async def test_wrong_method_is_405_problem(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        assert_problem(await client.put(f"{API}/me", headers=admin), 405, "method-not-allowed")
        assert_problem(await client.delete(USERS, headers=admin), 405, "method-not-allowed")

    async def test_malformed_path_ids_are_422(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        response = await client.get(f"{USERS}/not-a-uuid", headers=admin)
        body = assert_problem(response, 422, "validation-error")
        assert fields(body) == ["path.user_id"]

    async def test_unknown_ids_are_404(
        self, client: httpx.AsyncClient, admin: dict[str, str]
    ) -> None:
        assert_problem(await client.get(f"{USERS}/{uuid.uuid4()}", headers=admin), 404)


class TestTokenEndpoint:
    async def test_empty_form_names_grant_type(self, client: httpx.AsyncClient) -> None:
        body = assert_problem(await client.post(TOKEN, data={}), 422, "validation-error")
        assert fields(body) == ["body.grant_type"]

    async def test_unknown_grant_type(self, client: httpx.AsyncClient) -> None:
        response = await client.post(TOKEN, data={"grant_type": "authorization_code"})
        body = assert_problem(response, 422)
        assert fields(body) == ["body.grant_type"]

    @pytest.mark.parametrize(
        "form",
        [
            {"grant_type": "password"},
            {"grant_type": "password", "username": "someone"},
            {"grant_type": "password", "password": "secret"},
            {"grant_type": "refresh_token"},
        ],
    )
    async def test_missing_credentials_are_400(
        self, client: httpx.AsyncClient, form: dict[str, str]
    ) -> None:
        body = assert_problem(await client.post(TOKEN, data=form), 400, "invalid-request")
        assert body["error"] == "invalid_request"

    async def test_json_instead_of_a_form(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            TOKEN, json={"grant_type": "password", "username": "a", "password": "b"}
        )
        assert 400 <= response.status_code < 500
        assert response.headers["content-type"].startswith(PROBLEM)

    async def test_overlong_fields_are_422(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            TOKEN, data={"grant_type": "password", "username": "u" * 65, "password": "p"}
        )
        body = assert_problem(response, 422)
        assert fields(body) == ["body.username"]

    @pytest.mark.parametrize("field", ["username", "password", "refresh_token"])
    async def test_nul_bytes_in_the_form_are_4xx(
        self, lenient_client: httpx.AsyncClient, field: str
    ) -> None:
        form = {"grant_type": "password", "username": "someone", "password": "secret"}
        if field == "refresh_token":
            form = {"grant_type": "refresh_token"}
        form[field] = "ab\x00cd"
        response = await lenient_client.post(TOKEN, data=form)
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith(PROBLEM)


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path template) of every API operation under ``/api/v1/identity``."""
    found = set()
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        if isinstance(context.original_route, APIRoute) and path.startswith(API):
            found.update((method, path) for method in context.methods or () if method != "HEAD")
    return sorted(found)


def _path_for(template: str, value: str) -> str:
    return re.sub(r"\{[^}]+\}", value, template)


BAD_BODIES: list[tuple[str, bytes]] = [
    ("application/json", b"{not json"),
    ("application/json", b"[]"),
    ("application/json", b"null"),
    ("application/json", b'{"\\u0000": "\\u0000", "name": "a\\u0000b"}'),
    ("application/json", b""),
    ("text/plain", b"\x00\x01\x02"),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nbroken"),
    ("application/x-www-form-urlencoded", b"%%%=%%%&a=\x00"),
]


GARBAGE_QUERY = {
    "limit": "x",
    "cursor": "\x00",
    "q": "\x00",
    "active": "maybe",
    "grade": "99",
    "role": "root",
    "subject_id": "\x00",
    "value": "\x00",
    "system": "\x00",
}


class TestNeverAServerError:
    async def test_every_route_survives_garbage_and_writes_nothing(
        self,
        lenient_client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
    ) -> None:
        admin = await bearer(lenient_client, school["admin"].username)
        before = await row_counts(identity_app, school)
        routes = api_routes(identity_app)
        assert len(routes) > 5
        failures: list[str] = []
        for method, template in routes:
            values = [str(uuid.uuid4()), "not-a-uuid", "9" * 40, "%00"]
            for path_value in values if "{" in template else values[:1]:
                path = _path_for(template, path_value)
                attempts: list[tuple[str | None, bytes | None, dict[str, str] | None]]
                if method == "GET":
                    attempts = [(None, None, None), (None, None, GARBAGE_QUERY)]
                else:
                    attempts = [(ct, raw, None) for ct, raw in BAD_BODIES]
                for content_type, content, params in attempts:
                    headers = dict(admin)
                    if content_type:
                        headers["Content-Type"] = content_type
                    response = await lenient_client.request(
                        method, path, content=content, headers=headers, params=params
                    )
                    label = f"{method} {path} {content_type} {content!r} {params}"
                    if response.status_code >= 500:
                        failures.append(f"{label}: {response.status_code}")
                    elif method != "GET" and response.status_code < 400:
                        failures.append(f"{label}: accepted with {response.status_code}")
                    elif response.status_code >= 400 and not response.headers.get(
                        "content-type", ""
                    ).startswith(PROBLEM):
                        failures.append(f"{label}: {response.status_code} without problem")
        assert not failures, "\n".join(failures)
        after = await row_counts(identity_app, school)
        # lists of people are reads of personal data and are logged (ID-10); nothing else
        after.pop("personal_data_access_log")
        before.pop("personal_data_access_log")
        assert after == before


class TestFailedWritesLeaveNothing:
    async def test_refused_user_creation_writes_no_rows(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        identity_app: FastAPI,
        school: SchoolWorld,
    ) -> None:
        before = await row_counts(identity_app, school)
        taken = await client.post(
            USERS, json=user_body(username=f"taken-{uuid.uuid4().hex[:6]}"), headers=admin
        )
        assert taken.status_code == 201, taken.text
        after_create = await row_counts(identity_app, school)
        assert after_create["users"] == before["users"] + 1
        duplicate = await client.post(
            USERS, json=user_body(username=taken.json()["user"]["username"]), headers=admin
        )
        assert duplicate.status_code == 409
        for bad in (
            user_body(roles=["superuser"]),
            user_body(roles=[]),
            user_body(birth_date="2999-01-01"),
            user_body(email="не почта"),
            user_body(username="-bad-"),
        ):
            response = await client.post(USERS, json=bad, headers=admin)
            assert_problem(response, 422)
        assert await row_counts(identity_app, school) == after_create

    async def test_refused_updates_change_nothing(
        self,
        client: httpx.AsyncClient,
        admin: dict[str, str],
        identity_app: FastAPI,
        school: SchoolWorld,
    ) -> None:
        target = school["student2"].id
        before_profile = (await client.get(f"{USERS}/{target}", headers=admin)).json()
        before = await row_counts(identity_app, school)
        for bad in (
            {"last_name": None},
            {"roles": ["wizard"]},
            {"email": "x\x00@example.org"},
            {"first_name": "Пётр", "unknown": 1},
        ):
            response = await client.patch(f"{USERS}/{target}", json=bad, headers=admin)
            assert_problem(response, 422)
        after_profile = (await client.get(f"{USERS}/{target}", headers=admin)).json()
        assert after_profile == before_profile
        # reading another person's full profile is logged (ID-10): only that table grows
        after = await row_counts(identity_app, school)
        grown = {t for t in after if after[t] != before[t]}
        assert grown <= {"personal_data_access_log"}
