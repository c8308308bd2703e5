"""Identity-specific dependencies: the password hasher, the key store, the throttle."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from services.common.auth import Principal
from services.common.errors import Unauthorized
from services.common.ratelimit import Counter
from services.identity.keys import KeyStore
from services.identity.models import RefreshToken, User
from services.identity.passwords import Passwords
from services.identity.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_passwords(request: Request) -> Passwords:
    return request.app.state.passwords  # type: ignore[no-any-return]


def get_keystore(request: Request) -> KeyStore:
    return request.app.state.keystore  # type: ignore[no-any-return]


def get_counter(request: Request) -> Counter:
    return request.app.state.counter  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    """The caller's address; X-Forwarded-For is honoured only from the local gateway."""
    host = request.client.host if request.client else "unknown"
    if host in ("127.0.0.1", "::1", "testclient"):
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64] or host
    return host


SettingsDep = Annotated[Settings, Depends(get_settings)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
KeyStoreDep = Annotated[KeyStore, Depends(get_keystore)]
CounterDep = Annotated[Counter, Depends(get_counter)]


async def check_principal_current(request: Request, principal: Principal) -> None:
    """Identity refuses tokens of deactivated users or of revoked sessions at once."""
    database = request.app.state.database
    async with database.sessionmaker() as session:
        user = await session.get(User, principal.user_id)
        revoked = None
        if principal.session_id:
            revoked = (
                await session.execute(
                    select(RefreshToken.id)
                    .where(
                        RefreshToken.family_id == uuid.UUID(principal.session_id),
                        RefreshToken.revoked_at.is_not(None),
                    )
                    .limit(1)
                )
            ).scalar()
    if user is None or not user.is_active or user.school_id != principal.school_id:
        raise Unauthorized("Учётная запись недоступна", code="invalid-token")
    if revoked is not None:
        raise Unauthorized("Сеанс завершён; войдите снова", code="session-revoked")
