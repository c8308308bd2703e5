"""Settings of the journal service (env prefix `JOURNAL_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import SettingsConfigDict

from services.common.settings import VAR_DIR, BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="JOURNAL_", extra="ignore", frozen=True)

    service_name: str = "journal"
    # Where closed years' archives are written (JO-8); relative paths are taken from
    # the working directory.
    archive_path: Path = VAR_DIR / "journal-archive"
