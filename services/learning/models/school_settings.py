"""Per-school settings of learning."""

from __future__ import annotations

import uuid
from datetime import time

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import TimestampMixin
from services.learning.models.base import Base

DEFAULT_SCHOOL_DAY_ENDS_AT = time(18, 0)


class SchoolSettings(TimestampMixin, Base):
    __tablename__ = "school_settings"

    school_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # Reg §2.3: works are checked on the day they arrive; the school day ends at …
    school_day_ends_at: Mapped[time] = mapped_column(default=DEFAULT_SCHOOL_DAY_ENDS_AT)
    # Reg §2.5: when compliance cannot be reached — refuse (503) or publish "not checked".
    compliance_unreachable: Mapped[str] = mapped_column(String(16), default="refuse")
    # Whether a violation of the screen-device norms blocks or warns is compliance's
    # school setting violation_mode (PUT /api/v1/compliance/norms/settings), not ours.
    # Reg §2.2: e-mail copies of published assignments to students and guardians.
    email_copies_enabled: Mapped[bool] = mapped_column(default=True)
