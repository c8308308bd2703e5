"""Settings of the learning service (env prefix `LEARNING_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import VAR_DIR, BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="LEARNING_", extra="ignore", frozen=True)

    service_name: str = "learning"
    # Uploaded files (materials, submissions, audio and video comments).
    files_path: Path = VAR_DIR / "learning-files"
    max_upload_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # A request may carry one whole upload plus its form fields.
    max_body_bytes: int = Field(default=11 * 1024 * 1024, ge=1024)
