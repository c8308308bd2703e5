"""Settings of the learning service (env prefix `LEARNING_`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
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
    # Importing a thematic plan (КТП) from CSV or XLSX: file size and number of topics.
    plan_import_max_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    plan_import_max_rows: int = Field(default=2000, ge=1)
    # The longest date range one timetable read may ask for, in days.
    timetable_max_days: int = Field(default=92, ge=1)
    # An operator's JSON file amending the federal list of approved e-resources (order
    # № 738 and later ones; see services/learning/catalogue/data.py). None: built-in only.
    federal_list_path: Path | None = None
    # How often scheduled assignments are published when their time comes (0: only on
    # reads and on an explicit publish).
    assignment_publish_interval_seconds: float = Field(default=30.0, ge=0)
    # Notification outbox (e-mail copies, Reg §2.2). The dispatcher runs in the
    # background when enabled; None: on, except in the test environment (tests drive it
    # with ``Dispatcher.run_once``).
    notifications_enabled: bool | None = None
    notification_poll_seconds: float = Field(default=10.0, gt=0)
    notification_batch_size: int = Field(default=50, ge=1, le=1000)
    # Attempts before a copy is marked failed; retries wait backoff × 2^(attempt-1),
    # at most backoff_max.
    notification_max_attempts: int = Field(default=10, ge=1)
    notification_backoff_seconds: float = Field(default=30.0, gt=0)
    notification_backoff_max_seconds: float = Field(default=3600.0, gt=0)
    # How long a dispatcher holds the rows it took; a crashed one's rows are taken again
    # after this (and may then be sent twice: delivery is at least once).
    notification_lease_seconds: float = Field(default=600.0, gt=0)
    # SMTP when smtp_host is set; otherwise messages go to a local maildir.
    smtp_host: str | None = None
    smtp_port: int = Field(default=25, ge=1, le=65535)
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    smtp_from: str = "ЭО и ДОТ <noreply@eo-platform.local>"
    maildir_path: Path = VAR_DIR / "learning-mail"

    @property
    def notifications_running(self) -> bool:
        if self.notifications_enabled is None:
            return self.environment != "test"
        return self.notifications_enabled
