"""Individual learning plans of the mediated model (LE-11, §2.1, §5.6, §5.7)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin
from services.learning.models.base import Base

# §5.6: the categories of students taught in the mediated model.
PLAN_CATEGORIES: dict[str, str] = {
    "olympiad_preparation": (
        "обучающиеся, проходящие подготовку к участию в олимпиадах, конкурсах на "
        "заключительных этапах"
    ),
    "high_achiever": "обучающиеся с высокой степенью успешности в освоении программ",
    "absent_valid_reason": (
        "обучающиеся, пропускающие учебные занятия по уважительной причине (болезнь, "
        "участие в соревнованиях, конкурсах)"
    ),
    "part_time": "обучающиеся по очно-заочной форме обучения",
}


class IndividualPlan(IdMixin, TimestampMixin, Base):
    """A student's individual plan (§5.7), approved by an order of the school."""

    __tablename__ = "individual_plans"
    __table_args__ = (Index("ix_individual_plans_school_id_student_id", "school_id", "student_id"),)

    school_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    category: Mapped[str] = mapped_column(String(32))
    # the basis: an order (приказ) of the school, its number and date
    basis_document_title: Mapped[str | None] = mapped_column(String(300))
    basis_document_number: Mapped[str] = mapped_column(String(100))
    basis_document_date: Mapped[dt.date]
    valid_from: Mapped[dt.date]
    valid_to: Mapped[dt.date]
    tutor_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # what the plan is made of: ids of the student's courses, the school's online courses
    # and assignments, kept as JSON lists of strings in the order given
    course_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    online_course_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    assignment_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    notes: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None]
    version: Mapped[int] = mapped_column(default=1)
