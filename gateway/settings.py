"""Settings of the gateway (env prefix ``GATEWAY_``) (GW-1, GW-2).

The gateway owns no data, so unlike the services it has no database, no secret and no
migrations; it shares the token and environment conventions of
:mod:`services.common.settings`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.common.settings import BaseServiceSettings, Environment

SERVICES = ("identity", "learning", "journal", "compliance")
JWKS_PATH = "/api/v1/identity/.well-known/jwks.json"

# The token conventions every service shares; the gateway must agree with them.
_TOKEN_DEFAULTS = BaseServiceSettings.model_fields


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore", frozen=True)

    environment: Environment = "development"
    log_level: str = "INFO"
    log_json: bool = True
    # Access log lines (service, method, status, duration; never paths or queries):
    # "errors" logs what the gateway refused or failed (status ≥ 400) — successful
    # proxied requests are logged by the service itself under the same request id;
    # "all" logs every request too; "off" none.
    access_log: Literal["all", "errors", "off"] = "errors"

    identity_url: str = "http://127.0.0.1:8001"
    learning_url: str = "http://127.0.0.1:8002"
    journal_url: str = "http://127.0.0.1:8003"
    compliance_url: str = "http://127.0.0.1:8004"

    # Tokens: the same issuer and audience as the services; keys from identity's JWKS.
    issuer: str = _TOKEN_DEFAULTS["issuer"].default
    audience: str = _TOKEN_DEFAULTS["audience"].default
    jwks_url: str = ""  # empty: identity_url + the JWKS path
    jwks_cache_seconds: int = _TOKEN_DEFAULTS["jwks_cache_seconds"].default
    # Verified tokens kept until they expire (about 2 KiB each): the hot path pays
    # for RS256 once per token, not per request.
    token_cache_size: int = Field(default=20_000, ge=100)

    # Browsers of these origins may call the API ("*" allows any origin).
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)
    cors_max_age: int = Field(default=600, ge=0)

    # Rate limits per client: per token subject, or per address without a token.
    redis_url: str | None = None
    redis_prefix: str = "eo:gateway:"
    rate_limit_requests: int = Field(default=1200, ge=1)
    rate_limit_window_seconds: int = Field(default=60, ge=1)
    # How many reverse proxies in front of the gateway add themselves to
    # X-Forwarded-For; 0 means the peer address is the client.
    trusted_proxy_hops: int = Field(default=0, ge=0)

    max_body_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # A dead service must give 503 in well under a second.
    connect_timeout: float = Field(default=0.5, gt=0, lt=5)
    # The budget for an upstream to answer (and between chunks of its body) → 504.
    upstream_timeout: float = Field(default=10.0, gt=0)
    # Pooled keep-alive connections to all upstreams (wrk runs 64 connections).
    upstream_pool_size: int = Field(default=512, ge=1)
    # Must stay below the services' keep-alive timeout (uvicorn: 5 s), so the gateway
    # never reuses a connection the service is closing.
    upstream_keepalive_seconds: float = Field(default=4.0, gt=0)
    readiness_timeout: float = Field(default=1.0, gt=0)
    openapi_cache_seconds: int = Field(default=60, ge=0)

    # Composed views (GW-4): the whole view answers within this budget; a service that
    # has not answered by then is reported as unavailable in its part of the view.
    compose_budget_seconds: float = Field(default=2.0, gt=0, le=30)
    # "Since the last visit" without ``since``: this many days back.
    today_since_default_days: int = Field(default=7, ge=1, le=92)
    # The oldest ``since`` accepted (bounds the marks read from the journal).
    today_since_max_days: int = Field(default=92, ge=1, le=366)
    # Assignments due from the day shown to this many days ahead (1: that day only).
    today_due_days: int = Field(default=7, ge=1, le=31)
    # The school's time zone when identity cannot tell it (and it was never seen).
    today_fallback_timezone: str = "Europe/Moscow"

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [o.strip().rstrip("/") for o in value.split(",") if o.strip()]
        return value

    @field_validator("identity_url", "learning_url", "journal_url", "compliance_url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("today_fallback_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown IANA time zone: {value}") from None
        return value

    @model_validator(mode="after")
    def _default_jwks_url(self) -> Self:
        if not self.jwks_url:
            # frozen model: set the derived default once, during validation
            object.__setattr__(self, "jwks_url", self.identity_url + JWKS_PATH)
        return self

    def upstreams(self) -> dict[str, str]:
        """Service name → base URL (each service serves its own ``/api/v1/<name>/``)."""
        return {name: str(getattr(self, f"{name}_url")) for name in SERVICES}
