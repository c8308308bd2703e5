"""ORM models of the journal service (its own metadata and database)."""

from __future__ import annotations

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

__all__ = [
    "Attendance",
    "Base",
    "Change",
    "LessonRecord",
    "Mark",
    "Period",
    "PeriodChange",
    "SchoolScale",
    "TermMark",
    "consumer",
    "directory",
    "kernel",
    "timetable",
]
