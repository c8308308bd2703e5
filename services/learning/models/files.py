"""Uploaded files: stored once per content hash, described per upload (LE-4, LE-6, LE-7)."""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin
from services.learning.models.base import Base


class StoredFile(IdMixin, TimestampMixin, Base):
    __tablename__ = "stored_files"

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    uploaded_by: Mapped[uuid.UUID | None]
    # What the file is for: material, submission, review_comment …
    purpose: Mapped[str] = mapped_column(String(32))
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
