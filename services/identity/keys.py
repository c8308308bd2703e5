"""Signing keys: generation, rotation and the published JWKS (ID-5).

The newest active key signs. On rotation the previous key is retired but stays in
the JWKS until every token it signed has expired. Private keys are stored encrypted
with the service secret.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import ScalarSelect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import jwt
from services.common.db import utcnow
from services.identity.models import SigningKey


@dataclass(frozen=True, slots=True)
class _KnownKey:
    pem: str
    created_at: datetime


def active_kid_subquery() -> ScalarSelect[str]:
    """The kid of the key that signs now, as a column to add to another query.

    A login reads it along with the user (one round trip instead of two) and hands it
    to :meth:`KeyStore.signing_key`, so a rotation by any process is seen at once.
    """
    return (
        select(SigningKey.kid)
        .where(SigningKey.retired_at.is_(None))
        .order_by(SigningKey.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )


class KeyStore:
    def __init__(self, secret: str, rotate_after: timedelta, token_lifetime: timedelta) -> None:
        digest = hashlib.sha256(("signing-keys:" + secret).encode()).digest()
        self._fernet = Fernet(base64.urlsafe_b64encode(digest))
        self._rotate_after = rotate_after
        self._grace = token_lifetime + timedelta(minutes=1)
        self._pem_cache: dict[str, str] = {}
        self._known: dict[str, _KnownKey] = {}

    def _decrypt(self, key: SigningKey) -> str:
        pem = self._pem_cache.get(key.kid)
        if pem is None:
            pem = self._fernet.decrypt(key.private_pem.encode()).decode()
            self._pem_cache[key.kid] = pem
        return pem

    async def active(self, session: AsyncSession) -> SigningKey | None:
        stmt = (
            select(SigningKey)
            .where(SigningKey.retired_at.is_(None))
            .order_by(SigningKey.created_at.desc())
            .limit(1)
        )
        return (await session.execute(stmt)).scalars().first()

    async def rotate(self, session: AsyncSession) -> SigningKey:
        now = utcnow()
        current = (
            (await session.execute(select(SigningKey).where(SigningKey.retired_at.is_(None))))
            .scalars()
            .all()
        )
        for key in current:
            key.retired_at = now
            key.verify_until = now + self._grace
        kid = uuid.uuid4().hex
        pem = jwt.generate_private_key_pem()
        key = SigningKey(
            kid=kid,
            algorithm=jwt.ALGORITHM,
            private_pem=self._fernet.encrypt(pem.encode()).decode(),
            created_at=now,
        )
        session.add(key)
        await session.flush()
        self._pem_cache[kid] = pem
        return key

    async def ensure_active(self, session: AsyncSession) -> SigningKey:
        key = await self.active(session)
        if key is None or utcnow() - key.created_at > self._rotate_after:
            key = await self.rotate(session)
        return key

    async def signing_key(
        self, session: AsyncSession, active_kid: str | None = None
    ) -> tuple[str, str]:
        """The kid and private key that sign now.

        ``active_kid`` is the newest active kid as read from the database in the
        caller's own query (:func:`active_kid_subquery`); a key seen before is then
        used without another query, unless it is due for rotation.
        """
        if active_kid is not None:
            known = self._known.get(active_kid)
            if known is not None and utcnow() - known.created_at <= self._rotate_after:
                return active_kid, known.pem
        key = await self.ensure_active(session)
        pem = self._decrypt(key)
        self._known[key.kid] = _KnownKey(pem, key.created_at)
        return key.kid, pem

    async def published(self, session: AsyncSession) -> list[dict[str, Any]]:
        now = utcnow()
        stmt = (
            select(SigningKey)
            .where(or_(SigningKey.retired_at.is_(None), SigningKey.verify_until > now))
            .order_by(SigningKey.created_at.desc())
        )
        keys = (await session.execute(stmt)).scalars().all()
        return [jwt.public_jwk(self._decrypt(k), k.kid) for k in keys]
