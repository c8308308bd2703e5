"""Schools (tenants), academic years, class groups and membership (ID-4)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin
from services.identity.models.base import Base


class School(IdMixin, TimestampMixin, Base):
    __tablename__ = "schools"

    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Moscow")
    inn: Mapped[str | None] = mapped_column(String(12))
    region: Mapped[str | None] = mapped_column(String(100))

    @property
    def school_id(self) -> uuid.UUID:
        return self.id


class AcademicYear(IdMixin, TimestampMixin, Base):
    __tablename__ = "academic_years"
    __table_args__ = (
        UniqueConstraint("school_id", "name"),
        CheckConstraint("starts_on < ends_on", name="dates_ordered"),
        # At most one current year per school, even under concurrent updates.
        Index(
            "uq_academic_years_one_current",
            "school_id",
            unique=True,
            sqlite_where=text("is_current"),
            postgresql_where=text("is_current"),
        ),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    name: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    is_current: Mapped[bool] = mapped_column(default=False)


class ClassGroup(IdMixin, TimestampMixin, Base):
    __tablename__ = "class_groups"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year_id", "grade", "letter"),
        CheckConstraint("grade >= 1 AND grade <= 11", name="grade_range"),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    academic_year_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("academic_years.id"), index=True)
    grade: Mapped[int]
    letter: Mapped[str] = mapped_column(String(4))
    homeroom_teacher_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    @property
    def name(self) -> str:
        return f"{self.grade}{self.letter}"


class ClassMembership(IdMixin, TimestampMixin, Base):
    __tablename__ = "class_memberships"
    __table_args__ = (UniqueConstraint("class_group_id", "student_id"),)

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    class_group_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("class_groups.id"), index=True)
    student_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
