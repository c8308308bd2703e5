"""Issuing, rotating and revoking tokens; login throttling (ID-5, ID-6).

* access tokens: RS256, about ten minutes, claims ``iss aud sub exp iat jti typ sid
  school roles``;
* refresh tokens: opaque, stored as HMAC hashes, rotated on every use; presenting a
  used one again revokes its whole family; a family has an absolute lifetime;
* failures are throttled per account and per client, the same way for unknown
  accounts, and unknown accounts cost the same Argon2 time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import jwt
from services.common.auth import (
    ACCESS_TOKEN_TYPE,
    NO_SCHOOL,
    REAUTH_PROOF_TYPE,
    SERVICE_ROLE,
    Principal,
)
from services.common.db import utcnow
from services.common.errors import BadRequest, Forbidden, TooManyRequests
from services.common.ratelimit import Counter
from services.identity.keys import KeyStore
from services.identity.models import User
from services.identity.passwords import Passwords
from services.identity.settings import Settings
from services.identity.tokens.repository import RefreshTokenRepository, UserLookup
from services.identity.tokens.schemas import ReauthProof, TokenResponse

INVALID_GRANT = "Неверный логин или пароль"


def service_subject(client_id: str) -> uuid.UUID:
    """The stable subject of a platform service's tokens."""
    return uuid.uuid5(uuid.NAMESPACE_URL, f"service:{client_id}")


def invalid_grant(detail: str = INVALID_GRANT, code: str = "invalid-grant") -> BadRequest:
    return BadRequest(detail, code=code, title="Вход не выполнен", extra={"error": "invalid_grant"})


class TokenService:
    def __init__(
        self,
        session: AsyncSession,
        settings: Settings,
        keystore: KeyStore,
        passwords: Passwords,
        counter: Counter,
    ) -> None:
        self.session = session
        self.settings = settings
        self.keystore = keystore
        self.passwords = passwords
        self.counter = counter
        self.users = UserLookup(session)
        self.refresh_tokens = RefreshTokenRepository(session)
        # The signing kid read along with the user at login (saves a query in issue()).
        self._active_kid: str | None = None

    def _hash(self, token: str) -> str:
        return hmac.new(
            self.settings.secret_key.encode(), token.encode(), hashlib.sha256
        ).hexdigest()

    async def issue(
        self,
        user: User,
        family_id: uuid.UUID | None = None,
        family_expires: datetime | None = None,
    ) -> TokenResponse:
        now = utcnow()
        kid, pem = await self.keystore.signing_key(self.session, self._active_kid)
        family = family_id or uuid.uuid4()
        iat = int(now.timestamp())
        claims = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": str(user.id),
            "iat": iat,
            "nbf": iat,
            "exp": iat + self.settings.access_token_seconds,
            "jti": uuid.uuid4().hex,
            "typ": ACCESS_TOKEN_TYPE,
            "sid": str(family),
            "school": str(user.school_id),
            "roles": sorted(user.role_names),
        }
        access = jwt.sign(claims, pem, kid)
        refresh = secrets.token_urlsafe(32)
        family_end = family_expires or now + timedelta(
            seconds=self.settings.refresh_family_max_seconds
        )
        expires = min(now + timedelta(seconds=self.settings.refresh_token_seconds), family_end)
        await self.refresh_tokens.insert(
            school_id=user.school_id,
            user_id=user.id,
            family_id=family,
            token_hash=self._hash(refresh),
            issued_at=now,
            expires_at=expires,
            family_expires_at=family_end,
        )
        return TokenResponse(
            access_token=access,
            expires_in=self.settings.access_token_seconds,
            refresh_token=refresh,
            refresh_expires_in=max(1, int((expires - now).total_seconds())),
        )

    async def client_credentials_grant(self, client_id: str, client_secret: str) -> TokenResponse:
        """An access token for a platform service: role ``service``, no school, no refresh."""
        expected = self.settings.effective_service_clients.get(client_id)
        if expected is None or not hmac.compare_digest(expected.encode(), client_secret.encode()):
            raise BadRequest(
                "Неверный идентификатор или секрет клиента",
                code="invalid-client",
                title="Вход не выполнен",
                extra={"error": "invalid_client"},
            )
        kid, pem = await self.keystore.signing_key(self.session, None)
        iat = int(utcnow().timestamp())
        claims = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": str(service_subject(client_id)),
            "iat": iat,
            "nbf": iat,
            "exp": iat + self.settings.access_token_seconds,
            "jti": uuid.uuid4().hex,
            "typ": ACCESS_TOKEN_TYPE,
            "school": str(NO_SCHOOL),
            "roles": [SERVICE_ROLE],
            "client_id": client_id,
        }
        return TokenResponse(
            access_token=jwt.sign(claims, pem, kid),
            expires_in=self.settings.access_token_seconds,
        )

    async def _throttle_client(self, client: str) -> None:
        hit = await self.counter.hit(
            f"login:client:{client}", self.settings.login_client_window_seconds
        )
        if hit.over(self.settings.login_client_attempts):
            raise TooManyRequests(
                "Слишком много попыток входа с этого адреса; повторите позже",
                retry_after=hit.retry_after,
                code="login-throttled",
            )

    def _account_key(self, username: str) -> str:
        digest = hashlib.sha256(username.strip().lower().encode()).hexdigest()[:32]
        return f"login:account:{digest}"

    async def _check_account(self, username: str) -> None:
        peek = await self.counter.peek(
            self._account_key(username), self.settings.login_account_window_seconds
        )
        if peek.count >= self.settings.login_account_failures:
            raise TooManyRequests(
                "Слишком много неудачных попыток входа; повторите позже",
                retry_after=peek.retry_after,
                code="login-throttled",
            )

    async def authenticate(self, username: str, password: str, client: str) -> User:
        """Check credentials with throttling; the same answer for every kind of failure."""
        await self._throttle_client(client)
        await self._check_account(username)
        user, self._active_kid = await self.users.for_login(username)
        ok = await self.passwords.verify(user.password_hash if user else None, password)
        if user is None or not ok or not user.is_active:
            await self.counter.hit(
                self._account_key(username), self.settings.login_account_window_seconds
            )
            raise invalid_grant()
        await self.counter.reset(self._account_key(username))
        if self.passwords.needs_rehash(user.password_hash):
            user.password_hash = await self.passwords.hash(password)
        return user

    async def password_grant(self, username: str, password: str, client: str) -> TokenResponse:
        user = await self.authenticate(username, password, client)
        if user.must_change_password:
            raise Forbidden(
                "Это первый вход: смените выданный пароль (POST /api/v1/identity/password/initial)",
                code="password-change-required",
                title="Требуется смена пароля",
            )
        return await self.issue(user)

    async def refresh_grant(self, refresh_token: str) -> TokenResponse:
        now = utcnow()
        stored = await self.refresh_tokens.by_hash(self._hash(refresh_token))
        if stored is None or stored.revoked_at is not None:
            raise invalid_grant("Токен обновления недействителен", "invalid-refresh-token")
        if stored.used_at is not None or not await self.refresh_tokens.mark_used(stored.id, now):
            # Somebody presents a token that was already exchanged: assume theft.
            await self.refresh_tokens.revoke_family(stored.family_id, now, "reuse")
            await self.session.commit()  # the revocation must survive the error response
            raise invalid_grant(
                "Токен обновления уже использован; сеанс отозван", "refresh-token-reused"
            )
        if stored.expires_at <= now or stored.family_expires_at <= now:
            raise invalid_grant("Срок действия токена обновления истёк", "invalid-refresh-token")
        user = await self.users.with_roles(stored.user_id)
        if user is None or not user.is_active:
            raise invalid_grant("Учётная запись недоступна", "invalid-refresh-token")
        sessions_valid_after = user.sessions_valid_after
        if sessions_valid_after is not None and stored.issued_at < sessions_valid_after:
            raise invalid_grant("Сеанс завершён; войдите снова", "invalid-refresh-token")
        return await self.issue(user, stored.family_id, stored.family_expires_at)

    async def logout(self, refresh_token: str) -> None:
        stored = await self.refresh_tokens.by_hash(self._hash(refresh_token))
        if stored is not None:
            await self.refresh_tokens.revoke_family(stored.family_id, utcnow(), "logout")

    async def revoke_all(self, user: User, reason: str) -> None:
        now = utcnow()
        user.sessions_valid_after = now
        await self.refresh_tokens.revoke_user(user.id, now, reason)

    async def reauth_proof(self, principal: Principal, password: str, client: str) -> ReauthProof:
        """A short proof that the caller has just re-entered their password (ID-8, §4.5).

        The password is checked like a login (same throttling and lockout, the same
        answer for every failure). The proof is an RS256 JWT of type ``reauth`` signed
        with identity's key, verified by other services from the JWKS; it is not an
        access token (``typ`` differs), lives ``reauth_proof_seconds`` and names its
        subject, school and session.
        """
        user = await self.users.with_roles(principal.user_id)
        if user is None or user.school_id != principal.school_id:
            raise invalid_grant("Пароль не подтверждён", "reauth-failed")
        try:
            await self.authenticate(user.username, password, client)
        except BadRequest:
            raise BadRequest(
                "Пароль не подтверждён: проверьте пароль и повторите",
                code="reauth-failed",
                title="Пароль не подтверждён",
            ) from None
        kid, pem = await self.keystore.signing_key(self.session, self._active_kid)
        iat = int(utcnow().timestamp())
        lifetime = self.settings.reauth_proof_seconds
        claims = {
            "iss": self.settings.issuer,
            "aud": self.settings.audience,
            "sub": str(user.id),
            "iat": iat,
            "nbf": iat,
            "exp": iat + lifetime,
            "auth_time": iat,
            "jti": uuid.uuid4().hex,
            "typ": REAUTH_PROOF_TYPE,
            "purpose": REAUTH_PROOF_TYPE,
            "sid": principal.session_id,
            "school": str(user.school_id),
        }
        return ReauthProof(
            proof=jwt.sign(
                {k: v for k, v in claims.items() if v is not None}, pem, kid, typ="reauth+jwt"
            ),
            expires_in=lifetime,
            expires_at=datetime.fromtimestamp(iat + lifetime, tz=UTC),
        )
