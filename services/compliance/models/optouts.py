"""Opt-out applications under §3.9 of the regulation and their history (CO-4).

An application is filed by a linked guardian of the student or by the student once 18,
for the basic or secondary program (grades 5–11); it goes submitted → registered →
withdrawn. Every transition is kept in :class:`OptOutHistory`. At most one application
of a student is active (submitted or registered) at a time: a partial unique index
makes two concurrent filings end in one row.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from services.compliance.models.base import Base

OPTOUT_STATUSES = ("submitted", "registered", "withdrawn")
OPTOUT_FILER_ROLES = ("guardian", "student")


class OptOut(IdMixin, TimestampMixin, Base):
    """One application for learning without ЭО and ДОТ (§3.9)."""

    __tablename__ = "optouts"
    __table_args__ = (
        CheckConstraint("status IN ('submitted', 'registered', 'withdrawn')", name="status_known"),
        CheckConstraint("grade >= 5 AND grade <= 11", name="grade_basic_or_secondary"),
        Index("ix_optouts_school_id_status", "school_id", "status"),
        Index("ix_optouts_school_id_student_id", "school_id", "student_id"),
        Index(
            "uq_optouts_active_student",
            "student_id",
            unique=True,
            postgresql_where=text("status <> 'withdrawn'"),
            sqlite_where=text("status <> 'withdrawn'"),
        ),
    )

    school_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    # The student's class when the application was filed, and its grade (5–11).
    class_group_id: Mapped[uuid.UUID]
    grade: Mapped[int]
    # The courses the application names; null: the whole program of the class (courses
    # delivered only with ЭО/ДОТ excepted, as §3.9 excepts them).
    course_ids: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="submitted")
    filed_by: Mapped[uuid.UUID]
    filed_by_role: Mapped[str] = mapped_column(String(16))
    filed_on: Mapped[date]
    # The application as a document: its date and (if it has one) number.
    document_number: Mapped[str | None] = mapped_column(String(50))
    document_date: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    # Registration by the school: the number in its register of incoming documents.
    registration_number: Mapped[str | None] = mapped_column(String(50))
    registered_on: Mapped[date | None]
    registered_by: Mapped[uuid.UUID | None]
    # In force from effective_from (set at registration) until effective_to (withdrawal).
    effective_from: Mapped[date | None]
    effective_to: Mapped[date | None]
    withdrawn_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)

    history: Mapped[list[OptOutHistory]] = relationship(
        lazy="raise",
        order_by="OptOutHistory.at",
        cascade="all, delete-orphan",
        back_populates="optout",
    )


class OptOutHistory(IdMixin, Base):
    """One transition of an application: who, when, from which status to which."""

    __tablename__ = "optout_history"

    school_id: Mapped[uuid.UUID]
    optout_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("optouts.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_id: Mapped[uuid.UUID]
    actor_role: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(Text)

    optout: Mapped[OptOut] = relationship(lazy="raise", back_populates="history")
