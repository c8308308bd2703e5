"""Courses, their thematic plans (КТП) and the timetable (LE-1, LE-2, LE-3)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.learning.models.base import Base

# §1.7: the organisational forms of teaching.
ORGANISATIONAL_FORMS = (
    "lesson",  # урок
    "lecture",  # лекция
    "seminar",  # семинар
    "practical",  # практическое занятие
    "laboratory",  # лабораторная работа
    "test_work",  # контрольная работа
    "independent_work",  # самостоятельная работа
    "consultation",  # консультация с преподавателем
    "research",  # научно-исследовательская работа
    "current_control",  # текущий контроль
    "interim_attestation",  # промежуточная аттестация
)
# §1.8: how a form is supported.
SUPPORT_MODES = (
    "online_testing",  # тестирование онлайн
    "online_study",  # изучение материала онлайн
    "online_consultation",  # консультации онлайн
    "methodical_materials",  # предоставление методических материалов
    "offline_support",  # сопровождение офлайн
)
# §5.9: how a lesson is delivered.
DELIVERY_FORMS = ("in_person", "e_learning", "distance")
# How a whole course is delivered.
COURSE_DELIVERY = ("in_person", "blended", "distance_only")
# Screen devices of СанПиН 1.2.3685-21 table 6.8 (§5.10).
DEVICE_TYPES = ("interactive_whiteboard", "interactive_panel", "pc", "laptop", "tablet")
DEVICE_USE_KINDS = ("viewing", "copying", "interactive")
LESSON_STATUSES = ("scheduled", "cancelled")


class Course(IdMixin, TimestampMixin, Base):
    """A subject taught to a class group (or a sub-group of it) in an academic year."""

    __tablename__ = "courses"
    __table_args__ = (
        Index("ix_courses_school_id_class_group_id", "school_id", "class_group_id"),
        Index("ix_courses_school_id_academic_year_id", "school_id", "academic_year_id"),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    academic_year_id: Mapped[uuid.UUID]
    class_group_id: Mapped[uuid.UUID]
    subject: Mapped[str] = mapped_column(String(200))
    # A sub-group ("группа 1", "английский, группа Б"): only its listed students take it.
    subgroup: Mapped[str | None] = mapped_column(String(100))
    grade: Mapped[int]
    level: Mapped[str] = mapped_column(String(16))  # primary / basic / secondary
    delivery: Mapped[str] = mapped_column(String(16), default="in_person")
    work_program_title: Mapped[str | None] = mapped_column(String(300))
    work_program_url: Mapped[str | None] = mapped_column(String(1000))
    hours_per_week: Mapped[Decimal | None] = mapped_column(Numeric(4, 1))
    is_archived: Mapped[bool] = mapped_column(default=False)

    teachers: Mapped[list[CourseTeacher]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CourseTeacher.position"
    )
    students: Mapped[list[CourseStudent]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def teacher_ids(self) -> list[uuid.UUID]:
        return [t.teacher_id for t in self.teachers]

    @property
    def student_ids(self) -> list[uuid.UUID]:
        return [s.student_id for s in self.students]


class CourseTeacher(IdMixin, Base):
    # A surrogate key, so that audit records name one row with one id.
    __tablename__ = "course_teachers"
    __table_args__ = (UniqueConstraint("course_id", "teacher_id"),)

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    teacher_id: Mapped[uuid.UUID] = mapped_column(index=True)
    school_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(default=0)


class CourseStudent(IdMixin, Base):
    """The students of a sub-group course (a whole-class course lists none)."""

    __tablename__ = "course_students"
    __table_args__ = (UniqueConstraint("course_id", "student_id"),)

    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    student_id: Mapped[uuid.UUID] = mapped_column(index=True)
    school_id: Mapped[uuid.UUID]


class Topic(IdMixin, TimestampMixin, Base):
    """A topic of the thematic plan (КТП), in order, with planned hours."""

    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("course_id", "position"),)

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    position: Mapped[int]
    section: Mapped[str | None] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(500))
    planned_hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    planned_date: Mapped[date | None]
    notes: Mapped[str | None] = mapped_column(Text)


class TimetableTemplate(IdMixin, TimestampMixin, Base):
    """A weekly slot of a course; generating a term creates one lesson per matching day."""

    __tablename__ = "timetable_templates"

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    course_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    weekday: Mapped[int]  # ISO: 1 = Monday … 7 = Sunday
    lesson_number: Mapped[int | None]
    starts_at: Mapped[time]
    duration_minutes: Mapped[int]
    organisational_form: Mapped[str] = mapped_column(String(32), default="lesson")
    delivery_form: Mapped[str] = mapped_column(String(16), default="in_person")
    support_mode: Mapped[str | None] = mapped_column(String(32))
    devices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    room: Mapped[str | None] = mapped_column(String(100))
    video_room_url: Mapped[str | None] = mapped_column(String(1000))
    # Copied to the lessons generated from the slot (LE-12, §3.9 opt-outs).
    alternative: Mapped[str | None] = mapped_column(Text)


class Lesson(IdMixin, TimestampMixin, Base):
    """One lesson of the timetable, in the school's local date and time."""

    __tablename__ = "lessons"
    __table_args__ = (
        Index("ix_lessons_school_id_date", "school_id", "date"),
        Index("ix_lessons_course_id_date", "course_id", "date"),
    )

    school_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    template_id: Mapped[uuid.UUID | None]
    date: Mapped[dt.date]
    starts_at: Mapped[time]
    # The same start as an instant, for ordering and for "now" across time zones.
    starts_at_utc: Mapped[datetime] = mapped_column(UTCDateTime())
    duration_minutes: Mapped[int]
    lesson_number: Mapped[int | None]
    topic_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("topics.id"), index=True)
    organisational_form: Mapped[str] = mapped_column(String(32), default="lesson")
    delivery_form: Mapped[str] = mapped_column(String(16), default="in_person")
    support_mode: Mapped[str | None] = mapped_column(String(32))
    # [{"device": "tablet", "minutes": 10, "kind": "viewing"}, …] in order of use
    devices: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    room: Mapped[str | None] = mapped_column(String(100))
    video_room_url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    cancel_reason: Mapped[str | None] = mapped_column(String(500))
    # Who teaches it when not the course's teacher (a substitution).
    substitute_teacher_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    moved_from_date: Mapped[dt.date | None]
    moved_from_starts_at: Mapped[time | None]
    homework: Mapped[str | None] = mapped_column(Text)
    # The in-person or paper alternative for students with a §3.9 opt-out (LE-12).
    alternative: Mapped[str | None] = mapped_column(Text)
    # The hygiene check before publishing (Reg §2.5, services/learning/hygiene):
    # checked_ok / warnings / not_checked; null when no screen device is used.
    compliance_status: Mapped[str | None] = mapped_column(String(16))
    compliance_check_id: Mapped[uuid.UUID | None]
    compliance_violations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    compliance_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    compliance_note: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[int] = mapped_column(default=1)

    @property
    def screen_minutes(self) -> int:
        return sum(int(d.get("minutes", 0)) for d in self.devices or [])
