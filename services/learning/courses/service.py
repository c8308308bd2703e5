"""Rules of courses (LE-1; §1.7, §4.1, §4.7).

* a course is a subject taught to a class group of the school, or to a named sub-group
  of it, by one or more teachers of the school; its academic year is the class group's
  year and its level follows from the grade (1–4 primary, 5–9 basic, 10–11 secondary);
* admins create courses for anyone; a teacher creates a course only as one of its
  teachers; a course is changed by an admin or one of its teachers;
* one subject (and sub-group) per class and year: a second one is a conflict;
* an archived course is read-only (its plan and timetable included) until restored.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.directory import level_of
from services.common.errors import BusinessRuleError, Conflict, Forbidden
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.courses.repository import CourseRepository
from services.learning.courses.schemas import CourseCreate, CourseRead, CourseUpdate, PersonRef
from services.learning.events import COURSE_CREATED, COURSE_UPDATED, emit_course_event
from services.learning.models import Course, CourseStudent, CourseTeacher


def course_archived() -> Conflict:
    return Conflict(
        "Курс в архиве: изменения недоступны, пока его не вернут из архива",
        code="course-archived",
    )


async def writable_course(access: Access, course_id: uuid.UUID) -> Course:
    """A course the caller may change and that is not archived (404 / 403 / 409)."""
    course = await access.course_for_write(course_id)
    if course.is_archived:
        raise course_archived()
    return course


def person_name(person: Any | None) -> str:
    return str(person.full_name) if person is not None else ""


class CourseService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session: AsyncSession = access.session
        self.school_id = access.school_id
        self.courses = CourseRepository(access.session)

    # -- reading -------------------------------------------------------------------

    async def reads(self, courses: Sequence[Course]) -> list[CourseRead]:
        """Course views with class names and teacher names (two queries for any number)."""
        groups = await self.courses.class_groups(
            self.school_id, {c.class_group_id for c in courses}
        )
        people = await self.access.directory.people(
            self.school_id, {t for c in courses for t in c.teacher_ids}
        )
        externals = await self.courses.external_ids(self.school_id, [c.id for c in courses])
        out = []
        for c in courses:
            group = groups.get(c.class_group_id)
            out.append(
                CourseRead(
                    id=c.id,
                    subject=c.subject,
                    class_group_id=c.class_group_id,
                    class_name=group.name if group is not None else None,
                    grade=c.grade,
                    level=level_of(c.grade),  # type: ignore[arg-type]
                    subgroup=c.subgroup,
                    student_ids=c.student_ids if c.subgroup else None,
                    teachers=[
                        PersonRef(id=t, name=person_name(people.get(t))) for t in c.teacher_ids
                    ],
                    academic_year_id=c.academic_year_id,
                    delivery=c.delivery,  # type: ignore[arg-type]
                    work_program_title=c.work_program_title,
                    work_program_url=c.work_program_url,
                    hours_per_week=(
                        float(c.hours_per_week) if c.hours_per_week is not None else None
                    ),
                    is_archived=c.is_archived,
                    external_ids=externals.get(c.id, {}),
                    created_at=c.created_at,
                    updated_at=c.updated_at,
                )
            )
        return out

    async def list_courses(
        self,
        params: PageParams,
        *,
        class_group_id: uuid.UUID | None,
        teacher_id: uuid.UUID | None,
        academic_year_id: uuid.UUID | None,
        student_id: uuid.UUID | None,
        archived: bool | None,
    ) -> tuple[list[CourseRead], dict[str, Any] | None]:
        only: set[uuid.UUID] | None = None
        if student_id is not None:
            await self.access.student(student_id)
            students: set[uuid.UUID] | None = {student_id}
        else:
            students = await self.access.visible_students()
        if students is not None:
            by_student = await self.access.courses_of_students(students)
            only = {c.id for cs in by_student.values() for c in cs}
        rows, cursor = await self.courses.page_in_school(
            self.school_id,
            params,
            class_group_id=class_group_id,
            teacher_id=teacher_id,
            academic_year_id=academic_year_id,
            archived=archived,
            only_ids=only,
        )
        return await self.reads(rows), cursor

    async def get(self, course_id: uuid.UUID) -> CourseRead:
        return (await self.reads([await self.access.course(course_id)]))[0]

    # -- checks against the directory replica ---------------------------------------

    async def _class_group(self, group_id: uuid.UUID) -> Any:
        group = await self.access.directory.class_group(self.school_id, group_id)
        if group is None:
            raise BusinessRuleError("Класс не найден в этой школе", code="class-group-not-found")
        if group.academic_year_id is None:
            raise BusinessRuleError(
                f"У класса {group.name} не указан учебный год", code="class-group-without-year"
            )
        return group

    async def _check_teachers(self, teacher_ids: Sequence[uuid.UUID]) -> None:
        people = await self.access.directory.people(self.school_id, teacher_ids)
        bad = [
            t
            for t in teacher_ids
            if t not in people or not people[t].has_role("teacher") or not people[t].is_active
        ]
        if bad:
            raise BusinessRuleError(
                "Педагогами курса могут быть только действующие педагоги этой школы: "
                + ", ".join(str(t) for t in bad),
                code="not-a-teacher",
            )

    async def _check_students(self, group: Any, student_ids: Sequence[uuid.UUID]) -> None:
        members = await self.courses.members_of(self.school_id, group.id)
        bad = [s for s in student_ids if s not in members]
        if bad:
            raise BusinessRuleError(
                f"В подгруппу можно включить только обучающихся класса {group.name}: "
                + ", ".join(str(s) for s in bad),
                code="student-not-in-class",
            )

    async def _unique(
        self,
        school_id: uuid.UUID,
        group: Any,
        subject: str,
        subgroup: str | None,
        exclude: uuid.UUID | None,
    ) -> None:
        def key(subj: str, sub: str | None) -> tuple[str, str]:
            return (subj.strip().casefold(), (sub or "").strip().casefold())

        wanted = key(subject, subgroup)
        for other in await self.courses.of_class_in_year(
            school_id, group.id, group.academic_year_id
        ):
            if other.id != exclude and key(other.subject, other.subgroup) == wanted:
                where = f", подгруппа «{subgroup}»" if subgroup else ""
                raise Conflict(
                    f"Курс «{subject}» для класса {group.name}{where} в этом учебном году уже есть",
                    code="course-exists",
                )

    # -- changes -------------------------------------------------------------------

    @staticmethod
    def _set_teachers(course: Course, teacher_ids: Sequence[uuid.UUID]) -> None:
        """Keep the rows of teachers that stay (no delete-and-reinsert of one key)."""
        existing = {t.teacher_id: t for t in course.teachers}
        rows = []
        for position, teacher_id in enumerate(teacher_ids):
            row = existing.get(teacher_id) or CourseTeacher(
                teacher_id=teacher_id, school_id=course.school_id
            )
            row.position = position
            rows.append(row)
        course.teachers = rows

    @staticmethod
    def _set_students(course: Course, student_ids: Sequence[uuid.UUID]) -> None:
        existing = {s.student_id: s for s in course.students}
        course.students = [
            existing.get(s) or CourseStudent(student_id=s, school_id=course.school_id)
            for s in student_ids
        ]

    async def _emit(self, type_: str, course: Course) -> None:
        group = await self.access.directory.class_group(self.school_id, course.class_group_id)
        await emit_course_event(self.session, type_, course, group.name if group else None)

    async def create(self, body: CourseCreate) -> CourseRead:
        self.access.require_writer()
        if not self.access.is_admin and self.access.principal.user_id not in body.teacher_ids:
            raise Forbidden(
                "Педагог может создать курс, только указав себя среди его педагогов",
                code="teacher-must-teach",
            )
        group = await self._class_group(body.class_group_id)
        await self._check_teachers(body.teacher_ids)
        if body.subgroup is not None:
            await self._check_students(group, body.student_ids or [])
        await self._unique(self.school_id, group, body.subject, body.subgroup, None)
        course = Course(
            id=uuid.uuid4(),
            school_id=self.school_id,
            academic_year_id=group.academic_year_id,
            class_group_id=group.id,
            subject=body.subject,
            subgroup=body.subgroup,
            grade=group.grade,
            level=level_of(group.grade),
            delivery=body.delivery,
            work_program_title=body.work_program_title,
            work_program_url=body.work_program_url,
            hours_per_week=body.hours_per_week,
            is_archived=False,
            teachers=[],
            students=[],
        )
        self._set_teachers(course, body.teacher_ids)
        if body.subgroup is not None:
            self._set_students(course, body.student_ids or [])
        self.session.add(course)
        await self.session.flush()
        await self._emit(COURSE_CREATED, course)
        return (await self.reads([course]))[0]

    async def update(self, course_id: uuid.UUID, body: CourseUpdate) -> CourseRead:
        course = await writable_course(self.access, course_id)
        changes = body.changes()
        group = await self._class_group(course.class_group_id)
        if "teacher_ids" in changes:
            teacher_ids = changes["teacher_ids"]
            if not self.access.is_admin and self.access.principal.user_id not in teacher_ids:
                raise BusinessRuleError(
                    "Педагог не может исключить себя из курса; это делает администратор",
                    code="teacher-must-teach",
                )
            await self._check_teachers(teacher_ids)
        subgroup = changes.get("subgroup", course.subgroup)
        student_ids = changes.get("student_ids")
        if subgroup is None:
            student_ids = []
        elif student_ids is None:
            student_ids = course.student_ids
        if subgroup is not None:
            if not student_ids:
                raise BusinessRuleError(
                    "Для подгруппы укажите её обучающихся (student_ids)",
                    code="subgroup-without-students",
                )
            await self._check_students(group, student_ids)
        subject = changes.get("subject", course.subject)
        await self._unique(self.school_id, group, subject, subgroup, course.id)

        before = _snapshot(course)
        course.subject = subject
        course.subgroup = subgroup
        for name in ("delivery", "work_program_title", "work_program_url", "hours_per_week"):
            if name in changes:
                setattr(course, name, changes[name])
        if "teacher_ids" in changes:
            self._set_teachers(course, changes["teacher_ids"])
        self._set_students(course, student_ids)
        await self.session.flush()
        if _snapshot(course) != before:
            await self._emit(COURSE_UPDATED, course)
        return (await self.reads([course]))[0]

    async def set_archived(self, course_id: uuid.UUID, archived: bool) -> CourseRead:
        course = await self.access.course_for_write(course_id)
        if course.is_archived != archived:
            course.is_archived = archived
            await self.session.flush()
            await self._emit(COURSE_UPDATED, course)
        return (await self.reads([course]))[0]


def _snapshot(course: Course) -> tuple[Any, ...]:
    hours = course.hours_per_week
    return (
        course.subject,
        course.subgroup,
        course.delivery,
        course.work_program_title,
        course.work_program_url,
        Decimal(str(hours)) if hours is not None else None,
        tuple(course.teacher_ids),
        tuple(sorted(course.student_ids)),
    )
