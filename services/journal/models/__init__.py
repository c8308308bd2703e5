"""ORM models of the journal service (its own metadata and database)."""

from __future__ import annotations

from services.journal.models.archive import ArchiveFile, ClosedYear, RetentionRule, YearChange
from services.journal.models.base import Base, consumer, directory, kernel, timetable
from services.journal.models.journal import (
    Attendance,
    Change,
    LessonRecord,
    Mark,
    Period,
    PeriodChange,
    SchoolScale,
    TermMark,
)
from services.journal.models.portfolio import PortfolioItem

__all__ = [
    "ArchiveFile",
    "Attendance",
    "Base",
    "Change",
    "ClosedYear",
    "LessonRecord",
    "Mark",
    "Period",
    "PeriodChange",
    "PortfolioItem",
    "RetentionRule",
    "SchoolScale",
    "TermMark",
    "YearChange",
    "consumer",
    "directory",
    "kernel",
    "timetable",
]
