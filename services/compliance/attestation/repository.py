"""All SQL of attestation procedures (CO-6, ID-8, X-7): every query scoped by school."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_, select, update

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.compliance.models import (
    AttestationCode,
    AttestationEvent,
    AttestationIdentification,
    AttestationIncident,
    AttestationInforming,
    AttestationViolation,
    timetable,
)

E = AttestationEvent


class EventRepository(Repository[AttestationEvent]):
    model = AttestationEvent

    async def page_visible(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        class_group_ids: set[uuid.UUID] | None,
        course_ids: set[uuid.UUID] | None,
        date_from: date | None,
        date_to: date | None,
        kind: str | None,
    ) -> tuple[list[AttestationEvent], dict[str, Any] | None]:
        """Events of the school; ``class_group_ids``/``course_ids`` (when not None) keep
        the whole-class events of those classes and the events of those courses."""
        stmt = self._scoped(school_id)
        if class_group_ids is not None or course_ids is not None:
            stmt = stmt.where(
                or_(
                    and_(E.course_id.is_(None), E.class_group_id.in_(class_group_ids or set())),
                    E.course_id.in_(course_ids or set()),
                )
            )
        if date_from is not None:
            stmt = stmt.where(E.held_on >= date_from)
        if date_to is not None:
            stmt = stmt.where(E.held_on <= date_to)
        if kind is not None:
            stmt = stmt.where(E.kind == kind)
        return await self.page(stmt, params)

    async def informings(
        self, school_id: uuid.UUID, event_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, list[AttestationInforming]]:
        ids = set(event_ids)
        out: dict[uuid.UUID, list[AttestationInforming]] = {i: [] for i in ids}
        if not ids:
            return out
        rows = await self.session.execute(
            select(AttestationInforming)
            .where(
                AttestationInforming.school_id == school_id,
                AttestationInforming.event_id.in_(ids),
            )
            .order_by(AttestationInforming.informed_on, AttestationInforming.id)
        )
        for row in rows.scalars():
            out[row.event_id].append(row)
        return out

    async def courses(self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Any]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = await self.session.execute(
            select(timetable.course).where(
                timetable.course.school_id == school_id, timetable.course.id.in_(wanted)
            )
        )
        return {c.id: c for c in rows.scalars()}

    async def courses_of_classes(
        self, school_id: uuid.UUID, class_group_ids: Iterable[uuid.UUID]
    ) -> list[Any]:
        wanted = set(class_group_ids)
        if not wanted:
            return []
        rows = await self.session.execute(
            select(timetable.course).where(
                timetable.course.school_id == school_id,
                timetable.course.class_group_id.in_(wanted),
            )
        )
        return list(rows.scalars())

    async def school_courses(self, school_id: uuid.UUID) -> list[Any]:
        rows = await self.session.execute(
            select(timetable.course).where(timetable.course.school_id == school_id)
        )
        return list(rows.scalars())

    async def latest_retake(self, school_id: uuid.UUID, event_id: uuid.UUID) -> date | None:
        rows = await self.session.execute(
            select(AttestationIncident.retake_on).where(
                AttestationIncident.school_id == school_id,
                AttestationIncident.event_id == event_id,
                AttestationIncident.outcome == "retake_scheduled",
                AttestationIncident.retake_on.is_not(None),
            )
        )
        dates = [d for d in rows.scalars() if d is not None]
        return max(dates) if dates else None


class CodeRepository(Repository[AttestationCode]):
    model = AttestationCode

    async def current(
        self, school_id: uuid.UUID, event_id: uuid.UUID, student_id: uuid.UUID
    ) -> AttestationCode | None:
        """The student's newest code for the event that was not replaced by another."""
        stmt = (
            self._scoped(school_id)
            .where(
                AttestationCode.event_id == event_id,
                AttestationCode.student_id == student_id,
                AttestationCode.revoked_at.is_(None),
            )
            .order_by(AttestationCode.issued_at.desc(), AttestationCode.id.desc())
            .limit(1)
        )
        result: AttestationCode | None = await self.first(stmt)
        return result

    async def revoke_open(
        self, school_id: uuid.UUID, event_id: uuid.UUID, student_id: uuid.UUID, now: datetime
    ) -> None:
        await self.session.execute(
            update(AttestationCode)
            .where(
                AttestationCode.school_id == school_id,
                AttestationCode.event_id == event_id,
                AttestationCode.student_id == student_id,
                AttestationCode.revoked_at.is_(None),
                AttestationCode.used_at.is_(None),
            )
            .values(revoked_at=now)
        )

    async def mark_used(self, code_id: uuid.UUID, now: datetime) -> bool:
        """Atomically spends an unused code; False when a concurrent request did first."""
        result = await self.session.execute(
            update(AttestationCode)
            .where(AttestationCode.id == code_id, AttestationCode.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def usable_for(
        self, school_id: uuid.UUID, event_id: uuid.UUID, now: datetime
    ) -> set[uuid.UUID]:
        """Students of the event holding a code they can still use."""
        rows = await self.session.execute(
            select(AttestationCode.student_id).where(
                AttestationCode.school_id == school_id,
                AttestationCode.event_id == event_id,
                AttestationCode.revoked_at.is_(None),
                AttestationCode.used_at.is_(None),
                AttestationCode.expires_at > now,
                AttestationCode.attempts < AttestationCode.max_attempts,
            )
        )
        return set(rows.scalars())


class IdentificationRepository(Repository[AttestationIdentification]):
    model = AttestationIdentification

    async def of_event(
        self, school_id: uuid.UUID, event_id: uuid.UUID, student_ids: set[uuid.UUID] | None
    ) -> list[AttestationIdentification]:
        stmt = self._scoped(school_id).where(AttestationIdentification.event_id == event_id)
        if student_ids is not None:
            stmt = stmt.where(AttestationIdentification.student_id.in_(student_ids))
        return list(
            await self.all(
                stmt.order_by(AttestationIdentification.identified_at, AttestationIdentification.id)
            )
        )

    async def proof_used(self, proof_id: str) -> bool:
        rows = await self.session.execute(
            select(AttestationIdentification.id).where(
                AttestationIdentification.proof_id == proof_id
            )
        )
        return rows.first() is not None


class ViolationRepository(Repository[AttestationViolation]):
    model = AttestationViolation

    async def of_event(
        self, school_id: uuid.UUID, event_id: uuid.UUID
    ) -> list[AttestationViolation]:
        stmt = (
            self._scoped(school_id)
            .where(AttestationViolation.event_id == event_id)
            .order_by(AttestationViolation.occurred_at, AttestationViolation.id)
        )
        return list(await self.all(stmt))


class IncidentRepository(Repository[AttestationIncident]):
    model = AttestationIncident

    async def of_event(
        self, school_id: uuid.UUID, event_id: uuid.UUID
    ) -> list[AttestationIncident]:
        stmt = (
            self._scoped(school_id)
            .where(AttestationIncident.event_id == event_id)
            .order_by(AttestationIncident.occurred_at, AttestationIncident.id)
        )
        return list(await self.all(stmt))
