"""Rules of courses' external ids (ID-9).

One id per course and system; within a school a system's value names one course, so
lookup is unambiguous and never crosses schools. Setting or removing an id is for
admins (another school's course is 404, a same-school non-admin 403) and emits
``course.updated`` with the course's ``external_ids``, so the replicas in the journal
and compliance key their exports by them.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError

from services.common.errors import Conflict, Forbidden, NotFound
from services.learning.access import Access
from services.learning.courses.schemas import CourseRead
from services.learning.courses.service import CourseService
from services.learning.events import COURSE_UPDATED, emit_course_event
from services.learning.external_ids.repository import CourseExternalIdRepository
from services.learning.external_ids.schemas import ExternalIdRead
from services.learning.models import Course, CourseExternalId


def not_found() -> NotFound:
    return NotFound("Внешний идентификатор не найден", code="external-id-not-found")


def external_read(row: CourseExternalId) -> ExternalIdRead:
    return ExternalIdRead(
        entity_type="course",
        entity_id=row.course_id,
        system=row.system,  # type: ignore[arg-type]
        value=row.value,
    )


class CourseExternalIdService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id
        self.ids = CourseExternalIdRepository(access.session)
        self.courses = CourseService(access)

    async def _course(self, course_id: uuid.UUID) -> Course:
        course = await self.access.course_for_write(course_id)  # 404 outside the school
        if not self.access.is_admin:
            raise Forbidden("Внешние идентификаторы курсов задаёт администратор")
        return course

    async def _changed(self, course: Course) -> None:
        group = await self.access.directory.class_group(self.school_id, course.class_group_id)
        await emit_course_event(
            self.session, COURSE_UPDATED, course, group.name if group is not None else None
        )

    async def put(self, course_id: uuid.UUID, system: str, value: str) -> ExternalIdRead:
        course = await self._course(course_id)
        holder = await self.ids.by_value(self.school_id, system, value)
        if holder is not None and holder.course_id != course.id:
            raise Conflict(
                "Этот внешний идентификатор уже закреплён за другим курсом школы",
                code="external-id-taken",
            )
        row = await self.ids.of_course(self.school_id, course.id, system)
        if row is None:
            row = CourseExternalId(
                id=uuid.uuid4(),
                school_id=self.school_id,
                course_id=course.id,
                system=system,
                value=value,
            )
            self.session.add(row)
        else:
            row.value = value
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(
                "Этот внешний идентификатор уже закреплён за другим курсом",
                code="external-id-taken",
            ) from None
        await self._changed(course)
        return external_read(row)

    async def delete(self, course_id: uuid.UUID, system: str) -> None:
        course = await self._course(course_id)
        row = await self.ids.of_course(self.school_id, course.id, system)
        if row is None:
            raise not_found()
        await self.ids.delete(row)
        await self._changed(course)

    async def lookup(self, system: str, value: str) -> CourseRead:
        row = await self.ids.by_value(self.school_id, system, value)
        if row is None:
            raise not_found()
        try:
            return await self.courses.get(row.course_id)
        except NotFound:
            raise not_found() from None
