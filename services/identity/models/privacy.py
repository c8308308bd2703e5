"""Personal-data consents and the log of who read or exported whose data (ID-10)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from services.identity.models.base import Base


class Consent(IdMixin, TimestampMixin, Base):
    """A consent to processing, or the separate consent to publication (152-ФЗ ст. 9, 10.1)."""

    __tablename__ = "consents"

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    given_by_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16))
    purpose: Mapped[str] = mapped_column(String(500))
    data_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    document_number: Mapped[str | None] = mapped_column(String(100))
    given_on: Mapped[date]
    valid_until: Mapped[date | None]
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawn_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class PersonalDataAccess(IdMixin, Base):
    __tablename__ = "personal_data_access_log"
    __audit__ = False

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    actor_id: Mapped[uuid.UUID] = mapped_column(index=True)
    subject_id: Mapped[uuid.UUID] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(16))
    resource: Mapped[str] = mapped_column(String(100))
    request_id: Mapped[str | None] = mapped_column(String(128))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
