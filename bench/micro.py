"""In-process measurements: Argon2id verify and access-token verification."""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher, Type

from bench.identity_db import ARGON2_MEMORY_KIB, ARGON2_PARALLELISM, ARGON2_TIME_COST, PASSWORD
from services.common import jwt
from services.common.auth import TokenVerifier

ISSUER = "http://127.0.0.1:8000"
AUDIENCE = "eo-platform"


def bare_hasher() -> PasswordHasher:
    """Argon2id exactly as identity configures it (m=19 MiB, t=2, p=1)."""
    return PasswordHasher(
        time_cost=ARGON2_TIME_COST,
        memory_cost=ARGON2_MEMORY_KIB,
        parallelism=ARGON2_PARALLELISM,
        hash_len=32,
        salt_len=16,
        type=Type.ID,
    )


def argon2_verifies_per_second(threads: int, seconds: float) -> float:
    """Bare verifies per second with ``threads`` running at once (argon2 frees the GIL)."""
    hasher = bare_hasher()
    stored = hasher.hash(PASSWORD)
    counts = [0] * threads
    stop = time.monotonic() + seconds

    def work(index: int) -> None:
        while time.monotonic() < stop:
            hasher.verify(stored, PASSWORD)
            counts[index] += 1

    started = time.monotonic()
    workers = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return sum(counts) / (time.monotonic() - started)


@dataclass(frozen=True)
class TokenFigures:
    sign_us: float
    raw_verify_us: float
    verifier_uncached_us: float
    verifier_cached_us: float


def _claims() -> dict[str, Any]:
    now = int(time.time())
    return {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": str(uuid.uuid4()),
        "iat": now,
        "nbf": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
        "typ": "access",
        "sid": str(uuid.uuid4()),
        "school": str(uuid.uuid4()),
        "roles": ["teacher"],
    }


def _per_call_us(calls: int, elapsed: float) -> float:
    return elapsed / calls * 1e6


async def _verifier_figures(
    token: str, key: dict[str, Any], issuer: str, audience: str, calls: int
) -> tuple[float, float]:
    async def loader() -> list[dict[str, Any]]:
        return [key]

    verifier = TokenVerifier(loader, audience=audience, issuer=issuer)
    await verifier.verify(token)  # keys fetched once
    started = time.perf_counter()
    for _ in range(calls):
        verifier.clear_cache()
        await verifier.verify(token)
    uncached = _per_call_us(calls, time.perf_counter() - started)
    cached_calls = calls * 50
    started = time.perf_counter()
    for _ in range(cached_calls):
        await verifier.verify(token)
    cached = _per_call_us(cached_calls, time.perf_counter() - started)
    return uncached, cached


def token_figures(calls: int = 2000, sign_calls: int = 50) -> TokenFigures:
    kid, pem = "bench-key", jwt.generate_private_key_pem()
    claims = _claims()
    token = jwt.sign(claims, pem, kid)
    started = time.perf_counter()
    for _ in range(sign_calls):
        jwt.sign(claims, pem, kid)
    sign = _per_call_us(sign_calls, time.perf_counter() - started)
    key, issuer, audience = jwt.public_jwk(pem, kid), ISSUER, AUDIENCE
    jwt.verify(token, key, audience=audience, issuer=issuer)
    started = time.perf_counter()
    for _ in range(calls):
        jwt.verify(token, key, audience=audience, issuer=issuer)
    raw = _per_call_us(calls, time.perf_counter() - started)
    uncached, cached = asyncio.run(_verifier_figures(token, key, issuer, audience, calls))
    return TokenFigures(sign, raw, uncached, cached)
