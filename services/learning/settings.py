"""Settings of the learning service (env prefix `LEARNING_`)."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from services.common.notifications.settings import NotificationSettings
from services.common.settings import VAR_DIR


class Settings(NotificationSettings):
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
    # How often quiz attempts past their time limit are finished and graded (emitting
    # test_attempt.graded) without anyone reading them (0: only when read). None: every
    # 30 s, except in the test environment (tests switch it on or call ``sweep``).
    quiz_finish_interval_seconds: float | None = Field(default=None, ge=0)
    # The hygiene check before publishing (Reg §2.5): how long to wait for compliance,
    # and what a school that never saved its settings does when compliance cannot be
    # asked (refuse: 503; mark_unchecked: publish marked "not checked").
    compliance_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    compliance_unreachable_default: Literal["refuse", "mark_unchecked"] = "refuse"
    # How often lessons and assignments published "not checked" are checked again
    # (services/learning/hygiene/recheck.py; 0: only when an admin asks). None: every
    # 300 s, except in the test environment (tests call the round themselves).
    hygiene_recheck_interval_seconds: float | None = Field(default=None, ge=0)
    # The notification outbox (e-mail copies, Reg §2.2): notification_*, smtp_* and
    # maildir_path come from NotificationSettings (services/common/notifications).

    def _background(self, seconds: float | None, default: float) -> float:
        """A background job's interval: ``default`` unless set, and off in tests."""
        if seconds is None:
            return 0.0 if self.environment == "test" else default
        return seconds

    @property
    def hygiene_recheck_interval(self) -> float:
        return self._background(self.hygiene_recheck_interval_seconds, 300.0)

    @property
    def quiz_finish_interval(self) -> float:
        return self._background(self.quiz_finish_interval_seconds, 30.0)
