"""ORM models of the journal service (its own metadata and database)."""

from __future__ import annotations

from sqlalchemy.orm import DeclarativeBase

from services.common.db import new_metadata
from services.common.models import kernel_models


class Base(DeclarativeBase):
    metadata = new_metadata()


kernel = kernel_models(Base)

__all__ = ["Base", "kernel"]
