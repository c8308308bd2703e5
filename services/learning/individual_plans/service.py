"""Rules of individual plans (LE-11; §2.1, §5.7: the mediated model is governed by the
student's individual plan; §5.6: the categories of students it serves).

* An admin creates a plan for a student of the school: category, the order it rests
  on, validity dates, the responsible teacher (tutor), and what makes it up — courses
  the student takes, online courses of the school, assignments of the student's
  courses (checked when the assignments feature is installed).
* The admin changes anything; the tutor changes the content (courses, online courses,
  assignments, notes) and nothing else.
* Admin, staff and teachers read the school's plans; a student reads their own, a
  guardian those of linked children; anyone else's is "not found".
* ``individual_plan.created`` / ``individual_plan.updated`` carry the whole plan.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from services.common.errors import BusinessRuleError, Forbidden, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.individual_plans.repository import PlanRepository
from services.learning.individual_plans.schemas import (
    CONTENT_FIELDS,
    BasisDocument,
    PlanCreate,
    PlanRead,
    PlanUpdate,
)
from services.learning.models import IndividualPlan, kernel
from services.learning.models.individual_plans import PLAN_CATEGORIES
from services.learning.online_courses.references import (
    ASSIGNMENTS,
    check_references,
    normalise_ids,
)
from services.learning.online_courses.repository import OnlineCourseRepository


def plan_not_found() -> NotFound:
    return NotFound("Индивидуальный учебный план не найден", code="individual-plan-not-found")


def plan_payload(plan: IndividualPlan) -> dict[str, Any]:
    """The whole plan, so that consumers never call back."""
    return {
        "id": str(plan.id),
        "student_id": str(plan.student_id),
        "category": plan.category,
        "category_label": PLAN_CATEGORIES[plan.category],
        "basis_document": {
            "title": plan.basis_document_title,
            "number": plan.basis_document_number,
            "date": plan.basis_document_date.isoformat(),
        },
        "valid_from": plan.valid_from.isoformat(),
        "valid_to": plan.valid_to.isoformat(),
        "tutor_id": str(plan.tutor_id),
        "course_ids": list(plan.course_ids or []),
        "online_course_ids": list(plan.online_course_ids or []),
        "assignment_ids": list(plan.assignment_ids or []),
        "notes": plan.notes,
        "version": plan.version,
    }


class IndividualPlanService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.principal = access.principal
        self.school_id = access.school_id
        self.plans = PlanRepository(self.session)

    # -- reading -------------------------------------------------------------------------

    async def _reads(self, plans: list[IndividualPlan]) -> list[PlanRead]:
        people = await self.access.directory.people(
            self.school_id, {p.student_id for p in plans} | {p.tutor_id for p in plans}
        )
        today = await self.access.directory.today(self.school_id)
        out = []
        for p in plans:
            student, tutor = people.get(p.student_id), people.get(p.tutor_id)
            out.append(
                PlanRead(
                    id=p.id,
                    student_id=p.student_id,
                    student_name=student.full_name if student is not None else None,
                    category=p.category,  # type: ignore[arg-type]
                    category_label=PLAN_CATEGORIES[p.category],
                    basis_document=BasisDocument(
                        title=p.basis_document_title,
                        number=p.basis_document_number,
                        date=p.basis_document_date,
                    ),
                    valid_from=p.valid_from,
                    valid_to=p.valid_to,
                    is_active=p.valid_from <= today <= p.valid_to,
                    tutor_id=p.tutor_id,
                    tutor_name=tutor.full_name if tutor is not None else None,
                    course_ids=[uuid.UUID(i) for i in p.course_ids or []],
                    online_course_ids=[uuid.UUID(i) for i in p.online_course_ids or []],
                    assignment_ids=[uuid.UUID(i) for i in p.assignment_ids or []],
                    notes=p.notes,
                    version=p.version,
                    created_at=p.created_at,
                    updated_at=p.updated_at,
                )
            )
        return out

    async def _readable(self, plan_id: uuid.UUID) -> IndividualPlan:
        plan = await self.plans.get(plan_id, school_id=self.school_id)
        if plan is None:
            raise plan_not_found()
        visible = await self.access.visible_students()
        if visible is not None and plan.student_id not in visible:
            raise plan_not_found()
        return plan

    async def list_plans(
        self,
        params: PageParams,
        *,
        student_id: uuid.UUID | None,
        category: str | None,
        tutor_id: uuid.UUID | None,
        active_on: date | None,
    ) -> tuple[list[PlanRead], dict[str, Any] | None]:
        if student_id is not None:
            await self.access.student(student_id)
        rows, cursor = await self.plans.page_of(
            self.school_id,
            params,
            students=await self.access.visible_students(),
            student_id=student_id,
            category=category,
            tutor_id=tutor_id,
            active_on=active_on,
        )
        return await self._reads(rows), cursor

    async def get(self, plan_id: uuid.UUID) -> PlanRead:
        return (await self._reads([await self._readable(plan_id)]))[0]

    # -- writing -------------------------------------------------------------------------

    async def _tutor(self, tutor_id: uuid.UUID) -> None:
        person = await self.access.directory.person(self.school_id, tutor_id)
        if person is None:
            raise NotFound("Педагог не найден", code="teacher-not-found")
        if not person.has_role("teacher") or not person.is_active:
            raise BusinessRuleError(
                "Ответственный за план — педагог школы", code="tutor-not-a-teacher"
            )

    async def _content(
        self,
        student_id: uuid.UUID,
        course_ids: list[uuid.UUID],
        online_course_ids: list[uuid.UUID],
        assignment_ids: list[uuid.UUID],
    ) -> tuple[list[str], list[str], list[str]]:
        courses = normalise_ids(course_ids)
        online = normalise_ids(online_course_ids)
        assignments = normalise_ids(assignment_ids)
        taken = {
            c.id for c in (await self.access.courses_of_students([student_id])).get(student_id, [])
        }
        foreign = [c for c in courses if uuid.UUID(c) not in taken]
        if foreign:
            raise BusinessRuleError(
                "Эти курсы обучающийся не изучает: " + ", ".join(foreign),
                code="course-not-taken",
            )
        existing = await OnlineCourseRepository(self.session).existing_ids(
            self.school_id, {uuid.UUID(i) for i in online}
        )
        unknown = [i for i in online if uuid.UUID(i) not in existing]
        if unknown:
            raise BusinessRuleError(
                "Не найдены онлайн-курсы: " + ", ".join(unknown), code="online-course-not-found"
            )
        await check_references(
            self.session, ASSIGNMENTS, self.school_id, assignments, course_ids=taken
        )
        return courses, online, assignments

    async def create(self, body: PlanCreate) -> PlanRead:
        if not self.access.is_admin:
            raise Forbidden(
                "Индивидуальный учебный план утверждает администратор",
                code="individual-plan-forbidden",
            )
        await self.access.student(body.student_id)
        await self._tutor(body.tutor_id)
        courses, online, assignments = await self._content(
            body.student_id, body.course_ids, body.online_course_ids, body.assignment_ids
        )
        plan = IndividualPlan(
            id=uuid.uuid4(),
            school_id=self.school_id,
            student_id=body.student_id,
            category=body.category,
            basis_document_title=body.basis_document_title,
            basis_document_number=body.basis_document_number,
            basis_document_date=body.basis_document_date,
            valid_from=body.valid_from,
            valid_to=body.valid_to,
            tutor_id=body.tutor_id,
            course_ids=courses,
            online_course_ids=online,
            assignment_ids=assignments,
            notes=body.notes,
            created_by=self.principal.user_id,
            version=1,
        )
        await self.plans.add(plan)
        await self._emit(plan, "individual_plan.created")
        return (await self._reads([plan]))[0]

    async def update(self, plan_id: uuid.UUID, body: PlanUpdate) -> PlanRead:
        plan = await self._readable(plan_id)
        changes = body.model_dump(exclude_unset=True)
        p = self.principal
        is_tutor = p.has("teacher") and plan.tutor_id == p.user_id
        if not self.access.is_admin:
            if not is_tutor:
                raise Forbidden(
                    "Изменять план могут администратор и ответственный педагог",
                    code="individual-plan-forbidden",
                )
            if set(changes) - CONTENT_FIELDS:
                raise Forbidden(
                    "Ответственный педагог меняет только состав плана и примечания; "
                    "категорию, основание, сроки и ответственного меняет администратор",
                    code="individual-plan-forbidden",
                )
        valid_from = changes.get("valid_from", plan.valid_from)
        valid_to = changes.get("valid_to", plan.valid_to)
        if valid_to < valid_from:
            raise BusinessRuleError(
                "Дата окончания плана раньше даты начала", code="invalid-date-range"
            )
        if "tutor_id" in changes:
            await self._tutor(changes["tutor_id"])
        if {"course_ids", "online_course_ids", "assignment_ids"} & set(changes):
            courses, online, assignments = await self._content(
                plan.student_id,
                changes.get("course_ids", [uuid.UUID(i) for i in plan.course_ids or []]),
                changes.get(
                    "online_course_ids", [uuid.UUID(i) for i in plan.online_course_ids or []]
                ),
                changes.get("assignment_ids", [uuid.UUID(i) for i in plan.assignment_ids or []]),
            )
            changes["course_ids"] = courses
            changes["online_course_ids"] = online
            changes["assignment_ids"] = assignments
        changed = False
        for name, value in changes.items():
            if getattr(plan, name) != value:
                setattr(plan, name, value)
                changed = True
        if changed:
            plan.version += 1
            await self.session.flush()
            await self._emit(plan, "individual_plan.updated")
        return (await self._reads([plan]))[0]

    async def _emit(self, plan: IndividualPlan, type_: str) -> None:
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type=type_,
            aggregate_type="individual_plan",
            aggregate_id=plan.id,
            payload=plan_payload(plan),
        )
