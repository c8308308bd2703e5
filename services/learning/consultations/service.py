"""Rules of consultations (LE-9, Reg §2.4: online consultations on an approved schedule).

* A teacher proposes a slot for themself (``proposed``); an admin approves it
  (``approved``) and only then may students book it. A slot an admin creates is
  approved at once. The date, time and duration of an approved slot are changed by an
  admin; the teacher keeps the room, link, topic and capacity up to date.
* Online slots need an https room link, offline ones a room; capacity is at least 1 and
  never below the seats already taken.
* Students book themselves, guardians their linked children: one booking per student
  per slot, only while the slot is approved and has not started, and only for a slot
  of a course the student takes (or of no course). Seats are counted by a conditional
  UPDATE, so concurrent bookings never exceed the capacity. A booking is cancelled by
  the student or guardian until the slot starts.
* Who sees what: admin and staff every slot of the school; teachers the approved
  schedule and their own proposals; students and guardians the approved slots open to
  them. The bookings of a slot are read by its teacher, admin and staff.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError

from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Conflict, Forbidden, NotFound
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.consultations.repository import (
    BookingRepository,
    SlotFilter,
    SlotRepository,
    published_for_courses,
    published_or_own,
)
from services.learning.consultations.schemas import (
    EARLIEST,
    LATEST,
    BookingCreate,
    BookingRead,
    MyBooking,
    SlotCancel,
    SlotCreate,
    SlotRead,
    SlotUpdate,
)
from services.learning.models import ConsultationBooking, ConsultationSlot, Course

SLOT_NOT_FOUND = "Консультация не найдена"
MAX_RANGE_DAYS = 366


def slot_not_found() -> NotFound:
    return NotFound(SLOT_NOT_FOUND, code="consultation-not-found")


def booking_not_found() -> NotFound:
    return NotFound("Запись на консультацию не найдена", code="consultation-booking-not-found")


def local_instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


class ConsultationService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.principal = access.principal
        self.school_id = access.school_id
        self.slots = SlotRepository(self.session)
        self.bookings = BookingRepository(self.session)
        self._tz: ZoneInfo | None = None

    async def tz(self) -> ZoneInfo:
        if self._tz is None:
            self._tz = await self.access.directory.timezone(self.school_id)
        return self._tz

    # -- who may see and change a slot -----------------------------------------------

    def _manages(self, slot: ConsultationSlot) -> bool:
        p = self.principal
        return p.has("admin") or (p.has("teacher") and slot.teacher_id == p.user_id)

    async def _student_course_ids(self) -> set[uuid.UUID]:
        visible = await self.access.visible_students() or set()
        courses = await self.access.courses_of_students(visible)
        return {c.id for cs in courses.values() for c in cs}

    async def _visibility(self) -> ColumnElement[bool] | None:
        if self.access.is_staff:
            return None
        if self.access.is_teacher:
            return published_or_own(self.principal.user_id)
        return published_for_courses(await self._student_course_ids())

    async def _in_school(self, slot_id: uuid.UUID) -> ConsultationSlot:
        slot = await self.slots.get(slot_id, school_id=self.school_id)
        if slot is None:
            raise slot_not_found()
        return slot

    async def _readable(self, slot_id: uuid.UUID) -> ConsultationSlot:
        slot = await self._in_school(slot_id)
        if self.access.is_staff:
            return slot
        if self.access.is_teacher:
            if slot.approved_at is None and slot.teacher_id != self.principal.user_id:
                raise slot_not_found()
            return slot
        if slot.approved_at is None:
            raise slot_not_found()
        if slot.course_id is not None and slot.course_id not in await self._student_course_ids():
            raise slot_not_found()
        return slot

    async def _manageable(self, slot_id: uuid.UUID) -> ConsultationSlot:
        slot = await self._readable(slot_id)
        if not self._manages(slot):
            raise Forbidden(
                "Изменять консультацию могут её педагог и администратор",
                code="consultation-forbidden",
            )
        return slot

    # -- reading -----------------------------------------------------------------------

    async def _reads(self, slots: list[ConsultationSlot]) -> list[SlotRead]:
        """Constant number of queries whatever the number of slots."""
        people = await self.access.directory.people(self.school_id, {s.teacher_id for s in slots})
        subjects = await self.slots.course_subjects(
            self.school_id, {s.course_id for s in slots if s.course_id is not None}
        )
        mine: dict[uuid.UUID, list[MyBooking]] = {}
        visible = await self.access.visible_students()
        if visible:
            for b in await self.bookings.active_of_students(
                self.school_id, {s.id for s in slots}, visible
            ):
                mine.setdefault(b.slot_id, []).append(
                    MyBooking(booking_id=b.id, student_id=b.student_id)
                )
        now = utcnow()
        out = []
        for s in slots:
            teacher = people.get(s.teacher_id)
            ends = datetime.combine(s.date, s.starts_at) + timedelta(minutes=s.duration_minutes)
            out.append(
                SlotRead(
                    id=s.id,
                    teacher_id=s.teacher_id,
                    teacher_name=teacher.full_name if teacher is not None else None,
                    course_id=s.course_id,
                    course_subject=subjects.get(s.course_id) if s.course_id else None,
                    topic=s.topic,
                    date=s.date,
                    starts_at=s.starts_at,
                    ends_at=ends.time(),
                    starts_at_utc=s.starts_at_utc,
                    duration_minutes=s.duration_minutes,
                    format=s.format,  # type: ignore[arg-type]
                    room_url=s.room_url,
                    room=s.room,
                    capacity=s.capacity,
                    booked=s.booked,
                    seats_left=max(0, s.capacity - s.booked),
                    status=s.status,  # type: ignore[arg-type]
                    bookable=(
                        s.status == "approved" and s.starts_at_utc > now and s.booked < s.capacity
                    ),
                    notes=s.notes,
                    approved_by=s.approved_by,
                    approved_at=s.approved_at,
                    cancelled_at=s.cancelled_at,
                    cancel_reason=s.cancel_reason,
                    my_bookings=mine.get(s.id, []),
                )
            )
        return out

    async def _read(self, slot: ConsultationSlot) -> SlotRead:
        return (await self._reads([slot]))[0]

    async def list_slots(
        self,
        params: PageParams,
        *,
        date_from: date | None,
        date_to: date | None,
        teacher_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        status: str | None,
        booked_only: bool,
    ) -> tuple[list[SlotRead], dict[str, Any] | None]:
        tz = await self.tz()
        if date_from is None and date_to is None:
            date_from = await self.access.directory.today(self.school_id)
        for bound in (date_from, date_to):
            if bound is not None and not EARLIEST <= bound <= LATEST:
                raise BusinessRuleError(
                    "Дата периода вне допустимого диапазона (2000–2199 годы)",
                    code="invalid-date-range",
                )
        if date_from is not None and date_to is not None:
            if date_to < date_from:
                raise BusinessRuleError(
                    "Конец периода раньше его начала", code="invalid-date-range"
                )
            if (date_to - date_from).days > MAX_RANGE_DAYS:
                raise BusinessRuleError(
                    f"Период не может быть длиннее {MAX_RANGE_DAYS} дней",
                    code="date-range-too-long",
                )
        booked_by: set[uuid.UUID] | None = None
        if booked_only:
            visible = await self.access.visible_students()
            booked_by = visible if visible is not None else set()
        f = SlotFilter(
            starts_from=local_instant(date_from, time(0), tz) if date_from else None,
            starts_before=(
                local_instant(date_to + timedelta(days=1), time(0), tz) if date_to else None
            ),
            teacher_id=teacher_id,
            course_id=course_id,
            status=status,
            visible=await self._visibility(),
            booked_by_students=booked_by,
        )
        rows, cursor = await self.slots.page_of(self.school_id, f, params)
        return await self._reads(rows), cursor

    async def get(self, slot_id: uuid.UUID) -> SlotRead:
        return await self._read(await self._readable(slot_id))

    # -- the schedule --------------------------------------------------------------------

    async def _teacher(self, teacher_id: uuid.UUID) -> uuid.UUID:
        person = await self.access.directory.person(self.school_id, teacher_id)
        if person is None:
            raise NotFound("Педагог не найден", code="teacher-not-found")
        if not person.has_role("teacher") or not person.is_active:
            raise BusinessRuleError("Консультацию проводит педагог школы", code="not-a-teacher")
        return teacher_id

    async def _course_of(self, course_id: uuid.UUID, teacher_id: uuid.UUID) -> Course:
        # an admin: any course of the school; a teacher: only a course they teach (403)
        course = await self.access.course_for_write(course_id)
        self._teaches(course, teacher_id)
        return course

    @staticmethod
    def _teaches(course: Course, teacher_id: uuid.UUID) -> None:
        if teacher_id not in course.teacher_ids:
            raise BusinessRuleError(
                "Педагог консультации не ведёт этот курс", code="teacher-not-of-course"
            )

    def _future(self, at: datetime) -> None:
        if at <= utcnow():
            raise BusinessRuleError("Время консультации уже прошло", code="consultation-in-past")

    async def create(self, body: SlotCreate) -> SlotRead:
        self.access.require_writer()
        p = self.principal
        if self.access.is_admin:
            teacher_id = body.teacher_id or (p.user_id if p.has("teacher") else None)
            if teacher_id is None:
                raise BusinessRuleError(
                    "Укажите педагога, проводящего консультацию", code="teacher-required"
                )
        else:
            if body.teacher_id not in (None, p.user_id):
                raise Forbidden(
                    "Педагог предлагает консультации только от своего имени",
                    code="consultation-forbidden",
                )
            teacher_id = p.user_id
        course = None
        if body.course_id is not None:
            course = await self.access.course_for_write(body.course_id)
        await self._teacher(teacher_id)
        if course is not None:
            self._teaches(course, teacher_id)
        starts = local_instant(body.date, body.starts_at, await self.tz())
        self._future(starts)
        now = utcnow()
        approved = self.access.is_admin
        slot = ConsultationSlot(
            id=uuid.uuid4(),
            school_id=self.school_id,
            teacher_id=teacher_id,
            course_id=body.course_id,
            topic=body.topic,
            date=body.date,
            starts_at=body.starts_at,
            starts_at_utc=starts,
            duration_minutes=body.duration_minutes,
            format=body.format,
            room_url=body.room_url,
            room=body.room,
            capacity=body.capacity,
            booked=0,
            status="approved" if approved else "proposed",
            notes=body.notes,
            created_by=p.user_id,
            approved_by=p.user_id if approved else None,
            approved_at=now if approved else None,
        )
        await self.slots.add(slot)
        return await self._read(slot)

    def _open(self, slot: ConsultationSlot, action: str) -> None:
        if slot.status == "cancelled":
            raise BusinessRuleError("Консультация отменена", code="consultation-cancelled")
        if slot.starts_at_utc <= utcnow():
            raise BusinessRuleError(
                f"Консультация уже началась или прошла: {action} нельзя",
                code="consultation-started",
            )

    async def update(self, slot_id: uuid.UUID, body: SlotUpdate) -> SlotRead:
        slot = await self._manageable(slot_id)
        self._open(slot, "изменить её")
        changes = body.model_dump(exclude_unset=True)
        schedule = {"date", "starts_at", "duration_minutes"} & set(changes)
        schedule_changed = any(changes[k] != getattr(slot, k) for k in schedule)
        if schedule_changed and slot.status == "approved" and not self.access.is_admin:
            raise Forbidden(
                "Дату и время утверждённой консультации меняет администратор",
                code="consultation-schedule-approved",
            )
        if "course_id" in changes and changes["course_id"] != slot.course_id:
            if slot.booked > 0:
                raise BusinessRuleError(
                    "На консультацию уже записались: курс изменить нельзя",
                    code="consultation-has-bookings",
                )
            if changes["course_id"] is not None:
                await self._course_of(changes["course_id"], slot.teacher_id)
        capacity = changes.pop("capacity", None)
        for name, value in changes.items():
            setattr(slot, name, value)
        if slot.format == "online" and not slot.room_url:
            raise BusinessRuleError(
                "Для онлайн-консультации нужна ссылка на комнату (room_url)",
                code="consultation-place-missing",
            )
        if slot.format == "offline" and not slot.room:
            raise BusinessRuleError(
                "Для очной консультации нужен кабинет (room)", code="consultation-place-missing"
            )
        if schedule:
            slot.starts_at_utc = local_instant(slot.date, slot.starts_at, await self.tz())
            self._future(slot.starts_at_utc)
        await self.session.flush()
        if capacity is not None and not await self.slots.set_capacity(slot.id, capacity):
            raise BusinessRuleError(
                f"Мест не может быть меньше, чем уже записалось ({slot.booked})",
                code="capacity-below-bookings",
            )
        await self.slots.reload(slot)
        return await self._read(slot)

    async def approve(self, slot_id: uuid.UUID) -> SlotRead:
        if not self.access.is_admin:
            raise Forbidden("Утверждает расписание консультаций администратор")
        slot = await self._in_school(slot_id)
        if slot.status == "approved":
            return await self._read(slot)
        self._open(slot, "утвердить её")
        slot.status = "approved"
        slot.approved_by = self.principal.user_id
        slot.approved_at = utcnow()
        await self.session.flush()
        return await self._read(slot)

    async def cancel(self, slot_id: uuid.UUID, body: SlotCancel) -> SlotRead:
        slot = await self._manageable(slot_id)
        if slot.status == "cancelled":
            return await self._read(slot)
        self._open(slot, "отменить её")
        slot.status = "cancelled"
        slot.cancelled_at = utcnow()
        slot.cancel_reason = body.reason
        await self.session.flush()
        return await self._read(slot)

    # -- bookings ------------------------------------------------------------------------

    async def _booking_reads(self, rows: list[ConsultationBooking]) -> list[BookingRead]:
        people = await self.access.directory.people(self.school_id, {b.student_id for b in rows})
        out = []
        for b in rows:
            person = people.get(b.student_id)
            out.append(
                BookingRead(
                    id=b.id,
                    slot_id=b.slot_id,
                    student_id=b.student_id,
                    student_name=person.full_name if person is not None else None,
                    status=b.status,  # type: ignore[arg-type]
                    booked_by=b.booked_by,
                    booked_at=b.booked_at,
                    cancelled_by=b.cancelled_by,
                    cancelled_at=b.cancelled_at,
                )
            )
        return out

    async def list_bookings(self, slot_id: uuid.UUID) -> list[BookingRead]:
        slot = await self._readable(slot_id)
        if not (self.access.is_staff or self._manages(slot)):
            raise Forbidden(
                "Записи на консультацию видят её педагог и администрация",
                code="consultation-forbidden",
            )
        return await self._booking_reads(await self.bookings.of_slot(self.school_id, slot.id))

    def _require_booker(self) -> None:
        if not self.principal.has("student", "guardian"):
            raise Forbidden(
                "Записываются на консультации обучающиеся и родители (законные представители)",
                code="consultation-booking-forbidden",
            )

    async def book(self, slot_id: uuid.UUID, body: BookingCreate) -> BookingRead:
        self._require_booker()
        p = self.principal
        student_id = body.student_id
        if student_id is None:
            if not p.has("student"):
                raise BusinessRuleError(
                    "Укажите обучающегося (student_id)", code="student-required"
                )
            student_id = p.user_id
        await self.access.student(student_id)
        slot = await self._in_school(slot_id)
        await self._check_bookable(slot, student_id)
        if await self._active_booking(slot.id, student_id) is not None:
            raise self._already_booked()
        if not await self.slots.take_seat(slot.id):
            await self.slots.reload(slot)
            await self._check_bookable(slot, student_id)
            raise Conflict("Свободных мест на консультации нет", code="consultation-full")
        # the slot row is now locked by this transaction: the check below is final
        existing = await self.bookings.of_student(self.school_id, slot.id, student_id)
        now = utcnow()
        if existing is not None and existing.status == "booked":
            raise self._already_booked()
        if existing is not None:
            booking = existing
            booking.status = "booked"
            booking.booked_by = p.user_id
            booking.booked_at = now
            booking.cancelled_by = None
            booking.cancelled_at = None
        else:
            booking = ConsultationBooking(
                id=uuid.uuid4(),
                school_id=self.school_id,
                slot_id=slot.id,
                student_id=student_id,
                status="booked",
                booked_by=p.user_id,
                booked_at=now,
            )
            self.session.add(booking)
        try:
            await self.session.flush()
        except IntegrityError:
            raise self._already_booked() from None
        return (await self._booking_reads([booking]))[0]

    def _already_booked(self) -> Conflict:
        return Conflict(
            "Обучающийся уже записан на эту консультацию", code="consultation-already-booked"
        )

    async def _active_booking(
        self, slot_id: uuid.UUID, student_id: uuid.UUID
    ) -> ConsultationBooking | None:
        found = await self.bookings.of_student(self.school_id, slot_id, student_id)
        return found if found is not None and found.status == "booked" else None

    async def _check_bookable(self, slot: ConsultationSlot, student_id: uuid.UUID) -> None:
        if slot.status == "cancelled":
            raise BusinessRuleError("Консультация отменена", code="consultation-cancelled")
        if slot.status != "approved":
            raise BusinessRuleError(
                "Консультация ещё не утверждена администратором: записаться нельзя",
                code="consultation-not-approved",
            )
        if slot.course_id is not None:
            courses = await self.access.courses_of_students([student_id])
            if slot.course_id not in {c.id for c in courses.get(student_id, [])}:
                raise BusinessRuleError(
                    "Консультация проводится по курсу, который обучающийся не изучает",
                    code="consultation-course-not-taken",
                )
        if slot.starts_at_utc <= utcnow():
            raise BusinessRuleError(
                "Консультация уже началась или прошла: записаться нельзя",
                code="consultation-started",
            )

    async def cancel_booking(self, slot_id: uuid.UUID, booking_id: uuid.UUID) -> BookingRead:
        self._require_booker()
        booking = await self.bookings.get(booking_id, school_id=self.school_id)
        if booking is None or booking.slot_id != slot_id:
            raise booking_not_found()
        visible = await self.access.visible_students() or set()
        if booking.student_id not in visible:
            raise booking_not_found()
        if booking.status == "cancelled":
            return (await self._booking_reads([booking]))[0]
        slot = await self._in_school(slot_id)
        if slot.starts_at_utc <= utcnow():
            raise BusinessRuleError(
                "Отменить запись можно только до начала консультации",
                code="consultation-started",
            )
        booking.status = "cancelled"
        booking.cancelled_by = self.principal.user_id
        booking.cancelled_at = utcnow()
        await self.session.flush()
        await self.slots.free_seat(slot.id)
        return (await self._booking_reads([booking]))[0]
