"""Online courses of the school: catalogue, modules, enrolments, progress and
certificates (LE-10, §1.4 «онлайн-курс»)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.learning.models.base import Base

ONLINE_COURSE_LEVELS = ("primary", "basic", "secondary")
ENROLMENT_STATUSES = ("active", "completed")
MODULE_ITEM_KINDS = ("material", "quiz")
CERTIFICATE_PREFIX = "ОК"


class OnlineCourse(IdMixin, TimestampMixin, Base):
    __tablename__ = "online_courses"
    __table_args__ = (
        Index("ix_online_courses_school_id_is_published", "school_id", "is_published"),
    )

    school_id: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(16))
    hours: Mapped[int]
    author_id: Mapped[uuid.UUID] = mapped_column(index=True)
    is_published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    modules: Mapped[list[OnlineCourseModule]] = relationship(
        cascade="all, delete-orphan",
        lazy="raise",
        order_by="OnlineCourseModule.position",
    )


class OnlineCourseModule(IdMixin, TimestampMixin, Base):
    """A module in order; its items are learning materials and online tests (by id)."""

    __tablename__ = "online_course_modules"

    school_id: Mapped[uuid.UUID]
    online_course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("online_courses.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    material_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    quiz_ids: Mapped[list[str]] = mapped_column(JSON, default=list)

    def items(self) -> list[tuple[str, str]]:
        """(kind, id) of every item of the module, materials first."""
        return [("material", m) for m in self.material_ids or []] + [
            ("quiz", q) for q in self.quiz_ids or []
        ]


class OnlineCourseEnrolment(IdMixin, TimestampMixin, Base):
    __tablename__ = "online_course_enrolments"
    __table_args__ = (
        UniqueConstraint("online_course_id", "student_id"),
        Index("ix_online_course_enrolments_school_id_student_id", "school_id", "student_id"),
    )

    school_id: Mapped[uuid.UUID]
    online_course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("online_courses.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID]
    enrolled_by: Mapped[uuid.UUID]
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="active")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OnlineCourseProgress(IdMixin, Base):
    """One module item marked done by the student."""

    __tablename__ = "online_course_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "module_id", "item_kind", "item_id"),)

    school_id: Mapped[uuid.UUID]
    enrolment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("online_course_enrolments.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("online_course_modules.id", ondelete="CASCADE")
    )
    item_kind: Mapped[str] = mapped_column(String(16))
    item_id: Mapped[str] = mapped_column(String(36))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OnlineCourseCertificate(IdMixin, TimestampMixin, Base):
    """The record of a completed online course (§1.4: goes to the digital portfolio)."""

    __tablename__ = "online_course_certificates"
    __table_args__ = (
        UniqueConstraint("school_id", "number"),
        UniqueConstraint("enrolment_id"),
        Index("ix_online_course_certificates_school_id_year", "school_id", "year", "sequence"),
    )

    school_id: Mapped[uuid.UUID]
    enrolment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("online_course_enrolments.id", ondelete="CASCADE")
    )
    online_course_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # "ОК-2026-000123": prefix, year of issue, a running number per school and year
    number: Mapped[str] = mapped_column(String(32))
    year: Mapped[int]
    sequence: Mapped[int]
    issued_on: Mapped[dt.date]
    hours: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))

    def summary(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "hours": self.hours,
        }
