"""A test signing key and a JWKS loader for services other than identity."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterable
from functools import cache
from typing import Any

from services.common import jwt

ISSUER = "http://127.0.0.1:8000"
AUDIENCE = "eo-platform"


@cache
def test_key() -> tuple[str, str]:
    return "test-key-1", jwt.generate_private_key_pem()


async def test_jwks() -> list[dict[str, Any]]:
    kid, pem = test_key()
    return [jwt.public_jwk(pem, kid)]


def mint(
    user_id: uuid.UUID,
    school_id: uuid.UUID,
    roles: Iterable[str],
    *,
    lifetime: int = 600,
    **overrides: Any,
) -> str:
    kid, pem = test_key()
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(user_id),
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "sid": str(uuid.uuid4()),
        "school": str(school_id),
        "roles": sorted(roles),
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.sign(claims, pem, kid)
