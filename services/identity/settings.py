"""Settings of the identity service (env prefix ``IDENTITY_``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import DEFAULT_SERVICE_SECRET, SERVICE_CLIENTS, BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="IDENTITY_", extra="ignore", frozen=True)

    service_name: str = "identity"
    access_token_seconds: int = Field(default=600, ge=60, le=3600)
    refresh_token_seconds: int = Field(default=14 * 24 * 3600, ge=300)
    refresh_family_max_seconds: int = Field(default=30 * 24 * 3600, ge=300)
    # ID-8: the lifetime of a proof of a fresh password entry (POST /reauth).
    reauth_proof_seconds: int = Field(default=300, ge=30, le=900)
    signing_key_rotate_days: int = Field(default=30, ge=1)
    # Argon2id parameters (OWASP minimum: m=19 MiB, t=2, p=1).
    argon2_memory_kib: int = Field(default=19 * 1024, ge=19 * 1024)
    argon2_time_cost: int = Field(default=2, ge=2)
    argon2_parallelism: int = Field(default=1, ge=1)
    # Brute-force throttling: failures per account and requests per client per window.
    login_account_failures: int = 5
    login_account_window_seconds: int = 900
    login_client_attempts: int = 30
    login_client_window_seconds: int = 60
    csv_import_max_rows: int = 5000
    # Platform services' client credentials (client_id → secret), e.g.
    # IDENTITY_SERVICE_CLIENTS='{"learning": "…", "journal": "…"}'. Outside production an
    # empty map admits the platform's services with the development secret.
    service_clients: dict[str, str] = Field(default_factory=dict)

    @property
    def effective_service_clients(self) -> dict[str, str]:
        if self.service_clients or self.environment == "production":
            return dict(self.service_clients)
        return dict.fromkeys(SERVICE_CLIENTS, DEFAULT_SERVICE_SECRET)
