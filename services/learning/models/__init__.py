"""ORM models of the learning service (its own metadata and database)."""

from __future__ import annotations

from services.learning.models.base import Base, consumer, directory, kernel

__all__ = ["Base", "consumer", "directory", "kernel"]
