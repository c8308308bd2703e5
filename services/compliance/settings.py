"""Settings of the compliance service (env prefix `COMPLIANCE_`)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.notifications.settings import NotificationSettings


class Settings(NotificationSettings):
    model_config = SettingsConfigDict(env_prefix="COMPLIANCE_", extra="ignore", frozen=True)

    service_name: str = "compliance"
    # CO-5: a notice not yet published is "due soon" this many working days before its
    # deadline, unless the school set its own window (PUT /deadlines/settings).
    deadlines_due_soon_working_days: int = Field(default=5, ge=1, le=20)
    # CO-6, ID-8: a one-time code issued by the examiner lives this many minutes and
    # may be entered this many times (wrong entries included).
    attestation_code_minutes: int = Field(default=15, ge=1, le=240)
    attestation_code_attempts: int = Field(default=5, ge=1, le=10)
    # CO-3: actual screen time. At most this many intervals in one report; intervals
    # that ended longer ago than max_age_days are refused; an end later than now by more
    # than the clock tolerance is "in the future". E-mail alerts go through the
    # notification outbox (notification_*, smtp_*, maildir_path: NotificationSettings).
    screen_time_max_batch: int = Field(default=1000, ge=1, le=10_000)
    screen_time_max_age_days: int = Field(default=30, ge=1, le=366)
    screen_time_clock_tolerance_seconds: int = Field(default=120, ge=0, le=3600)
