"""Auth hardening (ID-5, ID-6): forged, incomplete and stale tokens are refused; refresh
tokens rotate and their reuse revokes the family; logout and password change revoke."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.common import jwt
from tests.identity.conftest import bearer, login
from tests.identity.factories import PASSWORD, SchoolWorld, add_user

ME = "/api/v1/identity/me"
TOKEN = "/api/v1/identity/token"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


async def signing_material(app: FastAPI) -> tuple[str, str]:
    async with app.state.database.session() as session:
        return await app.state.keystore.signing_key(session)


def claims_for(person_id: uuid.UUID, school_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": "http://127.0.0.1:8000",
        "aud": "eo-platform",
        "sub": str(person_id),
        "iat": now,
        "exp": now + 300,
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "school": str(school_id),
        "roles": ["student"],
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


async def assert_refused(client: httpx.AsyncClient, token: str) -> None:
    response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"] == "Bearer"


class TestForgedTokens:
    async def test_alg_none_is_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld, identity_app: FastAPI
    ) -> None:
        kid, _ = await signing_material(identity_app)
        header = b64(json.dumps({"alg": "none", "typ": "JWT", "kid": kid}).encode())
        payload = b64(json.dumps(claims_for(school["student"].id, school.id)).encode())
        await assert_refused(client, f"{header}.{payload}.")

    async def test_hs256_signed_with_public_key_is_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld, identity_app: FastAPI
    ) -> None:
        kid, pem = await signing_material(identity_app)
        jwks = (await client.get("/api/v1/identity/.well-known/jwks.json")).json()
        public = json.dumps(next(k for k in jwks["keys"] if k["kid"] == kid)).encode()
        header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": kid}).encode())
        payload = b64(json.dumps(claims_for(school["student"].id, school.id)).encode())
        for secret in (public, pem.encode()):
            signature = b64(
                hmac.new(secret, f"{header}.{payload}".encode(), hashlib.sha256).digest()
            )
            await assert_refused(client, f"{header}.{payload}.{signature}")

    async def test_token_signed_by_unknown_key_is_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        foreign = jwt.generate_private_key_pem()
        token = jwt.sign(claims_for(school["student"].id, school.id), foreign, "unknown-kid")
        await assert_refused(client, token)

    async def test_garbage_is_refused(self, client: httpx.AsyncClient) -> None:
        await assert_refused(client, "not-a-token")


class TestRequiredClaims:
    @pytest.mark.parametrize("missing", ["exp", "iat", "sub", "aud", "iss", "jti"])
    async def test_token_without_required_claim_is_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld, identity_app: FastAPI, missing: str
    ) -> None:
        kid, pem = await signing_material(identity_app)
        token = jwt.sign(claims_for(school["student"].id, school.id, **{missing: None}), pem, kid)
        await assert_refused(client, token)

    @pytest.mark.parametrize(
        "override",
        [
            {"aud": "another-platform"},
            {"iss": "https://evil.example"},
            {"exp": int(time.time()) - 10, "iat": int(time.time()) - 700},
            {"typ": "refresh"},
            {"school": str(uuid.uuid4())},
        ],
        ids=["wrong-aud", "wrong-iss", "expired", "wrong-type", "wrong-school"],
    )
    async def test_token_with_wrong_claim_is_refused(
        self,
        client: httpx.AsyncClient,
        school: SchoolWorld,
        identity_app: FastAPI,
        override: dict[str, Any],
    ) -> None:
        kid, pem = await signing_material(identity_app)
        token = jwt.sign(claims_for(school["student"].id, school.id, **override), pem, kid)
        await assert_refused(client, token)

    async def test_well_formed_token_is_accepted(
        self, client: httpx.AsyncClient, school: SchoolWorld, identity_app: FastAPI
    ) -> None:
        kid, pem = await signing_material(identity_app)
        token = jwt.sign(claims_for(school["student"].id, school.id), pem, kid)
        response = await client.get(ME, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200


class TestRefreshRotation:
    async def test_refresh_rotates_and_reuse_revokes_family(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        first = await login(client, school["teacher"].username)
        second = await client.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
        )
        assert second.status_code == 200
        rotated = second.json()
        assert rotated["refresh_token"] != first["refresh_token"]

        reuse = await client.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
        )
        assert reuse.status_code == 400
        assert reuse.json()["type"] == "urn:eo:problem:refresh-token-reused"
        assert reuse.json()["error"] == "invalid_grant"

        # the legitimate holder's newer token is revoked as well: the whole family is gone
        after = await client.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": rotated["refresh_token"]}
        )
        assert after.status_code == 400
        me = await client.get(ME, headers={"Authorization": f"Bearer {rotated['access_token']}"})
        assert me.status_code == 401

    async def test_other_sessions_survive_a_family_revocation(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        one = await login(client, school["teacher"].username)
        two = await login(client, school["teacher"].username)
        await client.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": one["refresh_token"]}
        )
        await client.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": one["refresh_token"]}
        )
        again = await client.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": two["refresh_token"]}
        )
        assert again.status_code == 200

    async def test_unknown_refresh_token(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": "nope"}
        )
        assert response.status_code == 400
        assert response.json()["error"] == "invalid_grant"


class TestRevocation:
    async def test_logout_revokes_refresh_and_session(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        tokens = await login(client, school["student"].username)
        response = await client.post(
            "/api/v1/identity/logout", json={"refresh_token": tokens["refresh_token"]}
        )
        assert response.status_code == 204
        refresh = await client.post(
            TOKEN, data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]}
        )
        assert refresh.status_code == 400
        me = await client.get(ME, headers={"Authorization": f"Bearer {tokens['access_token']}"})
        assert me.status_code == 401

    async def test_password_change_revokes_all_sessions(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        person = school["student"]
        one = await login(client, person.username)
        two = await login(client, person.username)
        new_password = "Новый-пароль-для-дневника"
        response = await client.post(
            "/api/v1/identity/me/password",
            json={"current_password": PASSWORD, "new_password": new_password},
            headers={"Authorization": f"Bearer {one['access_token']}"},
        )
        assert response.status_code == 204, response.text
        for tokens in (one, two):
            refresh = await client.post(
                TOKEN,
                data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
            )
            assert refresh.status_code == 400
            me = await client.get(ME, headers={"Authorization": f"Bearer {tokens['access_token']}"})
            assert me.status_code == 401
        old = await client.post(
            TOKEN,
            data={"grant_type": "password", "username": person.username, "password": PASSWORD},
        )
        assert old.status_code == 400
        await login(client, person.username, new_password)

    async def test_wrong_current_password_changes_nothing(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["student"].username)
        response = await client.post(
            "/api/v1/identity/me/password",
            json={"current_password": "wrong-password-1", "new_password": "Совсем-другой-пароль"},
            headers=headers,
        )
        assert response.status_code == 422
        assert response.json()["type"] == "urn:eo:problem:wrong-password"
        await login(client, school["student"].username)


class TestPasswords:
    async def test_64_character_password_works(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        long_password = "Ж" * 40 + "x" * 23 + "9"
        assert len(long_password) == 64
        person = await add_user(identity_app, school.id, ["teacher"], password=long_password)
        await login(client, person.username, long_password)
        truncated = await client.post(
            TOKEN,
            data={
                "grant_type": "password",
                "username": person.username,
                "password": long_password[:63],
            },
        )
        assert truncated.status_code == 400

    async def test_common_password_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["student"].username)
        for weak in ("password1", "qwerty123", "iloveyou"):
            response = await client.post(
                "/api/v1/identity/me/password",
                json={"current_password": PASSWORD, "new_password": weak},
                headers=headers,
            )
            assert response.status_code == 422
            assert response.json()["type"] == "urn:eo:problem:common-password"
            assert "распространён" in response.json()["detail"]

    async def test_short_password_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["student"].username)
        response = await client.post(
            "/api/v1/identity/me/password",
            json={"current_password": PASSWORD, "new_password": "Ab1!"},
            headers=headers,
        )
        assert response.status_code == 422
        assert response.json()["type"] == "urn:eo:problem:weak-password"

    def test_common_list_is_large(self) -> None:
        from services.identity.passwords import common_passwords

        assert len(common_passwords()) >= 10_000


class TestFirstLogin:
    async def test_first_login_requires_password_change(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        person = await add_user(identity_app, school.id, ["student"], must_change_password=True)
        response = await client.post(
            TOKEN,
            data={"grant_type": "password", "username": person.username, "password": PASSWORD},
        )
        assert response.status_code == 403
        assert response.json()["type"] == "urn:eo:problem:password-change-required"
        changed = await client.post(
            "/api/v1/identity/password/initial",
            json={
                "username": person.username,
                "current_password": PASSWORD,
                "new_password": "Мой-личный-пароль-7",
            },
        )
        assert changed.status_code == 200, changed.text
        me = await client.get(
            ME, headers={"Authorization": f"Bearer {changed.json()['access_token']}"}
        )
        assert me.json()["must_change_password"] is False
        again = await client.post(
            "/api/v1/identity/password/initial",
            json={
                "username": person.username,
                "current_password": "Мой-личный-пароль-7",
                "new_password": "Ещё-один-пароль-8",
            },
        )
        assert again.status_code == 400


class TestNoEnumeration:
    async def test_unknown_user_and_wrong_password_answer_alike(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        wrong = await client.post(
            TOKEN,
            data={
                "grant_type": "password",
                "username": school["student"].username,
                "password": "wrong-pass-123",
            },
        )
        unknown = await client.post(
            TOKEN,
            data={
                "grant_type": "password",
                "username": "nobody-" + uuid.uuid4().hex[:6],
                "password": "wrong-pass-123",
            },
        )
        assert wrong.status_code == unknown.status_code == 400
        strip = lambda body: {k: v for k, v in body.items() if k not in ("request_id", "instance")}  # noqa: E731
        assert strip(wrong.json()) == strip(unknown.json())

    async def test_deactivated_user_answers_like_wrong_password(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        person = await add_user(identity_app, school.id, ["student"], is_active=False)
        response = await client.post(
            TOKEN,
            data={"grant_type": "password", "username": person.username, "password": PASSWORD},
        )
        assert response.status_code == 400
        assert response.json()["type"] == "urn:eo:problem:invalid-grant"


class TestKeys:
    async def test_jwks_and_discovery(self, client: httpx.AsyncClient) -> None:
        jwks = (await client.get("/api/v1/identity/.well-known/jwks.json")).json()
        assert jwks["keys"]
        assert all(k["kty"] == "RSA" and k["alg"] == "RS256" and "d" not in k for k in jwks["keys"])
        discovery = (await client.get("/api/v1/identity/.well-known/openid-configuration")).json()
        assert discovery["jwks_uri"].endswith("/api/v1/identity/.well-known/jwks.json")
        assert discovery["id_token_signing_alg_values_supported"] == ["RS256"]

    async def test_rotation_keeps_old_tokens_valid(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        old = await login(client, school["teacher"].username)
        old_kid = jwt.unverified_header(str(old["access_token"]))["kid"]
        async with identity_app.state.database.session() as session:
            new_key = await identity_app.state.keystore.rotate(session)
        new = await login(client, school["teacher"].username)
        assert jwt.unverified_header(str(new["access_token"]))["kid"] == new_key.kid != old_kid
        kids = {
            k["kid"]
            for k in (await client.get("/api/v1/identity/.well-known/jwks.json")).json()["keys"]
        }
        assert {old_kid, new_key.kid} <= kids
        for tokens in (old, new):
            me = await client.get(ME, headers={"Authorization": f"Bearer {tokens['access_token']}"})
            assert me.status_code == 200
