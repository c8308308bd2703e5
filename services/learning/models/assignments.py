"""Assignments, submitted works and their reviews (LE-5, LE-6, LE-7).

An assignment is given for a course (optionally for one of its lessons) to the whole
course, to a named group of its students or to named students. A submitted work is
kept as versions: every submission is a new row with the next version number, and the
previous versions stay untouched (only their ``is_latest`` mark moves). A review
targets one version.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.learning.models.base import Base
from services.learning.models.courses import Course
from services.learning.models.files import StoredFile

ASSIGNMENT_STATUSES = ("draft", "scheduled", "published")
# class: every student of the course; group: a named list; students: named students.
TARGET_KINDS = ("class", "group", "students")
# Reg §1.5: works come through the platform, by e-mail or another agreed channel.
SUBMISSION_CHANNELS = ("platform", "email", "other")
REVIEW_STATUSES = ("accepted", "returned")


class Assignment(IdMixin, TimestampMixin, Base):
    __tablename__ = "assignments"
    __table_args__ = (
        Index("ix_assignments_school_id_course_id_due_at", "school_id", "course_id", "due_at"),
        Index("ix_assignments_status_publish_at", "status", "publish_at"),
    )

    school_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    lesson_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[uuid.UUID]
    title: Mapped[str] = mapped_column(String(300))
    instructions: Mapped[str] = mapped_column(Text, default="")
    # Ids of learning materials (LE-4), in the order the teacher gave them.
    material_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    target_kind: Mapped[str] = mapped_column(String(16), default="class")
    group_name: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # When it becomes visible; null for a draft without a planned time.
    publish_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(16), default="draft")
    delivery_form: Mapped[str] = mapped_column(String(16), default="e_learning")
    # [{"device": "tablet", "minutes": 15}, …]: planned screen use at home (§5.10).
    expected_screen_minutes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The in-person or paper alternative for students with an opt-out (LE-12).
    alternative: Mapped[str | None] = mapped_column(Text)
    # The hygiene check before publishing (Reg §2.5, services/learning/hygiene):
    # checked_ok / warnings / not_checked; null when no screen minutes are expected.
    compliance_status: Mapped[str | None] = mapped_column(String(16))
    compliance_check_id: Mapped[uuid.UUID | None]
    compliance_violations: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    compliance_checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    compliance_note: Mapped[str | None] = mapped_column(String(500))

    course: Mapped[Course] = relationship(lazy="raise")
    students: Mapped[list[AssignmentStudent]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="AssignmentStudent.student_id"
    )

    @property
    def listed_student_ids(self) -> list[uuid.UUID]:
        return [s.student_id for s in self.students]


class AssignmentStudent(Base):
    """The students of a group or named-students assignment (a class one lists none)."""

    __tablename__ = "assignment_students"

    assignment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE"), primary_key=True
    )
    student_id: Mapped[uuid.UUID] = mapped_column(primary_key=True, index=True)
    school_id: Mapped[uuid.UUID]


class Submission(IdMixin, TimestampMixin, Base):
    """One version of a student's work on an assignment."""

    __tablename__ = "submissions"
    __table_args__ = (
        UniqueConstraint("assignment_id", "student_id", "version"),
        Index("ix_submissions_school_id_received_at", "school_id", "received_at"),
        Index("ix_submissions_assignment_id_is_latest", "assignment_id", "is_latest"),
        Index("ix_submissions_student_id_is_latest", "student_id", "is_latest"),
    )

    school_id: Mapped[uuid.UUID]
    assignment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("assignments.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID]
    version: Mapped[int]
    is_latest: Mapped[bool] = mapped_column(default=True)
    text: Mapped[str | None] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16), default="platform")
    # When the work reached the school (for e-mail: when the teacher received it).
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    late: Mapped[bool] = mapped_column(default=False)
    # The student, or the teacher who recorded a work received by another channel.
    recorded_by: Mapped[uuid.UUID]

    files: Mapped[list[SubmissionFile]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="SubmissionFile.position"
    )
    review: Mapped[Review | None] = relationship(lazy="raise", uselist=False, viewonly=True)


class SubmissionFile(Base):
    __tablename__ = "submission_files"

    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), primary_key=True
    )
    file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stored_files.id"), primary_key=True)
    school_id: Mapped[uuid.UUID]
    position: Mapped[int] = mapped_column(default=0)

    file: Mapped[StoredFile] = relationship(lazy="raise")


class Review(IdMixin, TimestampMixin, Base):
    """A teacher's review of one version of a work (Reg §2.3, §2.4)."""

    __tablename__ = "reviews"
    __table_args__ = (Index("ix_reviews_school_id_reviewed_at", "school_id", "reviewed_at"),)

    school_id: Mapped[uuid.UUID]
    submission_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("submissions.id", ondelete="CASCADE"), unique=True
    )
    assignment_id: Mapped[uuid.UUID] = mapped_column(index=True)
    student_id: Mapped[uuid.UUID]
    reviewer_id: Mapped[uuid.UUID]
    mark: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    comment_text: Mapped[str | None] = mapped_column(Text)
    # An audio or video comment (Reg §2.4).
    comment_file_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("stored_files.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Reg §1.6: when the student first opened the feedback; set once.
    first_opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    comment_file: Mapped[StoredFile | None] = relationship(lazy="raise")
