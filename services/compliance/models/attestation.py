"""Attestation procedures with identification (CO-6, ID-8, §4.5, §4.7, §4.8, §5.3).

An :class:`AttestationEvent` is one current-control, interim or final attestation of a
course or a class group on a date, held under a local act (number, date) with the
procedures §4.8 asks the school to define: how students are identified, how the
conditions are controlled, what to do on technical problems, and how students were
informed (:class:`AttestationInforming`) and where they will see the results.

Before the event each student is identified by the event's method; each
identification is kept (:class:`AttestationIdentification`: who, how, when, by whom).
A one-time code issued by the examiner is stored only as a keyed hash
(:class:`AttestationCode`), used once, expires and allows a few attempts. Violations of
the conditions and technical incidents with their outcome are recorded against the
event.

Works received by learning and their reviews are tracked in
:class:`ReviewWatch` for the administration's dashboard (CO-8, Reg §2.3).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from services.compliance.models.base import Base

ATTESTATION_KINDS = ("current_control", "interim_attestation", "final_attestation")
IDENTIFICATION_METHODS = ("password_reauth", "one_time_code", "proctor")


class AttestationEvent(IdMixin, TimestampMixin, Base):
    __tablename__ = "attestation_events"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('current_control', 'interim_attestation', 'final_attestation')",
            name="kind_known",
        ),
        CheckConstraint(
            "identification_method IN ('password_reauth', 'one_time_code', 'proctor')",
            name="method_known",
        ),
        Index("ix_attestation_events_school_id_held_on", "school_id", "held_on"),
        Index("ix_attestation_events_class_group_id", "class_group_id"),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(300))
    kind: Mapped[str] = mapped_column(String(24))
    # A course's event (its class group copied from the course) or a whole class's.
    course_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    class_group_id: Mapped[uuid.UUID]
    subject: Mapped[str | None] = mapped_column(String(200))
    held_on: Mapped[date]
    starts_at: Mapped[str | None] = mapped_column(String(5))  # HH:MM, the school's time
    duration_minutes: Mapped[int | None]
    # §4.7: the local act the event is held under
    local_act_number: Mapped[str] = mapped_column(String(100))
    local_act_date: Mapped[date]
    # §4.8: the procedures
    identification_method: Mapped[str] = mapped_column(String(24))
    condition_control: Mapped[str] = mapped_column(Text)
    technical_problems_procedure: Mapped[str] = mapped_column(Text)
    results_location: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID]
    updated_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)


class AttestationInforming(IdMixin, Base):
    """How and when students were informed of the procedure and of where to see the
    results (§4.8, last item)."""

    __tablename__ = "attestation_informings"

    school_id: Mapped[uuid.UUID]
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attestation_events.id", ondelete="CASCADE"), index=True
    )
    informed_on: Mapped[date]
    channel: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AttestationCode(IdMixin, Base):
    """A one-time code for one student and one event: only its keyed hash is stored."""

    __tablename__ = "attestation_codes"
    __table_args__ = (Index("ix_attestation_codes_event_id_student_id", "event_id", "student_id"),)

    school_id: Mapped[uuid.UUID]
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attestation_events.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID]
    code_hash: Mapped[str] = mapped_column(String(64))
    issued_by: Mapped[uuid.UUID]
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int]
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A newer code for the same student and event replaces this one.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AttestationIdentification(IdMixin, Base):
    """One identification of a student before an event (ID-8): who, how, when, by whom."""

    __tablename__ = "attestation_identifications"
    __table_args__ = (
        Index("ix_attestation_identifications_event_id_student_id", "event_id", "student_id"),
        # a proof of password re-entry is accepted once
        UniqueConstraint("proof_id"),
    )

    school_id: Mapped[uuid.UUID]
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attestation_events.id", ondelete="CASCADE")
    )
    student_id: Mapped[uuid.UUID]
    method: Mapped[str] = mapped_column(String(24))
    identified_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The examiner or proctor who identified (code issuer, proctor); the student
    # themself for a password re-entry.
    identified_by: Mapped[uuid.UUID]
    recorded_by: Mapped[uuid.UUID]
    code_id: Mapped[uuid.UUID | None]
    proof_id: Mapped[str | None] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(Text)


class AttestationViolation(IdMixin, Base):
    """A violation of the conditions of the event (§4.8, second item)."""

    __tablename__ = "attestation_violations"

    school_id: Mapped[uuid.UUID]
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attestation_events.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    evidence_text: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AttestationIncident(IdMixin, TimestampMixin, Base):
    """A technical problem during the event and what was decided (§4.8, third item)."""

    __tablename__ = "attestation_incidents"

    school_id: Mapped[uuid.UUID]
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("attestation_events.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[uuid.UUID | None]
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(24))
    retake_on: Mapped[date | None]
    outcome_note: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[uuid.UUID]
    updated_by: Mapped[uuid.UUID | None]


class ReviewWatch(Base):
    """A work received by learning and whether it was reviewed by the end of its school
    day (Reg §2.3), from learning's ``submission.received`` and ``review.completed``."""

    __tablename__ = "review_watch"
    __audit__ = False
    __table_args__ = (
        Index("ix_review_watch_school_id_due", "school_id", "review_due_at"),
        Index("ix_review_watch_assignment_student", "assignment_id", "student_id"),
    )

    submission_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID]
    assignment_id: Mapped[uuid.UUID]
    course_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    version: Mapped[int]
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    review_due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # A newer version of the same work arrived: this one is no longer waiting.
    superseded: Mapped[bool] = mapped_column(default=False)
