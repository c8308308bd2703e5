from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import joinedload, selectinload

from services.common.repository import Repository
from services.identity.keys import active_kid_subquery
from services.identity.models import RefreshToken, School, User

# Built once, executed with parameters: constructing a select with its loader options
# costs more CPU than SQLite takes to run it, and these run on every login and ``/me``.
_FOR_LOGIN = (
    select(User, active_kid_subquery())
    .where(func.lower(User.username) == bindparam("username"))
    .options(joinedload(User.roles))
)
_WITH_SCHOOL = (
    select(User, School)
    .join(School, School.id == User.school_id)
    .where(User.id == bindparam("user_id"))
    .options(joinedload(User.roles))
)


class UserLookup(Repository[User]):
    model = User

    async def for_login(self, username: str) -> tuple[User | None, str | None]:
        """The user with its roles and the kid of the key that signs now, in one
        round trip (roles joined, the kid a subquery): what a password login reads."""
        params = {"username": username.lower()}
        row = (await self.session.execute(_FOR_LOGIN, params)).unique().first()
        if row is None:
            return None, None
        return row[0], row[1]

    async def with_roles(self, user_id: uuid.UUID) -> User | None:
        return await self.first(
            select(User).where(User.id == user_id).options(selectinload(User.roles))
        )

    async def with_roles_and_school(self, user_id: uuid.UUID) -> tuple[User, School] | None:
        """The user, its roles and its school in one round trip (``/me``)."""
        row = (await self.session.execute(_WITH_SCHOOL, {"user_id": user_id})).unique().first()
        return None if row is None else (row[0], row[1])


class RefreshTokenRepository(Repository[RefreshToken]):
    model = RefreshToken

    async def insert(self, **values: Any) -> None:
        """Stores a new token with one INSERT, without the unit of work (the token is
        never read back in the request, and token bookkeeping is not audited)."""
        await self.session.execute(insert(RefreshToken).values(**values))

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
