"""Typed settings shared by every service (X-5: nothing is sent to third parties).

Each service subclasses :class:`BaseServiceSettings` with its own environment prefix
(``IDENTITY_``, ``LEARNING_`` …). Outside development the default secret is refused.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_SECRET = "change-me-development-only"
# The client secret services use with identity's client_credentials grant when none is
# configured; identity accepts it only outside production.
DEFAULT_SERVICE_SECRET = "dev-service-secret-change-me"
SERVICE_CLIENTS = ("learning", "journal", "compliance", "gateway")
REPO_ROOT = Path(__file__).resolve().parents[2]
VAR_DIR = REPO_ROOT / "var"

Environment = Literal["development", "test", "production"]


class BaseServiceSettings(BaseSettings):
    """Settings every service has. Subclasses set ``service_name`` and the env prefix."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    service_name: str = "service"
    environment: Environment = "development"
    database_url: str = ""
    database_pool_size: int = 10
    database_echo: bool = False
    secret_key: str = DEFAULT_SECRET
    redis_url: str | None = None
    # Key prefix of shared counters in Redis; defaults to "eo:<service>:".
    redis_prefix: str | None = None
    issuer: str = "http://127.0.0.1:8000"
    audience: str = "eo-platform"
    jwks_url: str = "http://127.0.0.1:8001/api/v1/identity/.well-known/jwks.json"
    jwks_cache_seconds: int = 3600
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    page_limit_default: int = 50
    page_limit_max: int = 200
    log_level: str = "INFO"
    log_json: bool = True
    # Where the other services are (their change feeds, identity's token endpoint).
    identity_url: str = "http://127.0.0.1:8001"
    learning_url: str = "http://127.0.0.1:8002"
    journal_url: str = "http://127.0.0.1:8003"
    compliance_url: str = "http://127.0.0.1:8004"
    # This service's client credentials at identity (client id = service name).
    service_client_secret: str = DEFAULT_SERVICE_SECRET
    # Consume the upstream change feeds in the background (off: a test drives them).
    feeds_enabled: bool = True
    feed_poll_seconds: float = Field(default=2.0, gt=0)
    # Webhooks of this service's change feed (GW-5, services/common/webhooks). The
    # dispatcher runs in the background when enabled; None: on, except in the test
    # environment (tests drive it with ``WebhookDispatcher.run_once``).
    webhooks_enabled: bool | None = None
    webhook_poll_seconds: float = Field(default=5.0, gt=0)
    webhook_timeout_seconds: float = Field(default=10.0, gt=0)
    # Attempts before a delivery goes to the dead-letter list; retry n waits
    # backoff × 2^(n-1), at most backoff_max.
    webhook_max_attempts: int = Field(default=8, ge=1, le=50)
    webhook_backoff_seconds: float = Field(default=30.0, gt=0)
    webhook_backoff_max_seconds: float = Field(default=6 * 3600.0, gt=0)
    webhook_lease_seconds: float = Field(default=300.0, gt=0)
    # After a secret rotation the previous secret still signs deliveries this long.
    webhook_secret_grace_seconds: int = Field(default=24 * 3600, ge=0)
    # SSRF: webhook targets must be public addresses. The operator may allow host names
    # as written in the URL (``["hooks.school.local"]``) and networks that resolved
    # addresses may fall into (``["10.20.0.0/16"]``).
    webhook_allowed_hosts: list[str] = Field(default_factory=list)
    webhook_allowed_networks: list[str] = Field(default_factory=list)
    # Publish the outbox to NATS JetStream (off unless a URL is set, e.g.
    # nats://127.0.0.1:4222): subject <prefix>.<service>.<event type>, stream
    # <stream prefix>_<SERVICE>, Nats-Msg-Id = event id.
    nats_url: str | None = None
    nats_subject_prefix: str = Field(default="eo", pattern=r"^[A-Za-z0-9_-]+$")
    nats_stream_prefix: str = Field(default="EO", pattern=r"^[A-Za-z0-9_-]+$")
    nats_poll_seconds: float = Field(default=1.0, gt=0)

    @model_validator(mode="after")
    def _refuse_default_secret(self) -> Self:
        if self.environment != "development" and self.secret_key == DEFAULT_SECRET:
            msg = (
                f"{self.service_name}: the default secret key is refused outside development; "
                "set the SECRET_KEY variable of this service"
            )
            raise ValueError(msg)
        # identity issues the service tokens and needs no client secret of its own
        if (
            self.environment == "production"
            and self.service_client_secret == DEFAULT_SERVICE_SECRET
            and self.service_name != "identity"
        ):
            msg = (
                f"{self.service_name}: the default service client secret is refused in "
                "production; set SERVICE_CLIENT_SECRET (and identity's SERVICE_CLIENTS)"
            )
            raise ValueError(msg)
        if self.environment != "development" and len(self.secret_key) < 32:
            msg = f"{self.service_name}: SECRET_KEY must be at least 32 characters"
            raise ValueError(msg)
        return self

    @field_validator("webhook_allowed_networks")
    @classmethod
    def _valid_networks(cls, value: list[str]) -> list[str]:
        for network in value:
            ipaddress.ip_network(network.strip(), strict=False)  # ValueError names it
        return value

    @property
    def webhooks_running(self) -> bool:
        if self.webhooks_enabled is None:
            return self.environment != "test"
        return self.webhooks_enabled

    @property
    def effective_database_url(self) -> str:
        """The configured URL, or a SQLite file under ``var/`` (the embedded default)."""
        if self.database_url:
            return normalise_database_url(self.database_url)
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        return f"sqlite+aiosqlite:///{VAR_DIR / (self.service_name + '.db')}"

    def service_url(self, service: str) -> str:
        return str(getattr(self, f"{service}_url")).rstrip("/")

    @property
    def api_prefix(self) -> str:
        return f"/api/v1/{self.service_name}"


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` and ``sqlite://`` URLs and pick the async driver."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url.split("://", 1)[1]
    return url
