"""Closed school years, their archive and retention periods (JO-8, 125-ФЗ)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import BigInteger, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from services.journal.models.base import Base

ARCHIVE_RECORD_TYPES = ("class_journal", "summary_sheet", "manifest")


class ClosedYear(IdMixin, TimestampMixin, Base):
    """A school year's lock: while ``is_closed``, nothing dated in it is written (423).

    The year's dates are copied from the directory so the lock check is one query.
    ``generation`` counts the archives written: closing again after a reopening
    writes a new generation and keeps the earlier ones.
    """

    __tablename__ = "closed_years"
    __table_args__ = (
        UniqueConstraint("school_id", "academic_year_id"),
        Index("ix_closed_years_school_id_starts_on", "school_id", "starts_on"),
    )

    school_id: Mapped[uuid.UUID]
    academic_year_id: Mapped[uuid.UUID]
    name: Mapped[str] = mapped_column(String(20))
    starts_on: Mapped[dt.date]
    ends_on: Mapped[dt.date]
    is_closed: Mapped[bool] = mapped_column(default=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_by: Mapped[uuid.UUID | None]
    generation: Mapped[int] = mapped_column(default=0)


class YearChange(IdMixin, Base):
    """Closing and reopening of a year; a reopening cites the order (приказ)."""

    __tablename__ = "year_changes"
    __audit__ = False

    school_id: Mapped[uuid.UUID]
    academic_year_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(16))  # closed / reopened
    generation: Mapped[int]
    order_number: Mapped[str | None] = mapped_column(String(100))
    order_date: Mapped[dt.date | None]
    reason: Mapped[str | None] = mapped_column(String(1000))
    by: Mapped[uuid.UUID]
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ArchiveFile(IdMixin, Base):
    """One file of a year's archive with its SHA-256, checked again on every download."""

    __tablename__ = "archive_files"
    __table_args__ = (
        Index(
            "ix_archive_files_school_id_academic_year_id",
            "school_id",
            "academic_year_id",
            "generation",
        ),
    )

    school_id: Mapped[uuid.UUID]
    academic_year_id: Mapped[uuid.UUID]
    generation: Mapped[int]
    record_type: Mapped[str] = mapped_column(String(50))  # class_journal / summary_sheet …
    format: Mapped[str] = mapped_column(String(8))  # xlsx / pdf / json
    course_id: Mapped[uuid.UUID | None]
    class_group_id: Mapped[uuid.UUID | None]
    title: Mapped[str] = mapped_column(String(500))
    # relative to the archive directory (settings.archive_path)
    path: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    retain_until: Mapped[dt.date | None]
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class RetentionRule(IdMixin, TimestampMixin, Base):
    """A school's retention period for one record type (JO-8: periods are data).

    Schools start from the defaults in ``services.journal.archive.retention``; a stored
    rule overrides the default of its type.
    """

    __tablename__ = "retention_rules"
    __table_args__ = (UniqueConstraint("school_id", "record_type"),)

    school_id: Mapped[uuid.UUID]
    record_type: Mapped[str] = mapped_column(String(50))
    title: Mapped[str] = mapped_column(String(300))
    years: Mapped[int]
    source: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(1000))
    updated_by: Mapped[uuid.UUID | None]
