"""GW-2: access tokens are verified at the edge; without a valid one the service is
never contacted. Public paths need no token."""

from __future__ import annotations

import base64
import json
import time
import uuid

import httpx
import pytest

from services.common import jwt
from tests.gateway.upstreams import EchoLog
from tests.support.keys import AUDIENCE, ISSUER, mint


def _b64(data: dict[str, object]) -> str:
    raw = json.dumps(data, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unsigned_token(**claims: object) -> str:
    """``alg: none``: a token anyone can write."""
    now = int(time.time())
    body = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "school": str(uuid.uuid4()),
        "roles": ["admin"],
        **claims,
    }
    return f"{_b64({'alg': 'none', 'typ': 'JWT', 'kid': 'test-key-1'})}.{_b64(body)}."


def other_key_token() -> str:
    """Well formed and signed, but by a key the JWKS doesn't hold under that kid."""
    now = int(time.time())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "exp": now + 600,
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "school": str(uuid.uuid4()),
        "roles": ["admin"],
    }
    return jwt.sign(claims, jwt.generate_private_key_pem(), "test-key-1")


def assert_401(response: httpx.Response) -> None:
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert body["status"] == 401
    assert body["instance"] == "/api/v1/learning/courses"


class TestEdgeAuthentication:
    PATH = "/api/v1/learning/courses"

    async def test_no_token(self, gateway: httpx.AsyncClient, echo_log: EchoLog) -> None:
        response = await gateway.get(self.PATH)
        assert_401(response)
        assert response.json()["title"] == "Требуется аутентификация"
        assert echo_log.count == 0

    @pytest.mark.parametrize(
        "header",
        [
            "Basic dXNlcjpwYXNz",
            "Bearer",
            "Bearer ",
            "Token abc",
            "bearer not-a-jwt",
            "Bearer a.b.c",
        ],
    )
    async def test_malformed(
        self, gateway: httpx.AsyncClient, echo_log: EchoLog, header: str
    ) -> None:
        assert_401(await gateway.get(self.PATH, headers={"Authorization": header}))
        assert echo_log.count == 0

    async def test_forged_signature(self, gateway: httpx.AsyncClient, echo_log: EchoLog) -> None:
        response = await gateway.get(
            self.PATH, headers={"Authorization": f"Bearer {other_key_token()}"}
        )
        assert_401(response)
        assert response.json()["type"] == "urn:eo:problem:invalid-token"
        assert echo_log.count == 0

    async def test_expired(self, gateway: httpx.AsyncClient, echo_log: EchoLog) -> None:
        token = mint(
            uuid.uuid4(), uuid.uuid4(), ["teacher"], iat=int(time.time()) - 700, lifetime=-100
        )
        response = await gateway.get(self.PATH, headers={"Authorization": f"Bearer {token}"})
        assert_401(response)
        assert response.json()["type"] == "urn:eo:problem:token-expired"
        assert echo_log.count == 0

    async def test_alg_none_is_refused(self, gateway: httpx.AsyncClient, echo_log: EchoLog) -> None:
        response = await gateway.get(
            self.PATH, headers={"Authorization": f"Bearer {unsigned_token()}"}
        )
        assert_401(response)
        assert echo_log.count == 0

    async def test_other_audience_is_refused(
        self, gateway: httpx.AsyncClient, echo_log: EchoLog
    ) -> None:
        token = mint(uuid.uuid4(), uuid.uuid4(), ["teacher"], aud="another-platform")
        assert_401(await gateway.get(self.PATH, headers={"Authorization": f"Bearer {token}"}))
        assert echo_log.count == 0

    async def test_refresh_type_is_refused(
        self, gateway: httpx.AsyncClient, echo_log: EchoLog
    ) -> None:
        token = mint(uuid.uuid4(), uuid.uuid4(), ["teacher"], typ="refresh")
        assert_401(await gateway.get(self.PATH, headers={"Authorization": f"Bearer {token}"}))
        assert echo_log.count == 0

    async def test_valid_token_passes(
        self, gateway: httpx.AsyncClient, echo_log: EchoLog, auth: dict[str, str]
    ) -> None:
        for _ in range(3):  # the second and third use the cached verification
            response = await gateway.get(self.PATH, headers=auth)
            assert response.status_code == 200
        assert echo_log.count == 3

    async def test_scheme_is_case_insensitive(
        self, gateway: httpx.AsyncClient, auth: dict[str, str]
    ) -> None:
        token = auth["Authorization"].split(" ", 1)[1]
        response = await gateway.get(self.PATH, headers={"Authorization": f"bearer {token}"})
        assert response.status_code == 200


class TestPublicPaths:
    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("POST", "/api/v1/identity/token"),
            ("POST", "/api/v1/identity/logout"),
            ("POST", "/api/v1/identity/password/initial"),
            ("GET", "/api/v1/identity/.well-known/jwks.json"),
            ("GET", "/api/v1/identity/.well-known/openid-configuration"),
            ("GET", "/.well-known/jwks.json"),
            ("GET", "/.well-known/openid-configuration"),
            ("GET", "/api/v1/identity/openapi.json"),
            ("GET", "/api/v1/learning/openapi.json"),
            ("GET", "/api/v1/journal/openapi.json"),
            ("GET", "/api/v1/compliance/openapi.json"),
            # calendar apps send no token: the feed's URL holds its secret
            ("GET", "/api/v1/learning/ical/abc123.ics"),
        ],
    )
    async def test_open_without_token(
        self, gateway: httpx.AsyncClient, echo_log: EchoLog, method: str, path: str
    ) -> None:
        response = await gateway.request(method, path)
        assert response.status_code == 200, response.text
        assert echo_log.count == 1

    @pytest.mark.parametrize(
        ("method", "path"),
        [
            ("GET", "/api/v1/identity/token"),  # only POST is public
            ("GET", "/api/v1/identity/me"),
            ("POST", "/api/v1/learning/token"),  # another service's "token" is not
            ("GET", "/api/v1/learning/.well-known/jwks.json"),
            ("GET", "/api/v1/learning/events"),
            ("GET", "/api/v1/learning/calendar-feeds"),
            ("DELETE", "/api/v1/learning/ical/abc123.ics"),  # only GET is public
            ("GET", "/api/v1/learning/ical/abc123"),
            ("GET", "/api/v1/journal/ical/abc123.ics"),  # only learning's feeds
        ],
    )
    async def test_everything_else_needs_a_token(
        self, gateway: httpx.AsyncClient, echo_log: EchoLog, method: str, path: str
    ) -> None:
        response = await gateway.request(method, path)
        assert response.status_code == 401
        assert echo_log.count == 0

    async def test_public_post_keeps_its_authorization_header(
        self, gateway: httpx.AsyncClient
    ) -> None:
        # logout may carry an expired token: the gateway does not judge it there
        response = await gateway.post(
            "/api/v1/identity/logout", headers={"Authorization": "Bearer whatever"}
        )
        assert response.status_code == 200
        assert ["authorization", "Bearer whatever"] in response.json()["headers"]
