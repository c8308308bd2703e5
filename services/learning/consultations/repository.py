"""All SQL of consultations and bookings (LE-9, X-7: every query scoped by school)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, false, or_, select, update
from sqlalchemy.sql.expression import Select

from services.common.errors import BadRequest
from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.models import ConsultationBooking, ConsultationSlot, Course


def bad_cursor() -> BadRequest:
    return BadRequest("Курсор повреждён или не распознан", code="invalid-cursor")


class SlotFilter:
    """Which slots a list returns (built by the service from the caller's rights)."""

    def __init__(
        self,
        *,
        starts_from: datetime | None = None,
        starts_before: datetime | None = None,
        teacher_id: uuid.UUID | None = None,
        course_id: uuid.UUID | None = None,
        status: str | None = None,
        visible: ColumnElement[bool] | None = None,
        booked_by_students: set[uuid.UUID] | None = None,
    ) -> None:
        self.starts_from = starts_from
        self.starts_before = starts_before
        self.teacher_id = teacher_id
        self.course_id = course_id
        self.status = status
        self.visible = visible
        self.booked_by_students = booked_by_students


def published_for_courses(course_ids: set[uuid.UUID]) -> ColumnElement[bool]:
    """Approved (now or before a cancellation) slots open to anyone or of these courses."""
    course_clause: ColumnElement[bool] = ConsultationSlot.course_id.is_(None)
    if course_ids:
        course_clause = or_(course_clause, ConsultationSlot.course_id.in_(course_ids))
    return and_(ConsultationSlot.approved_at.is_not(None), course_clause)


def published_or_own(teacher_id: uuid.UUID) -> ColumnElement[bool]:
    return or_(ConsultationSlot.approved_at.is_not(None), ConsultationSlot.teacher_id == teacher_id)


class SlotRepository(Repository[ConsultationSlot]):
    model = ConsultationSlot

    async def page_of(
        self, school_id: uuid.UUID, f: SlotFilter, params: PageParams
    ) -> tuple[list[ConsultationSlot], dict[str, Any] | None]:
        """Keyset page in order of start (then id)."""
        stmt: Select[Any] = self._scoped(school_id)
        if f.starts_from is not None:
            stmt = stmt.where(ConsultationSlot.starts_at_utc >= f.starts_from)
        if f.starts_before is not None:
            stmt = stmt.where(ConsultationSlot.starts_at_utc < f.starts_before)
        if f.teacher_id is not None:
            stmt = stmt.where(ConsultationSlot.teacher_id == f.teacher_id)
        if f.course_id is not None:
            stmt = stmt.where(ConsultationSlot.course_id == f.course_id)
        if f.status is not None:
            stmt = stmt.where(ConsultationSlot.status == f.status)
        if f.visible is not None:
            stmt = stmt.where(f.visible)
        if f.booked_by_students is not None:
            if not f.booked_by_students:
                stmt = stmt.where(false())
            else:
                booked = select(ConsultationBooking.slot_id).where(
                    ConsultationBooking.school_id == school_id,
                    ConsultationBooking.student_id.in_(f.booked_by_students),
                    ConsultationBooking.status == "booked",
                )
                stmt = stmt.where(ConsultationSlot.id.in_(booked))
        after = params.after()
        if after is not None:
            try:
                last_at = datetime.fromisoformat(str(after["t"]))
                last_id = uuid.UUID(str(after["id"]))
            except (KeyError, ValueError, TypeError):
                raise bad_cursor() from None
            if last_at.tzinfo is None:
                raise bad_cursor()
            stmt = stmt.where(
                or_(
                    ConsultationSlot.starts_at_utc > last_at,
                    and_(ConsultationSlot.starts_at_utc == last_at, ConsultationSlot.id > last_id),
                )
            )
        stmt = stmt.order_by(ConsultationSlot.starts_at_utc, ConsultationSlot.id)
        rows: list[ConsultationSlot] = await self.all(stmt.limit(params.limit + 1))
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            last = rows[-1]
            return rows, {"t": last.starts_at_utc.isoformat(), "id": str(last.id)}
        return rows, None

    async def take_seat(self, slot_id: uuid.UUID) -> bool:
        """Count one more booking if a seat is free and the slot is approved.

        One conditional UPDATE: concurrent bookings of the last seat serialise on the
        row (PostgreSQL re-checks the condition after the other commits; SQLite has
        one writer), so exactly one of them succeeds.
        """
        result = await self.session.execute(
            update(ConsultationSlot)
            .where(
                ConsultationSlot.id == slot_id,
                ConsultationSlot.status == "approved",
                ConsultationSlot.booked < ConsultationSlot.capacity,
            )
            .values(booked=ConsultationSlot.booked + 1)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def free_seat(self, slot_id: uuid.UUID) -> None:
        await self.session.execute(
            update(ConsultationSlot)
            .where(ConsultationSlot.id == slot_id, ConsultationSlot.booked > 0)
            .values(booked=ConsultationSlot.booked - 1)
            .execution_options(synchronize_session=False)
        )

    async def set_capacity(self, slot_id: uuid.UUID, capacity: int) -> bool:
        """Change the capacity unless more seats are already booked."""
        result = await self.session.execute(
            update(ConsultationSlot)
            .where(ConsultationSlot.id == slot_id, ConsultationSlot.booked <= capacity)
            .values(capacity=capacity)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def reload(self, slot: ConsultationSlot) -> None:
        await self.session.refresh(slot)

    async def course_subjects(
        self, school_id: uuid.UUID, course_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, str]:
        if not course_ids:
            return {}
        rows = await self.session.execute(
            select(Course.id, Course.subject).where(
                Course.school_id == school_id, Course.id.in_(course_ids)
            )
        )
        return {row[0]: row[1] for row in rows}


class BookingRepository(Repository[ConsultationBooking]):
    model = ConsultationBooking

    async def of_slot(self, school_id: uuid.UUID, slot_id: uuid.UUID) -> list[ConsultationBooking]:
        stmt = (
            self._scoped(school_id)
            .where(ConsultationBooking.slot_id == slot_id)
            .order_by(ConsultationBooking.booked_at, ConsultationBooking.id)
        )
        return list(await self.all(stmt))

    async def of_student(
        self, school_id: uuid.UUID, slot_id: uuid.UUID, student_id: uuid.UUID
    ) -> ConsultationBooking | None:
        stmt = self._scoped(school_id).where(
            ConsultationBooking.slot_id == slot_id, ConsultationBooking.student_id == student_id
        )
        found: ConsultationBooking | None = await self.first(
            stmt.execution_options(populate_existing=True)
        )
        return found

    async def active_of_students(
        self, school_id: uuid.UUID, slot_ids: set[uuid.UUID], student_ids: set[uuid.UUID]
    ) -> list[ConsultationBooking]:
        if not slot_ids or not student_ids:
            return []
        stmt = self._scoped(school_id).where(
            ConsultationBooking.slot_id.in_(slot_ids),
            ConsultationBooking.student_id.in_(student_ids),
            ConsultationBooking.status == "booked",
        )
        return list(await self.all(stmt))
