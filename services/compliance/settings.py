"""Settings of the compliance service (env prefix `COMPLIANCE_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.settings import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLIANCE_", extra="ignore", frozen=True)

    service_name: str = "compliance"
    # CO-5: a notice not yet published is "due soon" this many working days before its
    # deadline, unless the school set its own window (PUT /deadlines/settings).
    deadlines_due_soon_working_days: int = Field(default=5, ge=1, le=20)
