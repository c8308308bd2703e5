"""Rules of class groups and membership (ID-4).

* grade 1–11 and one Cyrillic letter; ``7Б`` is unique within an academic year;
* the homeroom teacher is an active teacher of the same school;
* only students join a class, and a student is in at most one class per year.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.identity.class_groups.auth import (
    class_group_not_found,
    require_visible_class,
    visible_class_ids,
)
from services.identity.class_groups.repository import ClassGroupRepository, MembershipRepository
from services.identity.class_groups.schemas import (
    ClassGroupCreate,
    ClassGroupRead,
    ClassGroupUpdate,
    MembershipRead,
    level_of,
)
from services.identity.external_ids.schemas import ExternalIdRef
from services.identity.models import AcademicYear, ClassGroup, ClassMembership, User, kernel
from services.identity.school.repository import AcademicYearRepository
from services.identity.users.auth import Viewer, require_admin
from services.identity.users.repository import UserRepository
from services.identity.users.schemas import UserBrief, UserFull
from services.identity.users.service import UserService, person_brief


def class_group_payload(
    group: ClassGroup, year: AcademicYear, teacher: User | None
) -> dict[str, Any]:
    return {
        "id": str(group.id),
        "name": group.name,
        "grade": group.grade,
        "letter": group.letter,
        "level": level_of(group.grade),
        "academic_year_id": str(year.id),
        "academic_year": year.name,
        "is_current_year": year.is_current,
        "homeroom_teacher_id": str(teacher.id) if teacher else None,
        "homeroom_teacher": (
            {
                "last_name": teacher.last_name,
                "first_name": teacher.first_name,
                "middle_name": teacher.middle_name,
            }
            if teacher
            else None
        ),
    }


def membership_payload(
    membership: ClassMembership, group: ClassGroup, year: AcademicYear, student: User
) -> dict[str, Any]:
    return {
        "id": str(membership.id),
        "class_group_id": str(group.id),
        "class_name": group.name,
        "grade": group.grade,
        "letter": group.letter,
        "academic_year_id": str(year.id),
        "academic_year": year.name,
        "is_current_year": year.is_current,
        "student_id": str(student.id),
        "student": {
            "last_name": student.last_name,
            "first_name": student.first_name,
            "middle_name": student.middle_name,
        },
    }


class ClassGroupService:
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.session = session
        self.viewer = viewer
        self.groups = ClassGroupRepository(session)
        self.members = MembershipRepository(session)
        self.years = AcademicYearRepository(session)
        self.users = UserRepository(session)

    @property
    def school_id(self) -> uuid.UUID:
        return self.viewer.school_id

    async def reads(self, groups: Sequence[ClassGroup]) -> list[ClassGroupRead]:
        ids = [g.id for g in groups]
        years = await self.groups.years(g.academic_year_id for g in groups)
        teachers = await self.groups.teachers(
            g.homeroom_teacher_id for g in groups if g.homeroom_teacher_id
        )
        counts = await self.groups.student_counts(ids)
        externals = await self.users.external_ids("class_group", ids)
        out = []
        for g in groups:
            year = years[g.academic_year_id]
            teacher = teachers.get(g.homeroom_teacher_id) if g.homeroom_teacher_id else None
            out.append(
                ClassGroupRead(
                    id=g.id,
                    name=g.name,
                    grade=g.grade,
                    letter=g.letter,
                    level=level_of(g.grade),
                    academic_year_id=year.id,
                    academic_year=year.name,
                    is_current_year=year.is_current,
                    homeroom_teacher=person_brief(teacher) if teacher else None,
                    student_count=counts.get(g.id, 0),
                    external_ids=[
                        ExternalIdRef(system=e.system, value=e.value)  # type: ignore[arg-type]
                        for e in externals.get(g.id, [])
                    ],
                )
            )
        return out

    async def in_school(self, group_id: uuid.UUID) -> ClassGroup:
        group = await self.groups.get(group_id, school_id=self.school_id)
        if group is None:
            raise class_group_not_found()
        return group

    async def visible(self, group_id: uuid.UUID) -> ClassGroup:
        await require_visible_class(self.session, self.viewer, group_id)
        return await self.in_school(group_id)

    async def list_groups(
        self, params: PageParams, *, academic_year_id: uuid.UUID | None, grade: int | None
    ) -> tuple[list[ClassGroupRead], dict[str, Any] | None]:
        rows, cursor = await self.groups.page_in_school(
            self.school_id,
            params,
            academic_year_id=academic_year_id,
            grade=grade,
            only_ids=await visible_class_ids(self.session, self.viewer),
        )
        return await self.reads(rows), cursor

    async def get(self, group_id: uuid.UUID) -> ClassGroupRead:
        return (await self.reads([await self.visible(group_id)]))[0]

    async def _teacher(self, teacher_id: uuid.UUID) -> User:
        teacher = await self.users.in_school(teacher_id, self.school_id)
        if teacher is None or "teacher" not in teacher.role_names or not teacher.is_active:
            raise BusinessRuleError(
                "Классным руководителем может быть только действующий педагог этой школы",
                code="homeroom-not-teacher",
            )
        return teacher

    async def _year(self, year_id: uuid.UUID | None) -> AcademicYear:
        if year_id is None:
            year = await self.years.current(self.school_id)
            if year is None:
                raise BusinessRuleError(
                    "В школе не задан текущий учебный год; укажите academic_year_id",
                    code="no-current-academic-year",
                )
            return year
        found = await self.years.get(year_id, school_id=self.school_id)
        if found is None:
            raise BusinessRuleError(
                "Учебный год не найден в этой школе", code="academic-year-not-found"
            )
        return found

    async def _unique(
        self, year_id: uuid.UUID, grade: int, letter: str, exclude: uuid.UUID | None
    ) -> None:
        same = await self.groups.same_name(self.school_id, year_id, grade, letter)
        if same is not None and same.id != exclude:
            raise Conflict(
                f"Класс {grade}{letter} в этом учебном году уже есть", code="class-group-exists"
            )

    async def _flush(self) -> None:
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(
                "Запись изменена параллельным запросом; повторите", code="concurrent-change"
            ) from None

    async def _emit_group(
        self, type_: str, group: ClassGroup, year: AcademicYear, teacher: User | None
    ) -> None:
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type=type_,
            aggregate_type="class_group",
            aggregate_id=group.id,
            payload=class_group_payload(group, year, teacher),
        )

    async def create(self, body: ClassGroupCreate) -> ClassGroupRead:
        year = await self._year(body.academic_year_id)
        teacher = (
            await self._teacher(body.homeroom_teacher_id) if body.homeroom_teacher_id else None
        )
        await self._unique(year.id, body.grade, body.letter, None)
        group = ClassGroup(
            id=uuid.uuid4(),
            school_id=self.school_id,
            academic_year_id=year.id,
            grade=body.grade,
            letter=body.letter,
            homeroom_teacher_id=teacher.id if teacher else None,
        )
        self.session.add(group)
        await self._flush()
        await self._emit_group("class_group.created", group, year, teacher)
        return (await self.reads([group]))[0]

    async def for_admin(self, group_id: uuid.UUID) -> ClassGroup:
        """A class group to change: 404 if not in the school, then 403 unless admin."""
        group = await self.in_school(group_id)
        require_admin(self.viewer)
        return group

    async def update(self, group_id: uuid.UUID, body: ClassGroupUpdate) -> ClassGroupRead:
        group = await self.for_admin(group_id)
        before = (group.grade, group.letter, group.homeroom_teacher_id)
        changes = body.changes()
        if "homeroom_teacher_id" in changes:
            new_id = changes["homeroom_teacher_id"]
            group.homeroom_teacher_id = (await self._teacher(new_id)).id if new_id else None
        grade = changes.get("grade", group.grade)
        letter = changes.get("letter", group.letter)
        await self._unique(group.academic_year_id, grade, letter, group.id)
        group.grade, group.letter = grade, letter
        await self._flush()
        if (group.grade, group.letter, group.homeroom_teacher_id) != before:
            year = await self._year(group.academic_year_id)
            teacher = (
                await self.users.in_school(group.homeroom_teacher_id, self.school_id)
                if group.homeroom_teacher_id
                else None
            )
            await self._emit_group("class_group.updated", group, year, teacher)
        return (await self.reads([group]))[0]

    async def students(
        self, group_id: uuid.UUID, params: PageParams, *, q: str | None, active: bool | None
    ) -> tuple[list[UserBrief | UserFull], dict[str, Any] | None]:
        await self.visible(group_id)
        return await UserService(self.session, self.viewer).list_users(
            params,
            role=None,
            class_group_id=group_id,
            q=q,
            active=active,
            resource="class_students",
        )

    async def add_student(self, group_id: uuid.UUID, student_id: uuid.UUID) -> MembershipRead:
        group = await self.for_admin(group_id)
        student = await self.users.in_school(student_id, self.school_id)
        if student is None or "student" not in student.role_names:
            raise BusinessRuleError(
                "В класс можно добавить только обучающегося этой школы", code="not-a-student"
            )
        existing = await self.members.class_in_year(student.id, group.academic_year_id)
        if existing is not None:
            if existing.id == group.id:
                raise Conflict("Обучающийся уже состоит в этом классе", code="already-member")
            raise Conflict(
                f"В этом учебном году обучающийся уже состоит в классе {existing.name}",
                code="student-in-another-class",
            )
        membership = ClassMembership(
            id=uuid.uuid4(),
            school_id=self.school_id,
            class_group_id=group.id,
            student_id=student.id,
        )
        self.session.add(membership)
        await self._flush()
        year = await self._year(group.academic_year_id)
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="class_membership.added",
            aggregate_type="class_membership",
            aggregate_id=membership.id,
            payload=membership_payload(membership, group, year, student),
        )
        return MembershipRead(
            id=membership.id,
            class_group_id=group.id,
            student_id=student.id,
            created_at=membership.created_at,
        )

    async def remove_student(self, group_id: uuid.UUID, student_id: uuid.UUID) -> None:
        group = await self.for_admin(group_id)
        membership = await self.members.find(group.id, student_id)
        student = await self.users.in_school(student_id, self.school_id)
        if membership is None or student is None:
            raise NotFound("Обучающийся не состоит в этом классе", code="membership-not-found")
        year = await self._year(group.academic_year_id)
        payload = membership_payload(membership, group, year, student)
        await self.members.delete(membership)
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="class_membership.removed",
            aggregate_type="class_membership",
            aggregate_id=membership.id,
            payload=payload,
        )
