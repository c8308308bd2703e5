"""Settings of a service that sends e-mail through a notification outbox.

A service's ``Settings`` subclasses :class:`NotificationSettings` instead of
``BaseServiceSettings``; its env prefix applies (``LEARNING_SMTP_HOST``,
``COMPLIANCE_SMTP_HOST`` …).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import SettingsConfigDict

from services.common.settings import VAR_DIR, BaseServiceSettings


class NotificationSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    # The dispatcher runs in the background when enabled; None: on, except in the test
    # environment (tests drive it with ``Dispatcher.run_once``).
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
    # None: var/<service>-mail
    maildir_path: Path | None = None

    @property
    def notifications_running(self) -> bool:
        if self.notifications_enabled is None:
            return self.environment != "test"
        return self.notifications_enabled

    @property
    def mail_dir(self) -> Path:
        return self.maildir_path or VAR_DIR / f"{self.service_name}-mail"
