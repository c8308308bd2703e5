"""ORM models of the journal service (its own metadata and database)."""

from __future__ import annotations

from services.journal.models.base import Base, consumer, directory, kernel, timetable

__all__ = ["Base", "consumer", "directory", "kernel", "timetable"]
