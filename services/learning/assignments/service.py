"""Rules of assignments (LE-5, LE-12, Reg §1.4, §2.2, X-1).

* an assignment belongs to a course and optionally one of its lessons; it is given to
  the whole course, to a named group of its students or to named students (each of
  whom must take the course);
* the deadline and the publication time are instants; a date-time without an offset
  is the school's wall clock; the deadline must come after the publication;
* draft → scheduled → published: a scheduled assignment is published when its time
  comes (:mod:`.publisher`); once published it is not edited or deleted (it has been
  e-mailed to families and may have works);
* a student sees the published assignments given to them, a guardian a linked
  child's; teachers, staff and admins every assignment of the school.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.assignments.auth import readable_assignment, writable_assignment
from services.learning.assignments.publisher import publish, publish_due
from services.learning.assignments.repository import AssignmentRepository, Counts, ListFilter
from services.learning.assignments.schemas import (
    AssignmentCreate,
    AssignmentPublish,
    AssignmentRead,
    AssignmentStats,
    AssignmentUpdate,
    ScreenUse,
    StudentWork,
    TargetIn,
    TargetRead,
)
from services.learning.assignments.times import Clock, as_utc, day_bounds, local
from services.learning.hygiene.service import HygieneGate, check_read, store
from services.learning.models import Assignment, AssignmentStudent, Course, Review, Submission
from services.learning.models.materials import Material
from services.learning.optouts.guard import require_alternative
from services.learning.optouts.views import opted_out_assignments


class AssignmentService:
    def __init__(
        self,
        session: AsyncSession,
        access: Access,
        clock: Clock,
        hygiene: HygieneGate | None = None,
    ) -> None:
        self.session = session
        self.access = access
        self.clock = clock
        # Reg §2.5: screen work is checked by compliance before publication; without a
        # gate the check counts as unreachable (never a pass).
        self.hygiene = hygiene or HygieneGate(session, access.school_id, None)
        self.repo = AssignmentRepository(session)
        self._tz: ZoneInfo | None = None

    @property
    def school_id(self) -> uuid.UUID:
        return self.access.school_id

    async def tz(self) -> ZoneInfo:
        if self._tz is None:
            self._tz = await self.access.directory.timezone(self.school_id)
        return self._tz

    # -- checks -----------------------------------------------------------------------

    async def _targets(self, course: Course, target: TargetIn) -> list[uuid.UUID]:
        wanted = list(dict.fromkeys(target.student_ids))
        if target.kind == "class":
            return []
        takers = await self.access.course_students(course)
        strangers = [s for s in wanted if s not in takers]
        if strangers:
            raise BusinessRuleError(
                "Эти обучающиеся не учатся на курсе: " + ", ".join(str(s) for s in strangers),
                code="student-not-in-course",
            )
        return wanted

    async def _materials(self, ids: list[uuid.UUID]) -> list[str]:
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        found = set(
            (
                await self.session.execute(
                    select(Material.id).where(
                        Material.school_id == self.school_id,
                        Material.id.in_(wanted),
                        Material.status == "active",
                    )
                )
            ).scalars()
        )
        missing = [m for m in wanted if m not in found]
        if missing:
            raise BusinessRuleError(
                "Материалы не найдены: " + ", ".join(str(m) for m in missing),
                code="material-not-found",
            )
        return [str(m) for m in wanted]

    @staticmethod
    def _check_deadline(due_at: datetime, publish_at: datetime) -> None:
        if due_at <= publish_at:
            raise BusinessRuleError(
                "Срок сдачи должен быть позже публикации задания",
                code="deadline-before-publication",
            )

    def _set_targets(self, assignment: Assignment, target: TargetIn, ids: list[uuid.UUID]) -> None:
        assignment.target_kind = target.kind
        assignment.group_name = target.group_name if target.kind == "group" else None
        assignment.students = [
            AssignmentStudent(student_id=s, school_id=self.school_id) for s in ids
        ]

    # -- writes -----------------------------------------------------------------------

    async def create(self, body: AssignmentCreate) -> AssignmentRead:
        self.access.require_writer()
        lesson = None
        course_id = body.course_id
        if body.lesson_id is not None:
            lesson = await self.repo.lesson(self.school_id, body.lesson_id)
            if lesson is None:
                raise NotFound("Урок не найден", code="lesson-not-found")
            if course_id is not None and lesson.course_id != course_id:
                raise BusinessRuleError(
                    "Урок относится к другому курсу", code="lesson-not-in-course"
                )
            course_id = lesson.course_id
        assert course_id is not None  # the schema requires a course or a lesson
        course = await self.access.course_for_write(course_id)
        tz = await self.tz()
        now = self.clock()
        due_at = as_utc(body.due_at, tz)
        publish_at = as_utc(body.publish_at, tz) if body.publish_at is not None else None
        self._check_deadline(due_at, max(publish_at or now, now))
        targets = await self._targets(course, body.target)
        materials = await self._materials(body.material_ids)
        delivery: str
        if body.delivery_form is not None:
            delivery = body.delivery_form
        elif lesson is not None:
            delivery = lesson.delivery_form
        else:
            delivery = "distance" if course.delivery == "distance_only" else "e_learning"
        assignment = Assignment(
            id=uuid.uuid4(),
            school_id=self.school_id,
            course_id=course.id,
            lesson_id=lesson.id if lesson is not None else None,
            created_by=self.access.principal.user_id,
            title=body.title,
            instructions=body.instructions,
            material_ids=materials,
            due_at=due_at,
            publish_at=publish_at,
            status="draft",
            delivery_form=delivery,
            expected_screen_minutes=[u.model_dump() for u in body.expected_screen_minutes],
            alternative=body.alternative or None,
        )
        assignment.course = course
        self._set_targets(assignment, body.target, targets)
        self.session.add(assignment)
        await self.session.flush()
        if not body.draft:
            await self._publish_or_schedule(assignment, publish_at, now)
        return await self.present_one(assignment)

    async def _hygiene(self, assignment: Assignment) -> None:
        """Ask compliance about the expected screen work (Reg §2.5); keep the answer."""
        outcome = await self.hygiene.assignment(
            self.hygiene.assignment_body(assignment, await self.tz())
        )
        store(assignment, outcome)

    async def _optouts(self, assignment: Assignment, at: datetime) -> None:
        """LE-12: no ЭО/ДОТ work without an alternative for students with an opt-out."""
        await require_alternative(
            self.session,
            course=assignment.course,
            day=local(at, await self.tz()).date(),
            delivery_form=assignment.delivery_form,
            alternative=assignment.alternative,
            student_ids=(
                assignment.listed_student_ids if assignment.target_kind != "class" else None
            ),
            what="задание",
        )

    async def _publish_or_schedule(
        self, assignment: Assignment, publish_at: datetime | None, now: datetime
    ) -> None:
        await self._optouts(assignment, max(publish_at or now, now))
        await self._hygiene(assignment)
        if publish_at is None or publish_at <= now:
            await publish(self.session, assignment, now)
        else:
            assignment.publish_at = publish_at
            assignment.status = "scheduled"
            await self.session.flush()

    async def update(self, assignment_id: uuid.UUID, body: AssignmentUpdate) -> AssignmentRead:
        self.access.require_writer()
        assignment = await writable_assignment(
            self.access, self.repo, assignment_id, for_update=True
        )
        if assignment.status == "published":
            raise Conflict(
                "Опубликованное задание изменить нельзя", code="assignment-already-published"
            )
        fields = body.model_fields_set
        tz = await self.tz()
        if "title" in fields and body.title is not None:
            assignment.title = body.title
        if "instructions" in fields and body.instructions is not None:
            assignment.instructions = body.instructions
        if "material_ids" in fields and body.material_ids is not None:
            assignment.material_ids = await self._materials(body.material_ids)
        if "target" in fields and body.target is not None:
            ids = await self._targets(assignment.course, body.target)
            self._set_targets(assignment, body.target, ids)
        if "due_at" in fields and body.due_at is not None:
            assignment.due_at = as_utc(body.due_at, tz)
        if "delivery_form" in fields and body.delivery_form is not None:
            assignment.delivery_form = body.delivery_form
        if "expected_screen_minutes" in fields and body.expected_screen_minutes is not None:
            assignment.expected_screen_minutes = [
                u.model_dump() for u in body.expected_screen_minutes
            ]
        if "alternative" in fields:
            assignment.alternative = body.alternative or None
        now = self.clock()
        self._check_deadline(assignment.due_at, max(assignment.publish_at or now, now))
        if assignment.status == "scheduled":
            await self._optouts(assignment, max(assignment.publish_at or now, now))
        if assignment.status == "scheduled" and fields & {"expected_screen_minutes", "due_at"}:
            await self._hygiene(assignment)
        await self.session.flush()
        return await self.present_one(assignment)

    async def publish(
        self, assignment_id: uuid.UUID, body: AssignmentPublish | None
    ) -> AssignmentRead:
        self.access.require_writer()
        assignment = await writable_assignment(
            self.access, self.repo, assignment_id, for_update=True
        )
        if assignment.status == "published":
            raise Conflict("Задание уже опубликовано", code="assignment-already-published")
        now = self.clock()
        publish_at = None
        if body is not None and body.publish_at is not None:
            publish_at = as_utc(body.publish_at, await self.tz())
        self._check_deadline(assignment.due_at, max(publish_at or now, now))
        await self._publish_or_schedule(assignment, publish_at, now)
        return await self.present_one(assignment)

    async def delete(self, assignment_id: uuid.UUID) -> None:
        self.access.require_writer()
        assignment = await writable_assignment(
            self.access, self.repo, assignment_id, for_update=True
        )
        if assignment.status == "published":
            raise Conflict(
                "Опубликованное задание удалить нельзя", code="assignment-already-published"
            )
        await self.repo.delete(assignment)

    # -- reads ------------------------------------------------------------------------

    async def get(self, assignment_id: uuid.UUID, student_id: uuid.UUID | None) -> AssignmentRead:
        await publish_due(self.session, self.clock(), school_id=self.school_id)
        assignment = await readable_assignment(self.access, self.repo, assignment_id)
        scope = await self._student_scope(student_id)
        if scope is not None and len(scope) == 1:
            (one,) = scope
            items = await self.present([assignment], work_of=one)
        else:
            items = await self.present([assignment], work_of=None)
        return items[0]

    async def _student_scope(self, student_id: uuid.UUID | None) -> set[uuid.UUID] | None:
        """The students whose assignments are listed (None: not limited to students)."""
        if student_id is not None:
            await self.access.student(student_id)
            return {student_id}
        visible = await self.access.visible_students()
        if visible is None:
            return None
        principal = self.access.principal
        if principal.has("student") and not principal.has("guardian"):
            return {principal.user_id}
        return visible

    async def page(
        self,
        params: PageParams,
        *,
        course_id: uuid.UUID | None,
        lesson_id: uuid.UUID | None,
        student_id: uuid.UUID | None,
        status: str | None,
        due_from: date | None,
        due_to: date | None,
    ) -> tuple[list[AssignmentRead], dict[str, Any] | None]:
        await publish_due(self.session, self.clock(), school_id=self.school_id)
        tz = await self.tz()
        scope = await self._student_scope(student_id)
        course_ids: set[uuid.UUID] | None = None
        student_courses: set[uuid.UUID] | None = None
        if scope is not None:
            by_student = await self.access.courses_of_students(scope)
            student_courses = {c.id for courses in by_student.values() for c in courses}
        elif course_id is not None:
            await self.access.course(course_id)
        elif not self.access.is_staff:
            # a teacher: the assignments of their own courses
            course_ids = await self.access.teacher_course_ids(self.access.principal.user_id)
        f = ListFilter(
            course_id=course_id,
            course_ids=course_ids,
            lesson_id=lesson_id,
            status=status,
            due_from=day_bounds(due_from, tz)[0] if due_from else None,
            due_before=day_bounds(due_to, tz)[1] if due_to else None,
            student_ids=scope,
            student_course_ids=student_courses,
        )
        rows, cursor = await self.repo.page_for(self.school_id, params, f)
        work_of = next(iter(scope)) if scope is not None and len(scope) == 1 else None
        return await self.present(rows, work_of=work_of, with_stats=scope is None), cursor

    # -- presentation -----------------------------------------------------------------

    async def present_one(self, assignment: Assignment) -> AssignmentRead:
        return (await self.present([assignment], work_of=None))[0]

    async def present(
        self,
        rows: list[Assignment],
        *,
        work_of: uuid.UUID | None,
        with_stats: bool | None = None,
    ) -> list[AssignmentRead]:
        """Reads of a page of assignments in a fixed number of queries."""
        tz = await self.tz()
        staff_view = await self.access.visible_students() is None
        if with_stats is None:
            with_stats = staff_view
        stats: dict[uuid.UUID, AssignmentStats] = {}
        if with_stats and rows:
            counts = await self.repo.counts(a.id for a in rows)
            sizes = await self.repo.class_sizes(
                self.school_id,
                {a.course.class_group_id for a in rows if a.target_kind == "class"},
            )
            for a in rows:
                stats[a.id] = _stats(a, counts.get(a.id, Counts()), sizes)
        works: dict[uuid.UUID, tuple[Submission, Review | None]] = {}
        if work_of is not None and rows:
            works = await self.repo.latest_works(work_of, (a.id for a in rows))
        reads = [
            _read(
                a,
                tz,
                staff_view=staff_view,
                stats=stats.get(a.id),
                work=_work(work_of, works.get(a.id)) if work_of is not None else None,
            )
            for a in rows
        ]
        if work_of is not None and reads:
            opted = await opted_out_assignments(
                self.session, self.school_id, work_of, rows, tz, self.clock()
            )
            reads = [r.model_copy(update={"opted_out": r.id in opted}) for r in reads]
        return reads


def _stats(a: Assignment, counts: Counts, sizes: dict[uuid.UUID, int]) -> AssignmentStats:
    if a.target_kind != "class":
        targets = len(a.students)
    elif a.course.subgroup:
        targets = len(a.course.students)
    else:
        targets = sizes.get(a.course.class_group_id, 0)
    return AssignmentStats(
        targets=targets,
        submitted=counts.submitted,
        late=counts.late,
        reviewed=counts.reviewed,
        returned=counts.returned,
        awaiting_review=counts.submitted - counts.reviewed,
    )


def _work(student_id: uuid.UUID, latest: tuple[Submission, Review | None] | None) -> StudentWork:
    if latest is None:
        return StudentWork(
            student_id=student_id,
            submission_id=None,
            version=None,
            received_at=None,
            late=None,
            review_status=None,
        )
    submission, review = latest
    return StudentWork(
        student_id=student_id,
        submission_id=submission.id,
        version=submission.version,
        received_at=submission.received_at,
        late=submission.late,
        review_status=review.status if review is not None else None,  # type: ignore[arg-type]
    )


def _read(
    a: Assignment,
    tz: ZoneInfo,
    *,
    staff_view: bool,
    stats: AssignmentStats | None,
    work: StudentWork | None,
) -> AssignmentRead:
    return AssignmentRead(
        id=a.id,
        course_id=a.course_id,
        subject=a.course.subject,
        class_group_id=a.course.class_group_id,
        lesson_id=a.lesson_id,
        title=a.title,
        instructions=a.instructions,
        material_ids=[uuid.UUID(m) for m in a.material_ids or []],
        target=TargetRead(
            kind=a.target_kind,  # type: ignore[arg-type]
            group_name=a.group_name,
            student_ids=a.listed_student_ids if staff_view and a.target_kind != "class" else None,
        ),
        due_at=a.due_at,
        due_local=local(a.due_at, tz),
        publish_at=a.publish_at,
        published_at=a.published_at,
        status=a.status,  # type: ignore[arg-type]
        delivery_form=a.delivery_form,  # type: ignore[arg-type]
        expected_screen_minutes=[ScreenUse(**u) for u in a.expected_screen_minutes or []],
        alternative=a.alternative,
        compliance=check_read(a, uses_screens=bool(a.expected_screen_minutes)),
        created_by=a.created_by,
        created_at=a.created_at,
        updated_at=a.updated_at,
        stats=stats,
        work=work,
    )
