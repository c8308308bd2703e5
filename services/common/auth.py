"""Token verification from the JWKS and the ``Annotated`` dependencies built on it (ID-5).

Services verify access tokens locally: the JWKS is fetched once, cached, and fetched
again only when a token names an unknown ``kid`` (rotation). Verified tokens are kept
in a small cache until they expire, so a hot path pays for RS256 once per token.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import httpx
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from services.common import jwt
from services.common.context import Actor, set_actor
from services.common.errors import Forbidden, ServiceUnavailable, Unauthorized

ROLES = ("student", "teacher", "admin", "staff", "guardian")
# Tokens of the platform's own services (client credentials): no school, no person.
SERVICE_ROLE = "service"
NO_SCHOOL = uuid.UUID(int=0)
ACCESS_TOKEN_TYPE = "access"
# A short proof that a person has just re-entered their password (ID-8): signed by
# identity like an access token, but of its own type, so it never opens an API.
REAUTH_PROOF_TYPE = "reauth"

JWKSLoader = Callable[[], Awaitable[list[dict[str, Any]]]]


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the verified claims of an access token."""

    user_id: uuid.UUID
    school_id: uuid.UUID
    roles: frozenset[str]
    token_id: str
    session_id: str | None
    issued_at: int
    expires_at: int
    claims: dict[str, Any] = field(compare=False, repr=False)

    def has(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_service(self) -> bool:
        """A platform service calling with a client-credentials token (any school)."""
        return SERVICE_ROLE in self.roles


def http_jwks_loader(url: str, timeout: float = 5.0) -> JWKSLoader:
    async def load() -> list[dict[str, Any]]:
        async with httpx.AsyncClient(timeout=timeout) as client:
            response = await client.get(url)
            response.raise_for_status()
            keys = response.json().get("keys", [])
        return [k for k in keys if isinstance(k, dict)]

    return load


class TokenVerifier:
    """Verifies access tokens against a JWKS with one allowed algorithm."""

    def __init__(
        self,
        loader: JWKSLoader,
        *,
        audience: str,
        issuer: str,
        cache_seconds: int = 3600,
        min_refresh_interval: float = 5.0,
        cache_size: int = 10_000,
    ) -> None:
        self._loader = loader
        self.audience = audience
        self.issuer = issuer
        self._cache_seconds = cache_seconds
        self._min_refresh = min_refresh_interval
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self._verified: OrderedDict[str, Principal] = OrderedDict()
        self._cache_size = cache_size

    async def _refresh(self, *, force: bool) -> None:
        async with self._lock:
            now = time.monotonic()
            fresh = now - self._fetched_at < self._cache_seconds
            if self._keys and fresh and not force:
                return
            if force and now - self._fetched_at < self._min_refresh:
                return
            try:
                keys = await self._loader()
            except (httpx.HTTPError, OSError, ValueError) as exc:
                if self._keys:
                    return
                raise ServiceUnavailable(
                    "Не удалось получить ключи проверки токенов", code="jwks-unavailable"
                ) from exc
            self._keys = {str(k["kid"]): k for k in keys if "kid" in k}
            self._fetched_at = now

    async def _key_for(self, kid: str) -> dict[str, Any]:
        if not self._keys or time.monotonic() - self._fetched_at >= self._cache_seconds:
            await self._refresh(force=False)
        key = self._keys.get(kid)
        if key is None:
            await self._refresh(force=True)
            key = self._keys.get(kid)
        if key is None:
            raise Unauthorized("Токен подписан неизвестным ключом", code="invalid-token")
        return key

    def clear_cache(self) -> None:
        self._verified.clear()

    async def verify_proof(self, token: str, proof_type: str) -> dict[str, Any]:
        """The verified claims of a signed proof of type ``proof_type`` (not an access
        token), e.g. identity's proof of a fresh password entry; raises
        :class:`services.common.jwt.TokenExpired` or :class:`~services.common.jwt.TokenInvalid`.
        Proofs are never cached: each is checked (and usually used) once."""
        header = jwt.unverified_header(token)
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise jwt.TokenInvalid("no kid")
        try:
            key = await self._key_for(kid)
        except Unauthorized as exc:
            raise jwt.TokenInvalid("unknown key") from exc
        claims = jwt.verify(token, key, audience=self.audience, issuer=self.issuer)
        if claims.get("typ") != proof_type:
            raise jwt.TokenInvalid("wrong proof type")
        return claims

    async def verify(self, token: str) -> Principal:
        cached = self._verified.get(token)
        if cached is not None:
            if cached.expires_at > time.time():
                return cached
            self._verified.pop(token, None)
        try:
            header = jwt.unverified_header(token)
            kid = header.get("kid")
            if not isinstance(kid, str) or not kid:
                raise jwt.TokenInvalid("no kid")
            key = await self._key_for(kid)
            claims = jwt.verify(token, key, audience=self.audience, issuer=self.issuer)
        except jwt.TokenExpired as exc:
            raise Unauthorized("Срок действия токена истёк", code="token-expired") from exc
        except jwt.TokenInvalid as exc:
            raise Unauthorized("Токен недействителен", code="invalid-token") from exc
        principal = principal_from_claims(claims)
        self._verified[token] = principal
        if len(self._verified) > self._cache_size:
            self._verified.popitem(last=False)
        return principal


def principal_from_claims(claims: dict[str, Any]) -> Principal:
    if claims.get("typ") != ACCESS_TOKEN_TYPE:
        raise Unauthorized("Это не токен доступа", code="invalid-token")
    try:
        roles = claims.get("roles") or []
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValueError("roles")
        return Principal(
            user_id=uuid.UUID(str(claims["sub"])),
            school_id=uuid.UUID(str(claims["school"])),
            roles=frozenset(roles),
            token_id=str(claims["jti"]),
            session_id=str(claims["sid"]) if claims.get("sid") else None,
            issued_at=int(claims["iat"]),
            expires_at=int(claims["exp"]),
            claims=claims,
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise Unauthorized("Токен недействителен", code="invalid-token") from exc


_bearer = HTTPBearer(auto_error=False, description="Токен доступа из /api/v1/identity/token")


async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    cached: Principal | None = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    if credentials is None or credentials.scheme.lower() != "bearer" or not credentials.credentials:
        raise Unauthorized("Передайте токен доступа в заголовке Authorization: Bearer")
    verifier: TokenVerifier = request.app.state.verifier
    principal = await verifier.verify(credentials.credentials)
    extra_check = getattr(request.app.state, "principal_check", None)
    if extra_check is not None:
        await extra_check(request, principal)
    request.state.principal = principal
    set_actor(Actor(user_id=principal.user_id, school_id=principal.school_id))
    return principal


async def get_person(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
    """A person of a school; service tokens are refused (they act only where allowed)."""
    if principal.is_service:
        raise Forbidden(
            "Операция доступна только пользователям школы", code="service-token-not-allowed"
        )
    return principal


# Any verified caller, people and the platform's services.
AnyPrincipal = Annotated[Principal, Depends(get_principal)]
# A person of a school (the default for endpoints).
CurrentPrincipal = Annotated[Principal, Depends(get_person)]


def require_roles(*roles: str) -> Callable[..., Awaitable[Principal]]:
    """A dependency admitting callers holding any of ``roles`` in their school.

    Service tokens pass only where ``service`` is one of ``roles``.
    """

    async def dependency(principal: AnyPrincipal) -> Principal:
        if not principal.has(*roles):
            if principal.is_service:
                raise Forbidden(
                    "Операция доступна только пользователям школы",
                    code="service-token-not-allowed",
                )
            raise Forbidden("Действие доступно только ролям: " + ", ".join(roles))
        return principal

    dependency.__name__ = "require_" + "_or_".join(roles)
    return dependency


AdminPrincipal = Annotated[Principal, Depends(require_roles("admin"))]
StaffPrincipal = Annotated[Principal, Depends(require_roles("admin", "staff"))]
TeacherPrincipal = Annotated[Principal, Depends(require_roles("teacher", "admin"))]
ServicePrincipal = Annotated[Principal, Depends(require_roles(SERVICE_ROLE))]
