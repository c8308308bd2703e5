"""Signing keys and refresh-token families (ID-5)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import IdMixin, UTCDateTime, utcnow
from services.identity.models.base import Base


class SigningKey(Base):
    __tablename__ = "signing_keys"
    __audit__ = True

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    algorithm: Mapped[str] = mapped_column(String(16))
    private_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The newest active key signs; retired keys stay published until verify_until.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    verify_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RefreshToken(IdMixin, Base):
    """One refresh token of a session family; only its hash is stored."""

    __tablename__ = "refresh_tokens"
    __audit__ = False  # session bookkeeping; logins are visible through their own records

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    family_id: Mapped[uuid.UUID] = mapped_column(index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    family_expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoke_reason: Mapped[str | None] = mapped_column(String(32))
