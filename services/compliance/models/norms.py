"""Screen-device norms of a school and the record of checks (CO-1, CO-2).

The federal norms and the regulation's rules are built in (``norms/data.py``); a school
adds its own stricter rule sets here, each in numbered versions with an effective
period. Versions are immutable once created, except for being retired (which closes
their period); every check run keeps the set versions it used and its violations.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from services.common.db import IdMixin, TimestampMixin, UTCDateTime, utcnow
from services.compliance.models.base import Base


class NormRuleSet(IdMixin, TimestampMixin, Base):
    """A school's own rule set: a code unique in the school, and its versions."""

    __tablename__ = "norm_rule_sets"
    __table_args__ = (UniqueConstraint("school_id", "code"),)

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    code: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID]

    versions: Mapped[list[NormRuleSetVersion]] = relationship(
        lazy="raise", order_by="NormRuleSetVersion.version", back_populates="rule_set"
    )


class NormRuleSetVersion(IdMixin, TimestampMixin, Base):
    """One version of a school rule set: its rules and the period it is in force."""

    __tablename__ = "norm_rule_set_versions"
    __table_args__ = (
        UniqueConstraint("rule_set_id", "version"),
        Index("ix_norm_rule_set_versions_school_id_status", "school_id", "status"),
    )

    school_id: Mapped[uuid.UUID]
    rule_set_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("norm_rule_sets.id", ondelete="CASCADE"), index=True
    )
    version: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | retired
    effective_from: Mapped[date]
    effective_to: Mapped[date | None]
    source: Mapped[str] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[uuid.UUID]
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_by: Mapped[uuid.UUID | None]
    retire_reason: Mapped[str | None] = mapped_column(String(500))

    rule_set: Mapped[NormRuleSet] = relationship(lazy="raise", back_populates="versions")
    rules: Mapped[list[NormRule]] = relationship(
        lazy="raise", order_by="NormRule.position", cascade="all, delete-orphan"
    )


class NormRule(IdMixin, Base):
    """One limit of a school rule set version (see ``norms/engine.py`` for measures)."""

    __tablename__ = "norm_rules"
    __table_args__ = (UniqueConstraint("version_id", "rule_key"),)

    school_id: Mapped[uuid.UUID]
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("norm_rule_set_versions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    rule_key: Mapped[str] = mapped_column(String(200))
    measure: Mapped[str] = mapped_column(String(32))
    device: Mapped[str | None] = mapped_column(String(32))
    band_kind: Mapped[str] = mapped_column(String(8))  # grade | age
    band_from: Mapped[int]
    band_to: Mapped[int]
    hour: Mapped[int | None]
    delivery_forms: Mapped[list[str] | None] = mapped_column(JSON)
    limit_minutes: Mapped[int]
    warn_above_minutes: Mapped[int | None]
    severity: Mapped[str] = mapped_column(String(8), default="block")
    clause: Mapped[str] = mapped_column(String(300))


class NormSettings(TimestampMixin, Base):
    """A school's compliance settings for the norms (defaults when no row exists)."""

    __tablename__ = "norm_settings"

    school_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    # block: a violation blocks publishing in learning; warn: violations only warn.
    violation_mode: Mapped[str] = mapped_column(String(8), default="block")
    combined_daily_limit_enabled: Mapped[bool] = mapped_column(default=False)
    combined_daily_limit_minutes: Mapped[int | None]
    revision: Mapped[int] = mapped_column(default=1)
    updated_by: Mapped[uuid.UUID | None]


class NormCheckRun(IdMixin, Base):
    """One check: what was checked, under which set versions, and what it found."""

    __tablename__ = "norm_check_runs"
    __table_args__ = (Index("ix_norm_check_runs_school_id_kind", "school_id", "kind"),)

    school_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(16))  # lesson | class_day | student_day | school_week
    checked_on: Mapped[date]
    requested_by: Mapped[uuid.UUID]
    requested_by_service: Mapped[bool] = mapped_column(default=False)
    violation_mode: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))  # passed | warned | blocked
    violation_count: Mapped[int]
    rule_sets: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    subject: Mapped[dict[str, Any]] = mapped_column(JSON)
    violations: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
