"""Rules of online courses (LE-10, §1.4 «онлайн-курс»; §4.3: the certificate goes to the
student's digital portfolio through the ``online_course.completed`` event).

* The catalogue is the school's: a teacher authors courses (an admin may author one
  for a teacher); a draft is seen by its author, admins and staff; a published course
  by everyone of the school (and by a student enrolled before it was withdrawn).
* Modules are ordered; each lists materials and online tests by id, checked against
  their tables when those features are installed.
* A student enrols themself; a teacher or admin enrols students. Only a published
  course takes enrolments; one enrolment per student and course.
* The student marks items done; when every item of every module is done the enrolment
  is completed and a certificate record is issued with a number unique in the school
  (``ОК-<year>-<running number>``).
* Guardians read their children's enrolments and progress; others' are "not found".
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false
from sqlalchemy.exc import IntegrityError

from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Conflict, Forbidden, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.models import (
    OnlineCourse,
    OnlineCourseCertificate,
    OnlineCourseEnrolment,
    OnlineCourseModule,
    OnlineCourseProgress,
    kernel,
)
from services.learning.models.online_courses import CERTIFICATE_PREFIX
from services.learning.online_courses.references import (
    MATERIALS,
    QUIZZES,
    check_references,
    normalise_ids,
)
from services.learning.online_courses.repository import (
    CertificateRepository,
    EnrolmentRepository,
    OnlineCourseRepository,
    enrolled_any,
    published_or,
)
from services.learning.online_courses.schemas import (
    CertificateRead,
    EnrolmentCreate,
    EnrolmentDetail,
    EnrolmentRead,
    ItemProgress,
    ModuleCreate,
    ModuleProgress,
    ModuleRead,
    ModuleUpdate,
    OnlineCourseCreate,
    OnlineCourseDetail,
    OnlineCourseRead,
    OnlineCourseUpdate,
    ProgressCreate,
)


def course_not_found() -> NotFound:
    return NotFound("Онлайн-курс не найден", code="online-course-not-found")


def enrolment_not_found() -> NotFound:
    return NotFound("Запись на онлайн-курс не найдена", code="online-enrolment-not-found")


def module_not_found() -> NotFound:
    return NotFound("Модуль онлайн-курса не найден", code="online-module-not-found")


def certificate_number(year: int, sequence: int) -> str:
    return f"{CERTIFICATE_PREFIX}-{year}-{sequence:06d}"


def module_read(m: OnlineCourseModule) -> ModuleRead:
    return ModuleRead(
        id=m.id,
        position=m.position,
        title=m.title,
        description=m.description,
        material_ids=[uuid.UUID(i) for i in m.material_ids or []],
        quiz_ids=[uuid.UUID(i) for i in m.quiz_ids or []],
    )


def certificate_read(c: OnlineCourseCertificate) -> CertificateRead:
    return CertificateRead(
        id=c.id, number=c.number, issued_on=c.issued_on, hours=c.hours, title=c.title
    )


def completed_payload(
    enrolment: OnlineCourseEnrolment, title: str, cert: OnlineCourseCertificate
) -> dict[str, Any]:
    """``online_course.completed``: complete, so the journal's portfolio never calls back."""
    completed_at = enrolment.completed_at
    return {
        "enrolment_id": str(enrolment.id),
        "online_course_id": str(enrolment.online_course_id),
        "title": title,
        "student_id": str(enrolment.student_id),
        "completed_at": completed_at.isoformat() if completed_at else None,
        "certificate": cert.summary(),
    }


def percent(status: str, done: int, total: int) -> int:
    if status == "completed":
        return 100
    return done * 100 // total if total else 0


def progress_items(
    modules: Iterable[OnlineCourseModule], done: Iterable[OnlineCourseProgress]
) -> list[ModuleProgress]:
    marks = {(p.module_id, p.item_kind, p.item_id): p.completed_at for p in done}
    out = []
    for m in modules:
        items = [
            ItemProgress(
                kind=kind,  # type: ignore[arg-type]
                id=uuid.UUID(item),
                done=(m.id, kind, item) in marks,
                completed_at=marks.get((m.id, kind, item)),
            )
            for kind, item in m.items()
        ]
        out.append(
            ModuleProgress(
                module_id=m.id,
                position=m.position,
                title=m.title,
                items=items,
                done=sum(1 for i in items if i.done),
                total=len(items),
            )
        )
    return out


class OnlineCourseService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.principal = access.principal
        self.school_id = access.school_id
        self.courses = OnlineCourseRepository(self.session)
        self.enrolments = EnrolmentRepository(self.session)
        self.certificates = CertificateRepository(self.session)

    # -- who sees and changes a course ---------------------------------------------------

    async def _visibility(self) -> ColumnElement[bool] | None:
        if self.access.is_staff:
            return None
        if self.access.is_teacher:
            return published_or(OnlineCourse.author_id == self.principal.user_id)
        students = await self.access.visible_students() or set()
        if not students:
            return published_or(false())
        return published_or(enrolled_any(self.school_id, students))

    async def _readable(self, course_id: uuid.UUID) -> OnlineCourse:
        course = await self.courses.get(course_id, school_id=self.school_id)
        if course is None:
            raise course_not_found()
        visible = await self._visibility()
        if (
            visible is not None
            and not course.is_published
            and not await self.courses.is_visible(self.school_id, course.id, visible)
        ):
            raise course_not_found()
        return course

    def _authors(self, course: OnlineCourse) -> bool:
        p = self.principal
        return p.has("admin") or (p.has("teacher") and course.author_id == p.user_id)

    async def _writable(self, course_id: uuid.UUID) -> OnlineCourse:
        course = await self._readable(course_id)
        if not self._authors(course):
            raise Forbidden(
                "Изменять онлайн-курс могут его автор и администратор",
                code="online-course-forbidden",
            )
        return course

    # -- the catalogue -------------------------------------------------------------------

    async def _reads(self, courses: list[OnlineCourse]) -> list[OnlineCourseRead]:
        people = await self.access.directory.people(self.school_id, {c.author_id for c in courses})
        out = []
        for c in courses:
            author = people.get(c.author_id)
            out.append(
                OnlineCourseRead(
                    id=c.id,
                    title=c.title,
                    description=c.description,
                    subject=c.subject,
                    level=c.level,  # type: ignore[arg-type]
                    hours=c.hours,
                    author_id=c.author_id,
                    author_name=author.full_name if author is not None else None,
                    is_published=c.is_published,
                    published_at=c.published_at,
                    modules_count=len(c.modules),
                    items_count=sum(len(m.items()) for m in c.modules),
                    created_at=c.created_at,
                )
            )
        return out

    async def _detail(self, course: OnlineCourse) -> OnlineCourseDetail:
        base = (await self._reads([course]))[0]
        return OnlineCourseDetail(
            **base.model_dump(), modules=[module_read(m) for m in course.modules]
        )

    async def list_courses(
        self,
        params: PageParams,
        *,
        subject: str | None,
        level: str | None,
        published: bool | None,
        author_id: uuid.UUID | None,
    ) -> tuple[list[OnlineCourseRead], dict[str, Any] | None]:
        rows, cursor = await self.courses.page_of(
            self.school_id,
            params,
            visible=await self._visibility(),
            subject=subject,
            level=level,
            published=published,
            author_id=author_id,
        )
        return await self._reads(rows), cursor

    async def get(self, course_id: uuid.UUID) -> OnlineCourseDetail:
        return await self._detail(await self._readable(course_id))

    async def _author(self, author_id: uuid.UUID) -> uuid.UUID:
        person = await self.access.directory.person(self.school_id, author_id)
        if person is None:
            raise NotFound("Педагог не найден", code="teacher-not-found")
        if not person.has_role("teacher") or not person.is_active:
            raise BusinessRuleError(
                "Автор онлайн-курса — педагог школы", code="author-not-a-teacher"
            )
        return author_id

    async def create(self, body: OnlineCourseCreate) -> OnlineCourseDetail:
        self.access.require_writer()
        p = self.principal
        if self.access.is_admin:
            author_id = body.author_id or (p.user_id if p.has("teacher") else None)
            if author_id is None:
                raise BusinessRuleError(
                    "Укажите автора онлайн-курса (author_id)", code="author-required"
                )
        else:
            if body.author_id not in (None, p.user_id):
                raise Forbidden(
                    "Педагог создаёт онлайн-курсы только от своего имени",
                    code="online-course-forbidden",
                )
            author_id = p.user_id
        await self._author(author_id)
        course = OnlineCourse(
            id=uuid.uuid4(),
            school_id=self.school_id,
            title=body.title,
            description=body.description,
            subject=body.subject,
            level=body.level,
            hours=body.hours,
            author_id=author_id,
            is_published=False,
            modules=[],
        )
        await self.courses.add(course)
        return await self._detail(course)

    async def update(self, course_id: uuid.UUID, body: OnlineCourseUpdate) -> OnlineCourseDetail:
        course = await self._writable(course_id)
        changes = body.model_dump(exclude_unset=True)
        publish = changes.pop("is_published", None)
        for name, value in changes.items():
            setattr(course, name, value)
        if publish is True and not course.is_published:
            if not any(m.items() for m in course.modules):
                raise BusinessRuleError(
                    "В курсе нет ни одного материала или теста: публиковать нечего",
                    code="online-course-empty",
                )
            course.is_published = True
            course.published_at = utcnow()
        elif publish is False:
            course.is_published = False
        await self.session.flush()
        return await self._detail(course)

    # -- modules -------------------------------------------------------------------------

    async def _items(
        self, material_ids: list[uuid.UUID], quiz_ids: list[uuid.UUID]
    ) -> tuple[list[str], list[str]]:
        materials, quizzes = normalise_ids(material_ids), normalise_ids(quiz_ids)
        await check_references(self.session, MATERIALS, self.school_id, materials)
        await check_references(self.session, QUIZZES, self.school_id, quizzes)
        return materials, quizzes

    @staticmethod
    def _place(modules: list[OnlineCourseModule], module: OnlineCourseModule, at: int) -> None:
        ordered = [m for m in modules if m is not module]
        ordered.insert(min(max(at, 1), len(ordered) + 1) - 1, module)
        for index, m in enumerate(ordered, start=1):
            m.position = index

    async def add_module(self, course_id: uuid.UUID, body: ModuleCreate) -> OnlineCourseDetail:
        course = await self._writable(course_id)
        materials, quizzes = await self._items(body.material_ids, body.quiz_ids)
        module = OnlineCourseModule(
            id=uuid.uuid4(),
            school_id=self.school_id,
            online_course_id=course.id,
            position=len(course.modules) + 1,
            title=body.title,
            description=body.description,
            material_ids=materials,
            quiz_ids=quizzes,
        )
        modules = list(course.modules)
        self._place(modules, module, body.position or len(modules) + 1)
        course.modules.append(module)
        course.modules.sort(key=lambda m: m.position)
        await self.session.flush()
        return await self._detail(course)

    def _module(self, course: OnlineCourse, module_id: uuid.UUID) -> OnlineCourseModule:
        for m in course.modules:
            if m.id == module_id:
                return m
        raise module_not_found()

    async def update_module(
        self, course_id: uuid.UUID, module_id: uuid.UUID, body: ModuleUpdate
    ) -> OnlineCourseDetail:
        course = await self._writable(course_id)
        module = self._module(course, module_id)
        changes = body.model_dump(exclude_unset=True)
        if "material_ids" in changes or "quiz_ids" in changes:
            materials, quizzes = await self._items(
                body.material_ids
                if body.material_ids is not None
                else [uuid.UUID(i) for i in module.material_ids or []],
                body.quiz_ids
                if body.quiz_ids is not None
                else [uuid.UUID(i) for i in module.quiz_ids or []],
            )
            module.material_ids = materials
            module.quiz_ids = quizzes
        if "title" in changes:
            module.title = changes["title"]
        if "description" in changes:
            module.description = changes["description"]
        if body.position is not None:
            self._place(list(course.modules), module, body.position)
            course.modules.sort(key=lambda m: m.position)
        await self.session.flush()
        return await self._detail(course)

    async def delete_module(self, course_id: uuid.UUID, module_id: uuid.UUID) -> None:
        course = await self._writable(course_id)
        module = self._module(course, module_id)
        course.modules.remove(module)
        for index, m in enumerate(course.modules, start=1):
            m.position = index
        if course.is_published and not any(m.items() for m in course.modules):
            raise BusinessRuleError(
                "Опубликованный курс не может остаться без материалов и тестов",
                code="online-course-empty",
            )
        await self.session.flush()

    # -- enrolments ----------------------------------------------------------------------

    async def _enrolment_reads(
        self, rows: list[OnlineCourseEnrolment], *, detail: bool = False
    ) -> list[EnrolmentDetail]:
        """Constant number of queries whatever the number of enrolments."""
        course_ids = {e.online_course_id for e in rows}
        modules = await self.enrolments.modules_of_courses(course_ids)
        titles = await self.enrolments.titles(course_ids)
        progress = await self.enrolments.progress_of({e.id for e in rows})
        certificates = await self.enrolments.certificates_of({e.id for e in rows})
        people = await self.access.directory.people(self.school_id, {e.student_id for e in rows})
        by_enrolment: dict[uuid.UUID, list[OnlineCourseProgress]] = {}
        for p in progress:
            by_enrolment.setdefault(p.enrolment_id, []).append(p)
        out = []
        for e in rows:
            items = progress_items(modules[e.online_course_id], by_enrolment.get(e.id, []))
            done = sum(m.done for m in items)
            total = sum(m.total for m in items)
            cert = certificates.get(e.id)
            person = people.get(e.student_id)
            out.append(
                EnrolmentDetail(
                    id=e.id,
                    online_course_id=e.online_course_id,
                    title=titles.get(e.online_course_id),
                    student_id=e.student_id,
                    student_name=person.full_name if person is not None else None,
                    enrolled_by=e.enrolled_by,
                    enrolled_at=e.enrolled_at,
                    status=e.status,  # type: ignore[arg-type]
                    completed_at=e.completed_at,
                    items_done=done,
                    items_total=total,
                    percent=percent(e.status, done, total),
                    certificate=certificate_read(cert) if cert is not None else None,
                    modules=items if detail else [],
                )
            )
        return out

    async def _summaries(self, rows: list[OnlineCourseEnrolment]) -> list[EnrolmentRead]:
        return [
            EnrolmentRead(**{k: v for k, v in r.model_dump().items() if k != "modules"})
            for r in await self._enrolment_reads(rows)
        ]

    async def enrol(self, course_id: uuid.UUID, body: EnrolmentCreate) -> EnrolmentDetail:
        p = self.principal
        if p.has("teacher", "admin"):
            student_id = body.student_id
            if student_id is None:
                if not p.has("student"):
                    raise BusinessRuleError(
                        "Укажите обучающегося (student_id)", code="student-required"
                    )
                student_id = p.user_id
        elif p.has("student"):
            # a student enrols only themself: anyone else is "not found" below
            student_id = body.student_id or p.user_id
        else:
            raise Forbidden(
                "Записывают на онлайн-курс сам обучающийся, педагог или администратор",
                code="online-enrolment-forbidden",
            )
        await self.access.student(student_id)
        course = await self._readable(course_id)
        if not course.is_published:
            raise BusinessRuleError(
                "Онлайн-курс не опубликован: запись закрыта", code="online-course-not-published"
            )
        if await self.enrolments.of_student(self.school_id, course.id, student_id) is not None:
            raise self._already_enrolled()
        enrolment = OnlineCourseEnrolment(
            id=uuid.uuid4(),
            school_id=self.school_id,
            online_course_id=course.id,
            student_id=student_id,
            enrolled_by=p.user_id,
            enrolled_at=utcnow(),
            status="active",
        )
        self.session.add(enrolment)
        try:
            await self.session.flush()
        except IntegrityError:
            raise self._already_enrolled() from None
        return (await self._enrolment_reads([enrolment], detail=True))[0]

    @staticmethod
    def _already_enrolled() -> Conflict:
        return Conflict("Обучающийся уже записан на этот онлайн-курс", code="already-enrolled")

    async def list_course_enrolments(
        self, course_id: uuid.UUID, params: PageParams, *, status: str | None
    ) -> tuple[list[EnrolmentRead], dict[str, Any] | None]:
        course = await self._readable(course_id)
        return await self._list(params, student_id=None, course_id=course.id, status=status)

    async def list_enrolments(
        self,
        params: PageParams,
        *,
        student_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        status: str | None,
    ) -> tuple[list[EnrolmentRead], dict[str, Any] | None]:
        if student_id is not None:
            await self.access.student(student_id)
        return await self._list(params, student_id=student_id, course_id=course_id, status=status)

    async def _list(
        self,
        params: PageParams,
        *,
        student_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        status: str | None,
    ) -> tuple[list[EnrolmentRead], dict[str, Any] | None]:
        rows, cursor = await self.enrolments.page_of(
            self.school_id,
            params,
            students=await self.access.visible_students(),
            student_id=student_id,
            course_id=course_id,
            status=status,
        )
        return await self._summaries(rows), cursor

    async def _enrolment(self, enrolment_id: uuid.UUID) -> OnlineCourseEnrolment:
        enrolment = await self.enrolments.get(enrolment_id, school_id=self.school_id)
        if enrolment is None:
            raise enrolment_not_found()
        visible = await self.access.visible_students()
        if visible is not None and enrolment.student_id not in visible:
            raise enrolment_not_found()
        return enrolment

    async def get_enrolment(self, enrolment_id: uuid.UUID) -> EnrolmentDetail:
        enrolment = await self._enrolment(enrolment_id)
        return (await self._enrolment_reads([enrolment], detail=True))[0]

    # -- progress and completion ---------------------------------------------------------

    async def record_progress(
        self, enrolment_id: uuid.UUID, body: ProgressCreate
    ) -> EnrolmentDetail:
        enrolment = await self._enrolment(enrolment_id)
        if not (self.principal.has("student") and enrolment.student_id == self.principal.user_id):
            raise Forbidden(
                "Отмечать прохождение курса может только сам обучающийся",
                code="online-progress-forbidden",
            )
        await self.enrolments.lock(enrolment)
        modules = await self.courses.modules_of(enrolment.online_course_id)
        module = next((m for m in modules if m.id == body.module_id), None)
        if module is None:
            raise BusinessRuleError(
                "Модуль не относится к этому онлайн-курсу", code="module-not-in-course"
            )
        item = str(body.item_id)
        if (body.item_kind, item) not in module.items():
            raise BusinessRuleError(
                "В модуле нет такого материала или теста", code="item-not-in-module"
            )
        done = await self.enrolments.progress_of({enrolment.id})
        now = utcnow()
        if not any(
            p.module_id == module.id and p.item_kind == body.item_kind and p.item_id == item
            for p in done
        ):
            mark = OnlineCourseProgress(
                id=uuid.uuid4(),
                school_id=self.school_id,
                enrolment_id=enrolment.id,
                module_id=module.id,
                item_kind=body.item_kind,
                item_id=item,
                completed_at=now,
            )
            self.session.add(mark)
            await self.session.flush()
            done.append(mark)
        if enrolment.status != "completed":
            items = progress_items(modules, done)
            total = sum(m.total for m in items)
            if total and all(m.done == m.total for m in items):
                await self._complete(enrolment, now)
        return (await self._enrolment_reads([enrolment], detail=True))[0]

    async def _complete(self, enrolment: OnlineCourseEnrolment, now: datetime) -> None:
        course = await self.courses.get(enrolment.online_course_id, school_id=self.school_id)
        if course is None:  # pragma: no cover - the enrolment's course cascades
            raise course_not_found()
        today = await self.access.directory.today(self.school_id)
        sequence = await self.certificates.next_sequence(self.school_id, today.year)
        cert = OnlineCourseCertificate(
            id=uuid.uuid4(),
            school_id=self.school_id,
            enrolment_id=enrolment.id,
            online_course_id=course.id,
            student_id=enrolment.student_id,
            number=certificate_number(today.year, sequence),
            year=today.year,
            sequence=sequence,
            issued_on=today,
            hours=course.hours,
            title=course.title,
        )
        enrolment.status = "completed"
        enrolment.completed_at = now
        self.session.add(cert)
        await self.session.flush()
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="online_course.completed",
            aggregate_type="online_course_enrolment",
            aggregate_id=enrolment.id,
            payload=completed_payload(enrolment, course.title, cert),
        )
