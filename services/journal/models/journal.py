"""The journal: marking scales, periods, marks and their history, attendance, lesson
records and term marks (JO-1 … JO-5)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from services.journal.models.base import Base

CONTROL_TYPES = ("current_control", "interim_attestation", "final_attestation")
MARK_SOURCES = ("manual", "review", "test")
ABSENCE_REASONS = ("illness", "valid_reason", "competition", "unexcused", "other")
PERIOD_KINDS = ("quarter", "half_year")


class SchoolScale(TimestampMixin, Base):
    """The school's marking scale (JO-2): the values a mark may take."""

    __tablename__ = "school_scales"

    school_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # [{"value": "5", "numeric": 5, "label": "отлично"}, {"value": "зачёт", "numeric": null}]
    values: Mapped[list[dict[str, Any]]] = mapped_column(JSON)


class Period(IdMixin, TimestampMixin, Base):
    """A term (quarter or half-year) of an academic year; closed periods are locked."""

    __tablename__ = "periods"
    __table_args__ = (UniqueConstraint("school_id", "academic_year_id", "kind", "number"),)

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    academic_year_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[int]
    name: Mapped[str] = mapped_column(String(50))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    is_closed: Mapped[bool] = mapped_column(default=False)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[uuid.UUID | None]


class PeriodChange(IdMixin, Base):
    """Closing and reopening of a period; a reopening cites the order (приказ)."""

    __tablename__ = "period_changes"
    __audit__ = False

    school_id: Mapped[uuid.UUID]
    period_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(16))  # closed / reopened
    order_number: Mapped[str | None] = mapped_column(String(100))
    order_date: Mapped[dt.date | None]
    reason: Mapped[str | None] = mapped_column(String(1000))
    by: Mapped[uuid.UUID]
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Mark(IdMixin, TimestampMixin, Base):
    """A mark: never deleted, only annulled with a reason; ``version`` is its ETag."""

    __tablename__ = "marks"
    __table_args__ = (
        Index("ix_marks_course_id_student_id", "course_id", "student_id"),
        Index("ix_marks_school_id_student_id_date", "school_id", "student_id", "date"),
        Index("ix_marks_lesson_id", "lesson_id"),
    )

    school_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID]
    lesson_id: Mapped[uuid.UUID | None]
    student_id: Mapped[uuid.UUID]
    value: Mapped[str] = mapped_column(String(16))
    numeric_value: Mapped[float | None] = mapped_column(Numeric(4, 1))
    control_type: Mapped[str] = mapped_column(String(32), default="current_control")
    weight: Mapped[float] = mapped_column(Numeric(4, 2), default=1)
    date: Mapped[dt.date]
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(16), default="manual")
    # "review:<id>", "test_attempt:<id>": a learning event becomes one mark, once.
    source_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active / annulled
    annul_reason: Mapped[str | None] = mapped_column(String(1000))
    created_by: Mapped[uuid.UUID | None]
    updated_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class TermMark(IdMixin, TimestampMixin, Base):
    """A term or year mark set by the teacher (JO-4)."""

    __tablename__ = "term_marks"
    __table_args__ = (UniqueConstraint("course_id", "student_id", "period_id"),)

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    course_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    # null: the year mark
    period_id: Mapped[uuid.UUID | None]
    academic_year_id: Mapped[uuid.UUID]
    value: Mapped[str] = mapped_column(String(16))
    average: Mapped[float | None] = mapped_column(Numeric(4, 2))
    weighted_average: Mapped[float | None] = mapped_column(Numeric(4, 2))
    set_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Attendance(IdMixin, TimestampMixin, Base):
    """An absence ("н") of a student from a lesson, with its reason (JO-3)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("lesson_id", "student_id"),)

    school_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(index=True)
    lesson_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID] = mapped_column(index=True)
    date: Mapped[dt.date]
    status: Mapped[str] = mapped_column(String(16), default="absent")  # absent / present
    reason: Mapped[str | None] = mapped_column(String(32))
    comment: Mapped[str | None] = mapped_column(String(1000))
    recorded_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Change(IdMixin, Base):
    """The history of marks, term marks and attendance (JO-5): who, when, old, new, why."""

    __tablename__ = "changes"
    __audit__ = False
    __table_args__ = (Index("ix_changes_entity", "entity", "entity_id"),)

    school_id: Mapped[uuid.UUID]
    entity: Mapped[str] = mapped_column(String(16))  # mark / term_mark / attendance
    entity_id: Mapped[uuid.UUID]
    action: Mapped[str] = mapped_column(String(16))  # created / updated / annulled
    old: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    new: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(String(1000))
    by: Mapped[uuid.UUID | None]
    # "learning:review.completed" when a mark came from an event, else null
    via: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LessonRecord(IdMixin, TimestampMixin, Base):
    """What was taught in a lesson (JO-1): a topic of the plan and the delivery form."""

    __tablename__ = "lesson_records"

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    lesson_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    course_id: Mapped[uuid.UUID] = mapped_column(index=True)
    topic_id: Mapped[uuid.UUID | None]
    topic_title: Mapped[str] = mapped_column(String(500))
    delivery_form: Mapped[str] = mapped_column(String(16))
    planned_delivery_form: Mapped[str] = mapped_column(String(16))
    homework: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012
