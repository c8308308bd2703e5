"""The student's digital portfolio (JO-7, Положение §1.4, §4.3)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import JSON, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.journal.models.base import Base

PORTFOLIO_KINDS = (
    "achievement",
    "competency",
    "education_document",
    "course_certificate",
    "work",
)
PORTFOLIO_STATUSES = ("proposed", "confirmed", "rejected")


class PortfolioItem(IdMixin, TimestampMixin, Base):
    """One entry of a student's portfolio.

    The fields every kind has are columns; the kind's own fields (an achievement's level
    and result, a document's number, a work's review …) are in ``details``, validated
    by the kind's schema on the way in. Items from learning's events carry
    ``source_ref`` (unique), so an event delivered twice makes one item.
    """

    __tablename__ = "portfolio_items"
    __table_args__ = (
        Index("ix_portfolio_items_school_id_student_id", "school_id", "student_id"),
        Index("ix_portfolio_items_school_id_status", "school_id", "status"),
    )

    school_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    # the date the item is about: the event, the issue of a document, the review
    occurred_on: Mapped[dt.date | None]
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    evidence_url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    source: Mapped[str] = mapped_column(String(16), default="manual")  # manual / learning
    # "certificate:<id>", "review:<id>": a learning event becomes one item, once
    source_ref: Mapped[str | None] = mapped_column(String(100), unique=True)
    created_by: Mapped[uuid.UUID | None]
    decided_by: Mapped[uuid.UUID | None]
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    reject_reason: Mapped[str | None] = mapped_column(String(1000))
