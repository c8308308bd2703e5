"""The only module that imports ``jose`` (see docs/decisions/0001-python-jose-behind-one-module.md).

Signing and verification of JSON Web Tokens with exactly one allowed algorithm, and
JWK export of public keys. Everything else in the platform calls these functions.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jose import jwk, jwt
from jose.backends.base import Key
from jose.exceptions import ExpiredSignatureError, JOSEError, JWTClaimsError

ALGORITHM = "RS256"
REQUIRED_CLAIMS = ("exp", "iat", "sub", "aud", "iss", "jti")

__all__ = [
    "ALGORITHM",
    "REQUIRED_CLAIMS",
    "TokenExpired",
    "TokenInvalid",
    "generate_private_key_pem",
    "public_jwk",
    "sign",
    "unverified_header",
    "verify",
]


class TokenInvalid(Exception):
    """The token is malformed, forged, of another audience or issuer, or lacks a claim."""


class TokenExpired(TokenInvalid):
    """The token was valid but its ``exp`` has passed."""


def generate_private_key_pem(bits: int = 2048) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def public_jwk(private_pem: str, kid: str) -> dict[str, Any]:
    """The public half of a private key as a JWK (what the JWKS publishes)."""
    key = jwk.construct(private_pem, ALGORITHM)
    public = key.public_key().to_dict()
    public.update({"kid": kid, "use": "sig", "alg": ALGORITHM})
    return {k: (v.decode() if isinstance(v, bytes) else v) for k, v in public.items()}


@lru_cache(maxsize=64)
def _private_key(private_pem: str) -> Key:
    # Parsing and checking an RSA key costs tens of milliseconds: do it once per key.
    return jwk.construct(private_pem, ALGORITHM)


@lru_cache(maxsize=256)
def _public_key(jwk_json: str) -> Key:
    return jwk.construct(json.loads(jwk_json), ALGORITHM)


def sign(claims: dict[str, Any], private_pem: str, kid: str, *, typ: str = "at+jwt") -> str:
    return jwt.encode(
        claims, _private_key(private_pem), algorithm=ALGORITHM, headers={"kid": kid, "typ": typ}
    )


def unverified_header(token: str) -> dict[str, Any]:
    try:
        header = jwt.get_unverified_header(token)
    except JOSEError as exc:
        raise TokenInvalid("malformed token header") from exc
    if not isinstance(header, dict):
        raise TokenInvalid("malformed token header")
    return header


def verify(token: str, key: dict[str, Any], *, audience: str, issuer: str) -> dict[str, Any]:
    """Verify signature and claims; only :data:`ALGORITHM` is ever accepted."""
    header = unverified_header(token)
    if header.get("alg") != ALGORITHM:
        raise TokenInvalid("algorithm not allowed")
    if key.get("kty") != "RSA":
        raise TokenInvalid("key type not allowed")
    options = {f"require_{claim}": True for claim in REQUIRED_CLAIMS}
    options.update({"verify_aud": True, "verify_iss": True, "verify_exp": True, "verify_iat": True})
    try:
        public = _public_key(json.dumps(key, sort_keys=True))
        claims = jwt.decode(
            token, public, algorithms=[ALGORITHM], audience=audience, issuer=issuer, options=options
        )
    except ExpiredSignatureError as exc:
        raise TokenExpired("token expired") from exc
    except (JWTClaimsError, JOSEError) as exc:
        raise TokenInvalid(str(exc)) from exc
    for claim in REQUIRED_CLAIMS:
        if claims.get(claim) in (None, ""):
            raise TokenInvalid(f"missing claim {claim}")
    return dict(claims)
