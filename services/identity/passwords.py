"""Password hashing and policy (ID-6).

Argon2id with at least m=19 MiB, t=2, p=1 (OWASP); hashing runs in a worker thread so
the event loop keeps serving. Policy after NIST SP 800-63B: 8 to 128 characters, no
truncation, no composition rules, common passwords refused (a shipped list of about
20,000), and not the username.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import lru_cache
from pathlib import Path

import anyio.to_thread
from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from services.common.errors import BusinessRuleError

MIN_LENGTH = 8
MAX_LENGTH = 128
COMMON_PASSWORDS_FILE = Path(__file__).parent / "passwords" / "common-passwords.txt.gz"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as fh:
        return frozenset(line.strip().lower() for line in fh if line.strip())


def normalise(password: str) -> str:
    return unicodedata.normalize("NFKC", password)


def check_policy(password: str, *, username: str | None = None) -> None:
    value = normalise(password)
    if len(value) < MIN_LENGTH:
        raise BusinessRuleError(
            f"Пароль должен содержать не меньше {MIN_LENGTH} символов", code="weak-password"
        )
    if len(value) > MAX_LENGTH:
        raise BusinessRuleError(
            f"Пароль должен содержать не больше {MAX_LENGTH} символов", code="weak-password"
        )
    lowered = value.lower()
    if lowered in common_passwords():
        raise BusinessRuleError(
            "Этот пароль слишком распространён; выберите другой", code="common-password"
        )
    if username and lowered == username.lower():
        raise BusinessRuleError("Пароль не должен совпадать с логином", code="weak-password")


class Passwords:
    def __init__(self, memory_kib: int, time_cost: int, parallelism: int) -> None:
        self._hasher = PasswordHasher(
            time_cost=time_cost,
            memory_cost=memory_kib,
            parallelism=parallelism,
            hash_len=32,
            salt_len=16,
            type=Type.ID,
        )
        self._dummy_hash: str | None = None

    def hash_sync(self, password: str) -> str:
        return self._hasher.hash(normalise(password))

    async def hash(self, password: str) -> str:
        return await anyio.to_thread.run_sync(self.hash_sync, password)

    def verify_sync(self, stored_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(stored_hash, normalise(password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        """Verify; with no stored hash (unknown user) spend the same time and fail."""
        if stored_hash is None:
            if self._dummy_hash is None:
                self._dummy_hash = await self.hash("dummy password for timing")
            await anyio.to_thread.run_sync(self.verify_sync, self._dummy_hash, password)
            return False
        return await anyio.to_thread.run_sync(self.verify_sync, stored_hash, password)

    def needs_rehash(self, stored_hash: str) -> bool:
        return self._hasher.check_needs_rehash(stored_hash)
