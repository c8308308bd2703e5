"""Online tests (LE-8, §1.8 "тестирование онлайн"): a question bank per course, quizzes
made of bank questions, timed attempts with their answers, and the identifications that
admit a student to an attestation-mode quiz (§4.8, §5.3).

The code says "quiz" where the product says "тест", so that it never clashes with the
tests of the test suite.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.learning.models.base import Base

QUESTION_KINDS = ("single_choice", "multiple_choice", "short_answer", "numeric", "free_text")
# The kinds the server grades itself; free text is graded by the teacher.
AUTO_GRADED_KINDS = ("single_choice", "multiple_choice", "short_answer", "numeric")
CHOICE_KINDS = ("single_choice", "multiple_choice")
# The control a quiz serves (§4.1, JO-2).
CONTROL_TYPES = ("current_control", "interim_attestation", "final_attestation")
ATTEMPT_STATUSES = ("in_progress", "awaiting_grading", "graded")
FINISH_REASONS = ("submitted", "time_expired")


class QuizQuestion(IdMixin, TimestampMixin, Base):
    """A question of a course's bank, with its answer key.

    ``options``: ``[{"id": "…", "text": "…"}]`` in the author's order (choice kinds);
    ``correct_option_ids``: the right ones; ``accepted_answers``: the accepted short
    answers; ``numeric_value`` ± ``numeric_tolerance`` for numeric questions, kept as
    decimal strings so that a boundary like 3.14 ± 0.01 is compared exactly.
    """

    __tablename__ = "quiz_questions"
    __table_args__ = (Index("ix_quiz_questions_school_id_course_id", "school_id", "course_id"),)

    school_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    points: Mapped[int] = mapped_column(default=1)
    topic: Mapped[str | None] = mapped_column(String(200))
    options: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    correct_option_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    accepted_answers: Mapped[list[str]] = mapped_column(JSON, default=list)
    numeric_value: Mapped[str | None] = mapped_column(String(40))
    numeric_tolerance: Mapped[str | None] = mapped_column(String(40))
    # Shown to students with the correct answer once answers are released.
    explanation: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID]


class Quiz(IdMixin, TimestampMixin, Base):
    """A test of a course: its questions in order and the rules of its attempts."""

    __tablename__ = "quizzes"
    __table_args__ = (Index("ix_quizzes_school_id_course_id", "school_id", "course_id"),)

    school_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    lesson_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("lessons.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    time_limit_minutes: Mapped[int | None]
    max_attempts: Mapped[int] = mapped_column(default=1)
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    shuffle_options: Mapped[bool] = mapped_column(default=False)
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    control_type: Mapped[str] = mapped_column(String(24), default="current_control")
    # An attestation (§4.8, §5.3): an attempt starts only for an identified student.
    attestation_mode: Mapped[bool] = mapped_column(default=False)
    attestation_event_id: Mapped[uuid.UUID | None]
    # The quiz's own five-point thresholds {"5": 85, "4": 70, "3": 50}; null: the default.
    mark_thresholds: Mapped[dict[str, float] | None] = mapped_column(JSON)
    published: Mapped[bool] = mapped_column(default=False)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Students see correct answers only once the teacher allows it.
    answers_released: Mapped[bool] = mapped_column(default=False)
    answers_released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[uuid.UUID]

    items: Mapped[list[QuizItem]] = relationship(
        cascade="all, delete-orphan", lazy="raise", order_by="QuizItem.position"
    )


class QuizItem(Base):
    """A bank question at a position of a quiz."""

    __tablename__ = "quiz_items"
    __table_args__ = (UniqueConstraint("quiz_id", "position"),)

    quiz_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quizzes.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quiz_questions.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    school_id: Mapped[uuid.UUID]
    position: Mapped[int]


class QuizAttempt(IdMixin, TimestampMixin, Base):
    """One attempt of a student: the order it was shown in, its deadline and its result."""

    __tablename__ = "quiz_attempts"
    __table_args__ = (
        UniqueConstraint("quiz_id", "student_id", "attempt_no"),
        # At most one attempt in progress per student and quiz, whatever the races.
        Index(
            "uq_quiz_attempts_open",
            "quiz_id",
            "student_id",
            unique=True,
            sqlite_where=text("status = 'in_progress'"),
            postgresql_where=text("status = 'in_progress'"),
        ),
        Index("ix_quiz_attempts_school_id_student_id", "school_id", "student_id"),
        Index("ix_quiz_attempts_status_deadline", "status", "deadline"),
    )

    school_id: Mapped[uuid.UUID]
    quiz_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quizzes.id", ondelete="CASCADE"))
    student_id: Mapped[uuid.UUID]
    attempt_no: Mapped[int]
    status: Mapped[str] = mapped_column(String(20), default="in_progress")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # started_at + time limit, capped by the quiz's closing time; null: no limit.
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finish_reason: Mapped[str | None] = mapped_column(String(16))
    # The order this attempt shows (kept so that a reload shows the same order).
    question_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    option_order: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    score: Mapped[int | None]
    max_score: Mapped[int]
    percent: Mapped[float | None]
    mark: Mapped[str | None] = mapped_column(String(16))
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    answers: Mapped[list[QuizAnswer]] = relationship(cascade="all, delete-orphan", lazy="raise")


class QuizAnswer(IdMixin, TimestampMixin, Base):
    """A student's answer to one question of an attempt, and its grade.

    ``response``: ``{"option_ids": [...]}`` for choice kinds, ``{"text": "…"}`` otherwise.
    """

    __tablename__ = "quiz_answers"
    __table_args__ = (UniqueConstraint("attempt_id", "question_id"),)

    school_id: Mapped[uuid.UUID]
    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quiz_attempts.id", ondelete="CASCADE")
    )
    question_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("quiz_questions.id"))
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # null until graded (free text waits for the teacher)
    is_correct: Mapped[bool | None]
    points_awarded: Mapped[int | None]
    graded_by: Mapped[uuid.UUID | None]
    graded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    comment: Mapped[str | None] = mapped_column(Text)


class QuizIdentification(IdMixin, TimestampMixin, Base):
    """A student identified for an attestation event (§4.5, §4.8): written by the
    compliance service, checked before an attestation-mode attempt starts."""

    __tablename__ = "quiz_identifications"
    __table_args__ = (
        Index("ix_quiz_identifications_lookup", "school_id", "attestation_event_id", "student_id"),
    )

    school_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    attestation_event_id: Mapped[uuid.UUID]
    method: Mapped[str] = mapped_column(String(50))
    identified_at: Mapped[datetime] = mapped_column(UTCDateTime())
    identified_by: Mapped[uuid.UUID | None]
