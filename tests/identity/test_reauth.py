"""Re-entry of the password before an attestation (ID-8, §4.5): ``POST /reauth`` gives a
short signed proof that other services verify from the JWKS; it never opens the API."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from services.common import jwt
from services.common.auth import REAUTH_PROOF_TYPE, TokenVerifier
from tests.identity.conftest import bearer
from tests.identity.factories import PASSWORD, SchoolWorld
from tests.identity.test_contacts import service_token

API = "/api/v1/identity"


def verifier_of(client: httpx.AsyncClient) -> TokenVerifier:
    async def load() -> list[dict[str, object]]:
        r = await client.get(f"{API}/.well-known/jwks.json")
        return list(r.json()["keys"])

    return TokenVerifier(load, audience="eo-platform", issuer="http://127.0.0.1:8000")


class TestReauthProof:
    async def test_the_password_gives_a_short_proof_verified_from_the_jwks(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        student = school["student"]
        headers = await bearer(client, student.username)
        r = await client.post(f"{API}/reauth", json={"password": PASSWORD}, headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["cache-control"] == "no-store"
        body = r.json()
        assert body["proof_type"] == "reauth"
        assert 30 <= body["expires_in"] <= 900
        claims = await verifier_of(client).verify_proof(body["proof"], REAUTH_PROOF_TYPE)
        assert claims["sub"] == str(student.id)
        assert claims["school"] == str(school.id)
        assert claims["purpose"] == "reauth"
        assert claims["exp"] - claims["iat"] == body["expires_in"]

    async def test_the_proof_is_not_an_access_token(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["student"].username)
        proof = (
            await client.post(f"{API}/reauth", json={"password": PASSWORD}, headers=headers)
        ).json()["proof"]
        r = await client.get(f"{API}/me", headers={"Authorization": f"Bearer {proof}"})
        assert r.status_code == 401
        assert r.json()["type"] == "urn:eo:problem:invalid-token"

    async def test_an_access_token_is_not_a_proof(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["student"].username)
        access = headers["Authorization"].removeprefix("Bearer ")
        with pytest.raises(jwt.TokenInvalid):
            await verifier_of(client).verify_proof(access, REAUTH_PROOF_TYPE)


class TestRefused:
    async def test_a_wrong_password_gives_no_proof(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["student"].username)
        r = await client.post(
            f"{API}/reauth", json={"password": "not-my-password"}, headers=headers
        )
        assert r.status_code == 400
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["type"] == "urn:eo:problem:reauth-failed"
        assert "proof" not in r.json()

    async def test_malformed_bodies_are_422(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["student"].username)
        for body in ({}, {"password": ""}, {"password": PASSWORD, "extra": 1}):
            r = await client.post(f"{API}/reauth", json=body, headers=headers)
            assert r.status_code == 422, body

    async def test_anonymous_and_service_callers_are_refused(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        r = await client.post(f"{API}/reauth", json={"password": PASSWORD})
        assert r.status_code == 401
        r = await client.post(
            f"{API}/reauth", json={"password": PASSWORD}, headers=await service_token(client)
        )
        assert r.status_code == 403
        assert r.json()["type"] == "urn:eo:problem:service-token-not-allowed"
