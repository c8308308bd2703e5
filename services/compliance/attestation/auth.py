"""Who may do what with attestation events (CO-6, ID-8, X-7).

* events are created and changed by the school's administration (admin, staff);
* an event is read by the administration, by its teachers (of its course, or for a
  whole-class event the homeroom teacher and the teachers of the class's courses), by
  its students and their guardians; anyone else of the school gets 404, another
  school's event is 404;
* the teachers of an event and the administration issue one-time codes, record
  proctor checks, violations, incidents and how students were informed; a student or
  guardian who sees the event gets 403;
* a student identifies themself (password re-entry, one-time code); identifications
  are read by the teachers and administration, a student sees their own, a guardian
  their children's;
* service tokens are refused everywhere here.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.directory import Directory
from services.common.errors import Forbidden, NotFound
from services.compliance.attestation.repository import EventRepository
from services.compliance.models import AttestationEvent, directory

EVENT_NOT_FOUND = "Аттестационное мероприятие не найдено"


def event_not_found() -> NotFound:
    return NotFound(EVENT_NOT_FOUND, code="attestation-event-not-found")


class EventAccess:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.school_id = principal.school_id
        self.directory = Directory(session, directory)
        self.events = EventRepository(session)
        self._participants: dict[uuid.UUID, set[uuid.UUID]] = {}

    @property
    def is_administration(self) -> bool:
        return self.principal.has("admin", "staff")

    def require_administration(self) -> None:
        if not self.is_administration:
            raise Forbidden(
                "Аттестационные мероприятия ведёт администрация школы",
                code="attestation-admin-only",
            )

    async def course(self, event: AttestationEvent) -> Any | None:
        if event.course_id is None:
            return None
        return (await self.events.courses(self.school_id, [event.course_id])).get(event.course_id)

    async def teaches(self, event: AttestationEvent) -> bool:
        """The caller teaches the event: its course, or (whole-class event) the class as
        its homeroom teacher or a teacher of one of its courses."""
        if not self.principal.has("teacher"):
            return False
        me = self.principal.user_id
        if event.course_id is not None:
            course = await self.course(event)
            return course is not None and course.taught_by(me)
        group = await self.directory.class_group(self.school_id, event.class_group_id)
        if group is not None and group.homeroom_teacher_id == me:
            return True
        courses = await self.events.courses_of_classes(self.school_id, [event.class_group_id])
        return any(c.taught_by(me) for c in courses)

    async def participants(self, event: AttestationEvent) -> set[uuid.UUID]:
        """The students the event is for: a sub-group course's listed students, else
        the members of the class."""
        cached = self._participants.get(event.id)
        if cached is not None:
            return cached
        course = await self.course(event)
        if course is not None and course.student_ids:
            found = {uuid.UUID(s) for s in course.student_ids}
        else:
            found = await self.directory.students_of(self.school_id, [event.class_group_id])
        self._participants[event.id] = found
        return found

    async def visible_students(self) -> set[uuid.UUID] | None:
        """None for staff-level readers; the student themself; a guardian's children."""
        if self.is_administration or self.principal.has("teacher"):
            return None
        seen: set[uuid.UUID] = set()
        if self.principal.has("student"):
            seen.add(self.principal.user_id)
        if self.principal.has("guardian"):
            seen |= await self.directory.children_of(self.school_id, self.principal.user_id)
        return seen

    async def load(self, event_id: uuid.UUID) -> AttestationEvent:
        event = await self.events.get(event_id, school_id=self.school_id)
        if event is None:
            raise event_not_found()
        return event

    async def readable(self, event_id: uuid.UUID) -> AttestationEvent:
        event = await self.load(event_id)
        if self.is_administration or await self.teaches(event):
            return event
        visible = await self.visible_students()
        if visible and visible & await self.participants(event):
            return event
        raise event_not_found()

    async def examiner(self, event_id: uuid.UUID) -> AttestationEvent:
        """An event the caller conducts: its teachers and the administration (403 for a
        student or guardian who sees it, 404 for anyone else)."""
        event = await self.readable(event_id)
        if self.is_administration or await self.teaches(event):
            return event
        raise Forbidden(
            "Это действие доступно педагогам мероприятия и администрации",
            code="attestation-examiner-only",
        )

    async def writable(self, event_id: uuid.UUID) -> AttestationEvent:
        self.require_administration()
        return await self.load(event_id)

    async def reader_scope(self) -> tuple[set[uuid.UUID] | None, set[uuid.UUID] | None]:
        """For lists: (class group ids, course ids) the caller sees; (None, None): all."""
        if self.is_administration:
            return None, None
        me = self.principal.user_id
        if self.principal.has("teacher"):
            courses = await self.events.school_courses(self.school_id)
            mine = {c.id for c in courses if c.taught_by(me)}
            classes = {c.class_group_id for c in courses if c.taught_by(me)}
            classes |= await self.directory.homeroom_groups(self.school_id, me)
            # a course's event is seen by its teachers only; a class event by the class's
            return classes, mine
        students = await self.visible_students() or set()
        classes = set()
        for student in students:
            classes |= await self.directory.groups_of_student(self.school_id, student)
        courses = await self.events.courses_of_classes(self.school_id, classes)
        student_ids = {str(s) for s in students}
        mine = {
            c.id for c in courses if not c.student_ids or student_ids & set(c.student_ids or [])
        }
        return classes, mine
