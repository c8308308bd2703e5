"""Settings of the learning service (env prefix `LEARNING_`)."""

from __future__ import annotations

from pydantic_settings import SettingsConfigDict

from services.common.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNING_", extra="ignore", frozen=True)

    service_name: str = "learning"
