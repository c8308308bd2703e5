"""External ids of courses and calendar feed tokens (ID-9, GW-5)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.learning.models.base import Base

FEED_KINDS = ("student", "class", "teacher")


class CourseExternalId(IdMixin, TimestampMixin, Base):
    """A course's id in an external system; a system's value names one course per school."""

    __tablename__ = "course_external_ids"
    __table_args__ = (
        UniqueConstraint("school_id", "system", "value"),
        UniqueConstraint("course_id", "system"),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    system: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(200))


class CalendarFeed(IdMixin, TimestampMixin, Base):
    """An iCalendar feed at a secret URL: only the token's SHA-256 is stored."""

    __tablename__ = "calendar_feeds"

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))  # student / class / teacher
    target_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(200))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
