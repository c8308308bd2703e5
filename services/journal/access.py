"""Who may see and change what in the journal (X-7): one place for the rules.

* admin: everything of the school; staff: reads everything of the school;
* teacher: writes only in courses they teach (or the lesson they substitute); reads the
  courses they teach, and every subject of the class they are homeroom teacher of
  (классный руководитель);
* student: own data; guardian: linked children's;
* another school's objects, and another child's, are "not found" (404).
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import CurrentPrincipal, Principal
from services.common.db import SessionDep
from services.common.directory import Directory
from services.common.errors import Forbidden, NotFound
from services.journal.models import directory, timetable

COURSE_NOT_FOUND = "Курс не найден"
LESSON_NOT_FOUND = "Урок не найден"
STUDENT_NOT_FOUND = "Обучающийся не найден"


class Access:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.school_id = principal.school_id
        self.user_id = principal.user_id
        self.directory = Directory(session, directory)
        self._children: set[uuid.UUID] | None = None
        self._homeroom: set[uuid.UUID] | None = None

    @property
    def is_admin(self) -> bool:
        return self.principal.has("admin")

    @property
    def is_staff(self) -> bool:
        return self.principal.has("admin", "staff")

    @property
    def is_teacher(self) -> bool:
        return self.principal.has("teacher")

    async def children(self) -> set[uuid.UUID]:
        if self._children is None:
            self._children = (
                await self.directory.children_of(self.school_id, self.user_id)
                if self.principal.has("guardian")
                else set()
            )
        return self._children

    async def homeroom_groups(self) -> set[uuid.UUID]:
        if self._homeroom is None:
            self._homeroom = (
                await self.directory.homeroom_groups(self.school_id, self.user_id)
                if self.is_teacher
                else set()
            )
        return self._homeroom

    # -- courses and lessons ---------------------------------------------------------

    async def _course(self, course_id: uuid.UUID) -> Any:
        course = await self.session.get(timetable.course, course_id)
        if course is None or course.school_id != self.school_id:
            raise NotFound(COURSE_NOT_FOUND, code="course-not-found")
        return course

    def teaches(self, course: Any) -> bool:
        return bool(course.taught_by(self.user_id))

    async def course_students(self, course: Any) -> set[uuid.UUID]:
        if course.student_ids is not None:
            return {uuid.UUID(s) for s in course.student_ids}
        return await self.directory.students_of(self.school_id, [course.class_group_id])

    async def course_for_read(self, course_id: uuid.UUID) -> Any:
        """Staff and admins; the course's teachers; the class's homeroom teacher;
        students taking it and their guardians. Anyone else: 404."""
        course = await self._course(course_id)
        if self.is_staff or self.teaches(course):
            return course
        if course.class_group_id in await self.homeroom_groups():
            return course
        mine = {self.user_id} | await self.children()
        if mine & await self.course_students(course):
            return course
        if self.is_teacher:
            raise Forbidden("Журнал курса доступен его педагогам и классному руководителю")
        raise NotFound(COURSE_NOT_FOUND, code="course-not-found")

    async def course_for_write(self, course_id: uuid.UUID) -> Any:
        """An admin, or a teacher of the course (else 403; another school's 404)."""
        course = await self._course(course_id)
        if self.is_admin or (self.is_teacher and self.teaches(course)):
            return course
        raise Forbidden("Вносить записи в журнал курса могут только его педагоги")

    async def lesson(self, lesson_id: uuid.UUID) -> Any:
        lesson = await self.session.get(timetable.lesson, lesson_id)
        if lesson is None or lesson.school_id != self.school_id:
            raise NotFound(LESSON_NOT_FOUND, code="lesson-not-found")
        return lesson

    async def lesson_for_write(self, lesson_id: uuid.UUID) -> tuple[Any, Any]:
        """A lesson and its course the caller may write in: an admin, a teacher of the
        course, or the lesson's substitute teacher."""
        lesson = await self.lesson(lesson_id)
        course = await self._course(lesson.course_id)
        if self.is_admin or (
            self.is_teacher and (self.teaches(course) or lesson.teacher_id == self.user_id)
        ):
            return lesson, course
        raise Forbidden("Вносить записи об уроке могут только его педагоги")

    # -- students --------------------------------------------------------------------

    async def student_for_read(self, student_id: uuid.UUID) -> Any:
        """A student whose journal data the caller may read, else 404 (teachers: any
        student of the school — what they see of them is limited per course)."""
        person = await self.directory.person(self.school_id, student_id)
        if person is None or not person.has_role("student"):
            raise NotFound(STUDENT_NOT_FOUND, code="student-not-found")
        if self.is_staff or self.is_teacher:
            return person
        if student_id == self.user_id or student_id in await self.children():
            return person
        raise NotFound(STUDENT_NOT_FOUND, code="student-not-found")

    async def sees_every_subject_of(self, student_id: uuid.UUID) -> bool:
        """Staff, the student, their guardians, and their homeroom teacher."""
        if self.is_staff or student_id == self.user_id or student_id in await self.children():
            return True
        groups = await self.directory.groups_of_student(self.school_id, student_id)
        return bool(groups & await self.homeroom_groups())


async def get_access(session: SessionDep, principal: CurrentPrincipal) -> Access:
    return Access(session, principal)


AccessDep = Annotated[Access, Depends(get_access)]
