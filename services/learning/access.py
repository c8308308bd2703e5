"""Who may see and change what in learning (X-7): one place for the rules.

* admin, staff: everything of their school (staff read only);
* teacher: reads the school's courses; writes only in courses they teach (or a lesson
  they substitute);
* student: the courses of their class groups (a sub-group course only if listed);
* guardian: what their linked children see;
* another school's objects, and another child's, are "not found" (404).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Annotated

from fastapi import Depends
from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from services.common.auth import CurrentPrincipal, Principal
from services.common.db import SessionDep
from services.common.directory import Directory
from services.common.errors import Forbidden, NotFound
from services.learning.models import Course, CourseStudent, CourseTeacher, directory

COURSE_NOT_FOUND = "Курс не найден"
STUDENT_NOT_FOUND = "Обучающийся не найден"


class Access:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.school_id = principal.school_id
        self.directory = Directory(session, directory)
        self._visible: set[uuid.UUID] | None = None
        self._visible_loaded = False

    # -- who the caller is ---------------------------------------------------------

    @property
    def is_admin(self) -> bool:
        return self.principal.has("admin")

    @property
    def is_staff(self) -> bool:
        return self.principal.has("admin", "staff")

    @property
    def is_teacher(self) -> bool:
        return self.principal.has("teacher")

    def require_writer(self) -> None:
        """Writes in learning are for teachers and admins (403 for anyone else)."""
        if not self.principal.has("teacher", "admin"):
            raise Forbidden("Действие доступно только педагогам и администраторам")

    # -- students the caller may see -----------------------------------------------

    async def visible_students(self) -> set[uuid.UUID] | None:
        """The students whose data the caller may read; ``None``: every student of the
        school (staff, admins and teachers)."""
        if not self._visible_loaded:
            p = self.principal
            if p.has("admin", "staff", "teacher"):
                self._visible = None
            else:
                ids: set[uuid.UUID] = set()
                if p.has("student"):
                    ids.add(p.user_id)
                if p.has("guardian"):
                    ids |= await self.directory.children_of(self.school_id, p.user_id)
                self._visible = ids
            self._visible_loaded = True
        return self._visible

    async def student(self, student_id: uuid.UUID) -> uuid.UUID:
        """A student the caller may read, else 404."""
        visible = await self.visible_students()
        if visible is not None and student_id not in visible:
            raise NotFound(STUDENT_NOT_FOUND, code="student-not-found")
        person = await self.directory.person(self.school_id, student_id)
        if person is None or not person.has_role("student"):
            raise NotFound(STUDENT_NOT_FOUND, code="student-not-found")
        return student_id

    # -- courses -------------------------------------------------------------------

    async def _load(self, course_id: uuid.UUID) -> Course:
        course = await self.session.get(Course, course_id)
        if course is None or course.school_id != self.school_id:
            raise NotFound(COURSE_NOT_FOUND, code="course-not-found")
        return course

    async def course(self, course_id: uuid.UUID) -> Course:
        """A course the caller may read, else 404."""
        course = await self._load(course_id)
        visible = await self.visible_students()
        if visible is None:
            return course
        enrolled = await self.course_students(course)
        if not enrolled & visible:
            raise NotFound(COURSE_NOT_FOUND, code="course-not-found")
        return course

    def teaches(self, course: Course) -> bool:
        return self.principal.user_id in course.teacher_ids

    async def course_for_write(self, course_id: uuid.UUID) -> Course:
        """A course the caller may change: an admin, or one of its teachers (else 403;
        another school's course is 404)."""
        course = await self._load(course_id)
        if self.is_admin or (self.is_teacher and self.teaches(course)):
            return course
        raise Forbidden("Изменять курс могут только его педагоги и администратор")

    async def course_students(self, course: Course) -> set[uuid.UUID]:
        """The students who take a course: the listed ones of a sub-group, else the class."""
        if course.subgroup:
            return set(course.student_ids)
        return await self.directory.students_of(self.school_id, [course.class_group_id])

    async def courses_of_students(
        self, student_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, list[Course]]:
        """Each student's courses, in two queries whatever the number of students."""
        students = set(student_ids)
        result: dict[uuid.UUID, list[Course]] = {s: [] for s in students}
        if not students:
            return result
        m = directory.membership
        memberships = (
            await self.session.execute(
                select(m.student_id, m.class_group_id).where(
                    m.school_id == self.school_id, m.student_id.in_(students)
                )
            )
        ).all()
        groups: dict[uuid.UUID, set[uuid.UUID]] = {}
        for student_id, group_id in memberships:
            groups.setdefault(group_id, set()).add(student_id)
        listed = select(CourseStudent.course_id).where(CourseStudent.student_id.in_(students))
        courses = (
            (
                await self.session.execute(
                    select(Course)
                    .where(
                        Course.school_id == self.school_id,
                        or_(Course.class_group_id.in_(list(groups)), Course.id.in_(listed)),
                    )
                    .options(selectinload(Course.teachers), selectinload(Course.students))
                )
            )
            .scalars()
            .all()
        )
        for course in courses:
            if course.subgroup:
                takers = set(course.student_ids) & students
            else:
                takers = groups.get(course.class_group_id, set())
            for student_id in takers:
                result[student_id].append(course)
        return result

    async def teacher_course_ids(self, teacher_id: uuid.UUID) -> set[uuid.UUID]:
        rows = await self.session.execute(
            select(CourseTeacher.course_id).where(
                CourseTeacher.school_id == self.school_id, CourseTeacher.teacher_id == teacher_id
            )
        )
        return set(rows.scalars())


async def get_access(session: SessionDep, principal: CurrentPrincipal) -> Access:
    return Access(session, principal)


AccessDep = Annotated[Access, Depends(get_access)]
