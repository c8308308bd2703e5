"""Settings of the journal service (env prefix `JOURNAL_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOURNAL_", extra="ignore", frozen=True)

    service_name: str = "journal"
