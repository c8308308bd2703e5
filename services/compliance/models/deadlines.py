"""Publication deadlines (CO-5): the production calendar, notices and the due-soon setting.

The production calendar is federal data shared by every school: its tables carry no
``school_id``. Notices and settings belong to a school.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from services.compliance.models.base import Base

NOTICE_KINDS = ("dot_decision_next_year", "distance_only_program_info")
CALENDAR_DAY_KINDS = ("holiday", "day_off", "working_day")
CALENDAR_ORIGINS = ("bundled", "operator")


class ProductionCalendarYear(Base):
    """One loaded year of the production calendar and where its data comes from."""

    __tablename__ = "production_calendar_years"
    __table_args__ = (
        CheckConstraint("origin IN ('bundled', 'operator')", name="origin_known"),
        CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
    )

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(String(500))
    provisional: Mapped[bool] = mapped_column(default=False)
    # bundled: copied from calendar_data.py; operator: loaded with PUT /calendar/{year}
    origin: Mapped[str] = mapped_column(String(16))
    revision: Mapped[str] = mapped_column(String(64))
    loaded_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class ProductionCalendarDay(IdMixin, Base):
    """An exception to the Monday–Friday week: a holiday, a day off or a working weekend day.

    Written in bulk with the year they belong to; the year row's audit entry records
    each load, so the days themselves are not audited one by one.
    """

    __tablename__ = "production_calendar_days"
    __audit__ = False
    __table_args__ = (
        CheckConstraint("kind IN ('holiday', 'day_off', 'working_day')", name="kind_known"),
    )

    year: Mapped[int] = mapped_column(
        ForeignKey("production_calendar_years.year", ondelete="CASCADE"), index=True
    )
    day: Mapped[date] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    note: Mapped[str] = mapped_column(String(300))


class PublicationNotice(IdMixin, TimestampMixin, Base):
    """Information the school must publish on its website, and when it was published.

    ``deadline`` and ``due_soon_from`` are derived (kind, dates, calendar, the school's
    due-soon setting) and kept up to date when any of them changes, so lists can filter
    and count by state in SQL.
    """

    __tablename__ = "publication_notices"
    __table_args__ = (
        CheckConstraint(
            "kind IN ('dot_decision_next_year', 'distance_only_program_info')",
            name="kind_known",
        ),
        CheckConstraint(
            "published_on IS NULL OR published_on >= decision_or_change_date",
            name="published_after_decision",
        ),
        Index("ix_publication_notices_school_id_deadline", "school_id", "deadline", "id"),
        Index("ix_publication_notices_deadline", "deadline"),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    decision_or_change_date: Mapped[date]
    academic_year: Mapped[str | None] = mapped_column(String(9))
    local_act_number: Mapped[str | None] = mapped_column(String(100))
    notes: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    published_on: Mapped[date | None]
    deadline: Mapped[date]
    due_soon_from: Mapped[date]
    created_by: Mapped[uuid.UUID | None]
    published_by: Mapped[uuid.UUID | None]


class DeadlineSettings(IdMixin, TimestampMixin, Base):
    """A school's own due-soon window; without a row the service default applies."""

    __tablename__ = "deadline_settings"
    __table_args__ = (
        CheckConstraint(
            "due_soon_working_days >= 1 AND due_soon_working_days <= 20",
            name="due_soon_range",
        ),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(unique=True)
    due_soon_working_days: Mapped[int]
    updated_by: Mapped[uuid.UUID | None]
