"""Settings of the compliance service (env prefix `COMPLIANCE_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLIANCE_", extra="ignore", frozen=True)

    service_name: str = "compliance"
