"""Identity-specific dependencies: the password hasher, the key store, the throttle."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import bindparam, select

from services.common.auth import Principal
from services.common.db import SessionDep, get_session
from services.common.errors import Unauthorized
from services.common.ratelimit import Counter
from services.identity.keys import KeyStore
from services.identity.models import RefreshToken, User
from services.identity.passwords import Passwords
from services.identity.settings import Settings
from services.identity.tokens.service import TokenService


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


async def get_passwords(request: Request) -> Passwords:
    return request.app.state.passwords  # type: ignore[no-any-return]


async def get_keystore(request: Request) -> KeyStore:
    return request.app.state.keystore  # type: ignore[no-any-return]


async def get_counter(request: Request) -> Counter:
    return request.app.state.counter  # type: ignore[no-any-return]


def client_address(request: Request) -> str:
    """The caller's address; X-Forwarded-For is honoured only from the local gateway."""
    host = request.client.host if request.client else "unknown"
    if host in ("127.0.0.1", "::1", "testclient"):
        forwarded = request.headers.get("x-forwarded-for")
        if forwarded:
            return forwarded.split(",")[-1].strip()[:64] or host
    return host


# The providers are ``async def`` on purpose: FastAPI runs a plain ``def`` dependency in
# the thread pool, a thread hop per dependency per request for a mere attribute read.
SettingsDep = Annotated[Settings, Depends(get_settings)]
PasswordsDep = Annotated[Passwords, Depends(get_passwords)]
KeyStoreDep = Annotated[KeyStore, Depends(get_keystore)]
CounterDep = Annotated[Counter, Depends(get_counter)]


# Built once: constructing a select costs more CPU than SQLite takes to run it.
_USER_STATE = select(User.is_active, User.school_id).where(User.id == bindparam("user_id"))
_USER_STATE_AND_SESSION_REVOKED = select(
    User.is_active,
    User.school_id,
    select(RefreshToken.id)
    .where(
        RefreshToken.family_id == bindparam("family_id"),
        RefreshToken.revoked_at.is_not(None),
    )
    .exists(),
).where(User.id == bindparam("user_id"))


async def check_principal_current(request: Request, principal: Principal) -> None:
    """Identity refuses tokens of deactivated users or of revoked sessions at once.

    One query on the request's own session (the route commits or rolls it back and
    closes it): the user's state and whether the token's session family was revoked.
    """
    if principal.is_service:
        return  # client credentials: no account, no session to revoke
    session = await get_session(request)
    if principal.session_id:
        try:
            family_id = uuid.UUID(principal.session_id)
        except ValueError as exc:
            raise Unauthorized("Токен недействителен", code="invalid-token") from exc
        result = await session.execute(
            _USER_STATE_AND_SESSION_REVOKED,
            {"user_id": principal.user_id, "family_id": family_id},
        )
    else:
        result = await session.execute(_USER_STATE, {"user_id": principal.user_id})
    row = result.first()
    if row is None or not row[0] or row[1] != principal.school_id:
        raise Unauthorized("Учётная запись недоступна", code="invalid-token")
    if len(row) > 2 and row[2]:
        raise Unauthorized("Сеанс завершён; войдите снова", code="session-revoked")


async def get_token_service(
    session: SessionDep,
    settings: SettingsDep,
    keystore: KeyStoreDep,
    passwords: PasswordsDep,
    counter: CounterDep,
) -> TokenService:
    return TokenService(session, settings, keystore, passwords, counter)


TokensDep = Annotated[TokenService, Depends(get_token_service)]
