from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from services.common.repository import Repository
from services.identity.models import RefreshToken, User


class UserLookup(Repository[User]):
    model = User

    async def by_username(self, username: str) -> User | None:
        stmt = (
            select(User)
            .where(func.lower(User.username) == username.lower())
            .options(selectinload(User.roles))
        )
        return await self.first(stmt)

    async def with_roles(self, user_id: uuid.UUID) -> User | None:
        return await self.first(
            select(User).where(User.id == user_id).options(selectinload(User.roles))
        )


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def by_hash(self, token_hash: str) -> RefreshToken | None:
        return await self.first(select(RefreshToken).where(RefreshToken.token_hash == token_hash))

    async def mark_used(self, token_id: uuid.UUID, now: datetime) -> bool:
        """Atomically marks an unused token as used; False when it was used already."""
        result = await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.id == token_id, RefreshToken.used_at.is_(None))
            .values(used_at=now)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def revoke_family(self, family_id: uuid.UUID, now: datetime, reason: str) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
        )

    async def revoke_user(self, user_id: uuid.UUID, now: datetime, reason: str) -> None:
        await self.session.execute(
            update(RefreshToken)
            .where(RefreshToken.user_id == user_id, RefreshToken.revoked_at.is_(None))
            .values(revoked_at=now, revoke_reason=reason)
        )
