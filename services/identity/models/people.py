"""People, roles, guardianship, DOT training and external ids (ID-1 … ID-4, ID-7, ID-9)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime
from services.identity.models.base import Base


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    birth_date: Mapped[date | None]
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(default=True)
    is_active: Mapped[bool] = mapped_column(default=True)
    deactivated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Access tokens issued before this instant are refused by identity itself.
    sessions_valid_after: Mapped[datetime | None] = mapped_column(UTCDateTime())
    password_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    roles: Mapped[list[UserRole]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="UserRole.role"
    )

    @property
    def role_names(self) -> list[str]:
        return [r.role for r in self.roles]


class UserRole(IdMixin, Base):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(16))


class Guardianship(IdMixin, TimestampMixin, Base):
    __tablename__ = "guardianships"
    __table_args__ = (UniqueConstraint("guardian_id", "student_id"),)

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    guardian_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    student_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    relation: Mapped[str] = mapped_column(String(32), default="parent")


class TeacherTraining(IdMixin, TimestampMixin, Base):
    """A teacher's training in e-learning and distance technologies (ID-7, §3.4)."""

    __tablename__ = "teacher_trainings"

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    teacher_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    program: Mapped[str] = mapped_column(String(300))
    provider: Mapped[str] = mapped_column(String(300))
    hours: Mapped[int]
    completed_on: Mapped[date]
    valid_until: Mapped[date | None]
    document_number: Mapped[str | None] = mapped_column(String(100))


class ExternalId(IdMixin, TimestampMixin, Base):
    """An id of a user or class group in an external system (ID-9)."""

    __tablename__ = "external_ids"
    __table_args__ = (
        UniqueConstraint("school_id", "entity_type", "system", "value"),
        UniqueConstraint("entity_id", "system"),
    )

    school_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("schools.id"), index=True)
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[uuid.UUID] = mapped_column(index=True)
    system: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(String(200))
