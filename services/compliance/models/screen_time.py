"""Actual screen time (CO-3): usage intervals reported by clients, and the alerts sent.

An interval is one unbroken stretch of work of one student on one device type, in one
context (at school or at home), within one day of the school's calendar (an interval
crossing midnight is stored as two). Intervals of one student, device, context and day
never overlap nor touch: a new report is merged into them, and the part of it already
covered (by any context) is not counted again, so a report sent twice is stored once.

An alert is raised once per student, day, device (``all`` for the school's combined
limit), measure and threshold (80 or 100 % of the limit); it is kept with the figures
and the rule it was measured against.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from services.common.notifications.models import notification_models
from services.compliance.models.base import Base

SCREEN_CONTEXTS = ("school", "home")
CONTEXT_SOURCES = ("reported", "timetable")
ALERT_THRESHOLDS = (80, 100)
# The device of an alert on the school's combined limit over every device.
ALL_DEVICES = "all"

# The e-mail outbox compliance sends alerts through (services.common.notifications).
notifications = notification_models(Base)


class ScreenTimeInterval(IdMixin, TimestampMixin, Base):
    __tablename__ = "screen_time_intervals"
    __table_args__ = (
        CheckConstraint("ended_at > started_at", name="positive_length"),
        CheckConstraint("context IN ('school', 'home')", name="context_known"),
        CheckConstraint("context_source IN ('reported', 'timetable')", name="source_known"),
        Index("ix_screen_time_intervals_student_id_day", "student_id", "day"),
        Index("ix_screen_time_intervals_school_id_day", "school_id", "day"),
    )

    school_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    device: Mapped[str] = mapped_column(String(32))
    context: Mapped[str] = mapped_column(String(8))
    # reported: the reporter said where; timetable: derived from the student's lessons
    context_source: Mapped[str] = mapped_column(String(16))
    # the day in the school's time zone
    day: Mapped[date]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime] = mapped_column(UTCDateTime())
    seconds: Mapped[int]
    reported_by: Mapped[uuid.UUID]


class ScreenTimeAlert(IdMixin, Base):
    __tablename__ = "screen_time_alerts"
    __table_args__ = (
        UniqueConstraint("student_id", "day", "device", "measure", "threshold"),
        CheckConstraint("threshold IN (80, 100)", name="threshold_known"),
        Index("ix_screen_time_alerts_school_id_id", "school_id", "id"),
    )

    school_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    class_group_id: Mapped[uuid.UUID | None]
    day: Mapped[date]
    device: Mapped[str] = mapped_column(String(32))
    # daily_school | daily_home | combined_daily
    measure: Mapped[str] = mapped_column(String(32))
    threshold: Mapped[int]
    used_minutes: Mapped[int]
    limit_minutes: Mapped[int]
    rule_id: Mapped[str] = mapped_column(String(200))
    set_code: Mapped[str] = mapped_column(String(64))
    set_version: Mapped[int]
    clause: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
