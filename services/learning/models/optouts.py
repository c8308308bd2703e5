"""Compliance's opt-out applications (§3.9, CO-4) replicated from its change feed (LE-12).

Learning keeps what it needs to enforce an opt-out without calling compliance: whose it
is, its status, the courses it names (null: the whole program of the class) and the
period it is in force. Rows are written only by the feed handler
(``services/learning/optouts/feed.py``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import UTCDateTime, utcnow
from services.learning.models.base import Base


class OptOutReplica(Base):
    __tablename__ = "optout_replicas"
    __audit__ = False
    __table_args__ = (Index("ix_optout_replicas_school_id_student_id", "school_id", "student_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    school_id: Mapped[uuid.UUID]
    student_id: Mapped[uuid.UUID]
    class_group_id: Mapped[uuid.UUID]
    course_ids: Mapped[list[str] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16))
    effective_from: Mapped[date | None]
    effective_to: Mapped[date | None]
    registration_number: Mapped[str | None] = mapped_column(String(50))
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def in_force(self, day: date) -> bool:
        if self.status not in ("registered", "withdrawn") or self.effective_from is None:
            return False
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)

    def covers(self, course_id: uuid.UUID, course_delivery: str) -> bool:
        """§3.9 excepts programs delivered only with ЭО/ДОТ."""
        if course_delivery == "distance_only":
            return False
        return self.course_ids is None or str(course_id) in self.course_ids
