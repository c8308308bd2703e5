"""Consultations on an approved schedule, and students' bookings (LE-9, Reg §2.4)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime, time

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.learning.models.base import Base

CONSULTATION_FORMATS = ("online", "offline")
# proposed by a teacher → approved by an admin (bookable) → possibly cancelled
SLOT_STATUSES = ("proposed", "approved", "cancelled")
BOOKING_STATUSES = ("booked", "cancelled")


class ConsultationSlot(IdMixin, TimestampMixin, Base):
    """A consultation of a teacher (optionally for one course) at a local date and time."""

    __tablename__ = "consultation_slots"
    __table_args__ = (
        Index("ix_consultation_slots_school_id_starts_at_utc", "school_id", "starts_at_utc"),
        Index("ix_consultation_slots_teacher_id_starts_at_utc", "teacher_id", "starts_at_utc"),
        # the booked counter never passes the capacity, whatever the concurrency
        CheckConstraint("booked >= 0 AND booked <= capacity", name="booked_within_capacity"),
    )

    school_id: Mapped[uuid.UUID]
    teacher_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    topic: Mapped[str | None] = mapped_column(String(300))
    # the school's local date and time; the instant is kept for ordering and "now"
    date: Mapped[dt.date]
    starts_at: Mapped[time]
    starts_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int]
    format: Mapped[str] = mapped_column(String(16))
    room_url: Mapped[str | None] = mapped_column(String(1000))
    room: Mapped[str | None] = mapped_column(String(100))
    capacity: Mapped[int]
    booked: Mapped[int] = mapped_column(default=0)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None]
    approved_by: Mapped[uuid.UUID | None]
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_reason: Mapped[str | None] = mapped_column(String(500))


class ConsultationBooking(IdMixin, TimestampMixin, Base):
    """A student's seat at a consultation; cancelling keeps the row (history)."""

    __tablename__ = "consultation_bookings"
    __table_args__ = (
        UniqueConstraint("slot_id", "student_id"),
        Index("ix_consultation_bookings_school_id_student_id", "school_id", "student_id"),
    )

    school_id: Mapped[uuid.UUID]
    slot_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("consultation_slots.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID]
    status: Mapped[str] = mapped_column(String(16), default="booked")
    booked_by: Mapped[uuid.UUID]
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime())
    cancelled_by: Mapped[uuid.UUID | None]
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
