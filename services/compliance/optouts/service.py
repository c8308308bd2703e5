"""Opt-out applications under §3.9 of the regulation (CO-4, feeding LE-12).

Rules:

* who files: a guardian linked to the student, or the student themself when 18 or older
  on the filing date (the school's today; birth date from the directory replica);
  anyone else is refused (403 ``optout-filer-not-entitled`` / ``optout-student-under-18``);
  a child that is not the guardian's, or another student, is "not found";
* what for: only the basic and secondary programs (grades 5–11): a primary-school
  application is refused (422 ``optout-primary-not-allowed``); so is one naming a
  course delivered only with ЭО/ДОТ, or a whole program made of such courses (422
  ``optout-distance-only-program``) — §3.9 excepts programs whose delivery provides
  for ЭО/ДОТ;
* the application is a document with a date (not in the future) and maybe a number;
  registration (admin or staff) gives it the school's registration number and date and
  the date it is in force from; the filer or an admin withdraws it;
* one active (submitted or registered) application per student;
* every transition is kept in the history and emitted as ``optout.<status>`` in the
  outbox, with everything learning needs to enforce it (LE-12).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.directory import Directory, level_of
from services.common.errors import BusinessRuleError, Conflict, Forbidden, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.compliance.models import OptOut, OptOutHistory, directory, kernel
from services.compliance.optouts.repository import OptOutRepository
from services.compliance.optouts.schemas import (
    CLAUSE,
    ClassBrief,
    DocumentRead,
    HistoryEntry,
    OptOutCreate,
    OptOutRead,
    OptOutRegister,
    OptOutStudent,
    OptOutWithdraw,
    PersonBrief,
    RegistrationRead,
)

OPTOUT_SUBMITTED = "optout.submitted"
OPTOUT_REGISTERED = "optout.registered"
OPTOUT_WITHDRAWN = "optout.withdrawn"
EVENT_TYPES = [OPTOUT_SUBMITTED, OPTOUT_REGISTERED, OPTOUT_WITHDRAWN]

ADULT_AGE = 18
MAX_EFFECTIVE_DELAY = timedelta(days=366)


def optout_not_found() -> NotFound:
    return NotFound("Заявление об отказе от ЭО и ДОТ не найдено", code="optout-not-found")


def student_not_found() -> NotFound:
    return NotFound("Обучающийся не найден", code="student-not-found")


def not_entitled() -> Forbidden:
    return Forbidden(
        "Заявление об отказе от ЭО и ДОТ подаёт родитель (законный представитель) "
        f"обучающегося или обучающийся, достигший 18 лет ({CLAUSE})",
        code="optout-filer-not-entitled",
    )


def _name(person: Any | None) -> str:
    return str(person.full_name) if person is not None else ""


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


class OptOutService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.school_id = principal.school_id
        self.dir = Directory(session, directory)
        self.repo = OptOutRepository(session)

    async def today(self) -> date:
        return await self.dir.today(self.school_id)

    # -- filing -----------------------------------------------------------------------

    async def _filer_role(self, student_id: uuid.UUID, today: date) -> str:
        p = self.principal
        if not p.has("guardian", "student"):
            raise not_entitled()
        student = await self.dir.person(self.school_id, student_id)
        if student is None or not student.has_role("student"):
            raise student_not_found()
        if p.has("guardian") and student_id in await self.dir.children_of(
            self.school_id, p.user_id
        ):
            return "guardian"
        if p.has("student") and p.user_id == student_id:
            age = student.age_on(today)
            if age is None:
                raise Forbidden(
                    "Дата рождения обучающегося не указана в справочнике школы: нельзя "
                    f"проверить, что ему исполнилось 18 лет ({CLAUSE}). Заявление может подать "
                    "родитель (законный представитель)",
                    code="optout-student-age-unknown",
                )
            if age < ADULT_AGE:
                raise Forbidden(
                    f"Обучающийся сам подаёт заявление только с 18 лет ({CLAUSE}); на дату "
                    f"подачи {today:%d.%m.%Y} ему {age} лет. Заявление подаёт родитель "
                    "(законный представитель)",
                    code="optout-student-under-18",
                )
            return "student"
        raise student_not_found()

    async def _class_of(self, student_id: uuid.UUID) -> Any:
        group_ids = await self.dir.groups_of_student(self.school_id, student_id)
        groups = list((await self.repo.class_groups(self.school_id, group_ids)).values())
        if not groups:
            raise BusinessRuleError(
                "Обучающийся не состоит ни в одном классе: уровень программы не определён",
                code="student-without-class",
            )
        current = await self.dir.current_year(self.school_id)
        if current is not None:
            groups = [g for g in groups if g.academic_year_id == current.id] or groups
        return max(groups, key=lambda g: (g.grade, g.name))

    async def _courses(
        self, group: Any, student_id: uuid.UUID, course_ids: Sequence[uuid.UUID]
    ) -> list[str] | None:
        if course_ids:
            wanted = list(dict.fromkeys(course_ids))
            found = await self.repo.courses(self.school_id, wanted)
            strangers = [
                c
                for c in wanted
                if c not in found
                or found[c].class_group_id != group.id
                or (
                    found[c].student_ids is not None and str(student_id) not in found[c].student_ids
                )
            ]
            if strangers:
                raise BusinessRuleError(
                    "Эти курсы не входят в программу обучающегося: "
                    + ", ".join(str(c) for c in strangers),
                    code="course-not-of-student",
                )
            courses = [found[c] for c in wanted]
        else:
            courses = [
                c
                for c in await self.repo.school_courses(self.school_id)
                if c.class_group_id == group.id
                and (c.student_ids is None or str(student_id) in c.student_ids)
            ]
        distance_only = [c for c in courses if c.delivery == "distance_only"]
        if course_ids and distance_only:
            names = ", ".join(f"«{c.subject}»" for c in distance_only)
            raise BusinessRuleError(
                f"Отказ от ЭО и ДОТ не применяется к программам, реализация которых "
                f"предусмотрена с применением ЭО и ДОТ ({CLAUSE}): {names} реализуется только "
                "с ЭО и ДОТ",
                code="optout-distance-only-program",
            )
        if not course_ids and courses and len(distance_only) == len(courses):
            raise BusinessRuleError(
                "Программа класса реализуется только с применением ЭО и ДОТ: отказ по "
                f"{CLAUSE} к ней не применяется",
                code="optout-distance-only-program",
            )
        return [str(c) for c in dict.fromkeys(course_ids)] if course_ids else None

    async def file(self, body: OptOutCreate) -> OptOutRead:
        today = await self.today()
        role = await self._filer_role(body.student_id, today)
        if body.document_date > today:
            raise BusinessRuleError(
                f"Дата заявления {body.document_date:%d.%m.%Y} ещё не наступила "
                f"(сегодня {today:%d.%m.%Y})",
                code="document-date-in-future",
            )
        group = await self._class_of(body.student_id)
        if group.grade <= 4:
            raise BusinessRuleError(
                f"Отказ от ЭО и ДОТ по {CLAUSE} возможен только по программам основного и "
                f"среднего общего образования (5–11 классы); обучающийся учится в классе "
                f"{group.name} — это начальное общее образование",
                code="optout-primary-not-allowed",
            )
        course_ids = await self._courses(group, body.student_id, body.course_ids)
        if await self.repo.active_of_student(self.school_id, body.student_id) is not None:
            raise self._already_active()
        optout = OptOut(
            id=uuid.uuid4(),
            school_id=self.school_id,
            student_id=body.student_id,
            class_group_id=group.id,
            grade=group.grade,
            course_ids=course_ids,
            status="submitted",
            filed_by=self.principal.user_id,
            filed_by_role=role,
            filed_on=today,
            document_number=body.document_number,
            document_date=body.document_date,
            reason=body.reason or None,
            version=1,
        )
        optout.history = []
        self._record(optout, role, None, "submitted", None)
        self.session.add(optout)
        await self._flush()
        await self._emit(OPTOUT_SUBMITTED, optout, group)
        return await self.present_one(optout)

    @staticmethod
    def _already_active() -> Conflict:
        return Conflict(
            "У обучающегося уже есть поданное или зарегистрированное заявление об отказе от "
            "ЭО и ДОТ; чтобы подать новое, отзовите прежнее",
            code="optout-already-active",
        )

    async def _flush(self) -> None:
        try:
            await self.session.flush()
        except IntegrityError:
            raise self._already_active() from None

    def _record(
        self,
        optout: OptOut,
        role: str,
        from_status: str | None,
        to_status: str,
        comment: str | None,
    ) -> None:
        optout.history.append(
            OptOutHistory(
                id=uuid.uuid4(),
                school_id=optout.school_id,
                actor_id=self.principal.user_id,
                actor_role=role,
                from_status=from_status,
                to_status=to_status,
                comment=comment or None,
            )
        )

    # -- registration and withdrawal ------------------------------------------------------

    async def _for_change(self, optout_id: uuid.UUID) -> OptOut:
        optout = await self.repo.in_school(self.school_id, optout_id, for_update=True)
        if optout is None:
            raise optout_not_found()
        return optout

    async def register(self, optout_id: uuid.UUID, body: OptOutRegister) -> OptOutRead:
        optout = await self._for_change(optout_id)
        if optout.status != "submitted":
            state = "зарегистрировано" if optout.status == "registered" else "отозвано"
            raise Conflict(
                f"Заявление уже {state}; зарегистрировать можно только поданное",
                code="optout-not-submitted",
            )
        today = await self.today()
        registered_on = body.registered_on or today
        if registered_on > today:
            raise BusinessRuleError(
                f"Дата регистрации {registered_on:%d.%m.%Y} ещё не наступила",
                code="registration-date-in-future",
            )
        if registered_on < optout.document_date:
            raise BusinessRuleError(
                f"Дата регистрации {registered_on:%d.%m.%Y} раньше даты заявления "
                f"{optout.document_date:%d.%m.%Y}",
                code="registration-before-document",
            )
        effective_from = body.effective_from or registered_on
        if effective_from < optout.document_date:
            raise BusinessRuleError(
                f"Отказ не может действовать с {effective_from:%d.%m.%Y} — раньше даты "
                f"заявления {optout.document_date:%d.%m.%Y}",
                code="effective-before-document",
            )
        if effective_from > registered_on + MAX_EFFECTIVE_DELAY:
            raise BusinessRuleError(
                "Дата начала действия отказа — не позже чем через год после регистрации",
                code="effective-date-too-far",
            )
        optout.status = "registered"
        optout.registration_number = body.registration_number
        optout.registered_on = registered_on
        optout.registered_by = self.principal.user_id
        optout.effective_from = effective_from
        optout.version += 1
        role = "admin" if self.principal.has("admin") else "staff"
        self._record(optout, role, "submitted", "registered", body.comment)
        await self.session.flush()
        await self._emit(OPTOUT_REGISTERED, optout)
        return await self.present_one(optout)

    async def withdraw(self, optout_id: uuid.UUID, body: OptOutWithdraw) -> OptOutRead:
        optout = await self._readable(optout_id, for_update=True)
        p = self.principal
        if p.user_id == optout.filed_by:
            role = optout.filed_by_role
        elif p.has("admin"):
            role = "admin"
        else:
            raise Forbidden(
                "Отозвать заявление может только тот, кто его подал, или администратор",
                code="forbidden",
            )
        if optout.status == "withdrawn":
            raise Conflict("Заявление уже отозвано", code="optout-already-withdrawn")
        today = await self.today()
        previous = optout.status
        optout.status = "withdrawn"
        optout.withdrawn_by = p.user_id
        optout.effective_to = today if previous == "registered" else None
        optout.version += 1
        self._record(optout, role, previous, "withdrawn", body.comment)
        await self.session.flush()
        await self._emit(OPTOUT_WITHDRAWN, optout)
        return await self.present_one(optout)

    # -- reads ----------------------------------------------------------------------------

    async def _visible_students(self) -> set[uuid.UUID] | None:
        """None: every student of the school (admin, staff); else own / linked children."""
        p = self.principal
        if p.has("admin", "staff"):
            return None
        if not p.has("guardian", "student"):
            raise Forbidden(
                "Заявления читают администрация, родители своих детей и сами обучающиеся; "
                "педагогам — список обучающихся с отказом (GET …/optouts/students)"
            )
        ids: set[uuid.UUID] = set()
        if p.has("student"):
            ids.add(p.user_id)
        if p.has("guardian"):
            ids |= await self.dir.children_of(self.school_id, p.user_id)
        return ids

    async def _readable(self, optout_id: uuid.UUID, *, for_update: bool = False) -> OptOut:
        visible = await self._visible_students()
        optout = await self.repo.in_school(self.school_id, optout_id, for_update=for_update)
        if optout is None or (visible is not None and optout.student_id not in visible):
            raise optout_not_found()
        return optout

    async def get(self, optout_id: uuid.UUID) -> OptOutRead:
        return await self.present_one(await self._readable(optout_id))

    async def page(
        self,
        params: PageParams,
        *,
        status: str | None,
        student_id: uuid.UUID | None,
        class_group_id: uuid.UUID | None,
    ) -> tuple[list[OptOutRead], dict[str, Any] | None]:
        visible = await self._visible_students()
        if student_id is not None and visible is not None and student_id not in visible:
            raise student_not_found()
        rows, cursor = await self.repo.page_in_school(
            self.school_id,
            params,
            students=visible,
            status=status,
            student_id=student_id,
            class_group_id=class_group_id,
        )
        return await self.present(rows), cursor

    async def students(
        self, class_group_id: uuid.UUID | None, on: date | None
    ) -> list[OptOutStudent]:
        """Registered opt-outs in force on ``on`` in the caller's classes (teachers) or the
        school (admin, staff): who needs an in-person or paper alternative."""
        day = on or await self.today()
        groups: set[uuid.UUID] | None = None
        if not self.principal.has("admin", "staff"):
            groups = await self.dir.homeroom_groups(self.school_id, self.principal.user_id)
            groups |= {
                c.class_group_id
                for c in await self.repo.school_courses(self.school_id)
                if c.taught_by(self.principal.user_id)
            }
        if class_group_id is not None:
            known = await self.dir.class_group(self.school_id, class_group_id)
            if known is None or (groups is not None and class_group_id not in groups):
                raise NotFound("Класс не найден", code="class-group-not-found")
            groups = {class_group_id}
        rows = await self.repo.in_force(self.school_id, day, class_group_ids=groups)
        rows = [r for r in rows if r.effective_to is None or r.effective_to > day]
        people = await self.dir.people(self.school_id, {r.student_id for r in rows})
        classes = await self.repo.class_groups(self.school_id, {r.class_group_id for r in rows})
        return [
            OptOutStudent(
                optout_id=r.id,
                student=PersonBrief(id=r.student_id, name=_name(people.get(r.student_id))),
                class_group=_class_brief(r, classes.get(r.class_group_id)),
                course_ids=[uuid.UUID(c) for c in r.course_ids] if r.course_ids else None,
                effective_from=r.effective_from or day,
                effective_to=r.effective_to,
            )
            for r in rows
        ]

    # -- presentation and events ------------------------------------------------------------

    async def present_one(self, optout: OptOut) -> OptOutRead:
        return (await self.present([optout]))[0]

    async def present(self, rows: Sequence[OptOut]) -> list[OptOutRead]:
        people = await self.dir.people(
            self.school_id, {r.student_id for r in rows} | {r.filed_by for r in rows}
        )
        classes = await self.repo.class_groups(self.school_id, {r.class_group_id for r in rows})
        return [_read(r, people, classes.get(r.class_group_id)) for r in rows]

    async def _emit(self, type_: str, optout: OptOut, group: Any | None = None) -> None:
        if group is None:
            group = await self.dir.class_group(self.school_id, optout.class_group_id)
        student = await self.dir.person(self.school_id, optout.student_id)
        await emit(
            self.session,
            kernel.outbox,
            school_id=optout.school_id,
            type=type_,
            aggregate_type="optout",
            aggregate_id=optout.id,
            payload=optout_payload(optout, _name(student), group),
        )


def _class_brief(optout: OptOut, group: Any | None) -> ClassBrief:
    return ClassBrief(
        id=optout.class_group_id,
        name=group.name if group is not None else None,
        grade=optout.grade,
    )


def _read(optout: OptOut, people: dict[uuid.UUID, Any], group: Any | None) -> OptOutRead:
    registration = None
    if optout.registration_number and optout.registered_on and optout.registered_by:
        registration = RegistrationRead(
            number=optout.registration_number,
            date=optout.registered_on,
            registered_by=optout.registered_by,
        )
    return OptOutRead(
        id=optout.id,
        student=PersonBrief(id=optout.student_id, name=_name(people.get(optout.student_id))),
        class_group=_class_brief(optout, group),
        level=level_of(optout.grade),  # type: ignore[arg-type]
        course_ids=[uuid.UUID(c) for c in optout.course_ids] if optout.course_ids else None,
        status=optout.status,  # type: ignore[arg-type]
        filed_by=PersonBrief(id=optout.filed_by, name=_name(people.get(optout.filed_by))),
        filed_by_role=optout.filed_by_role,  # type: ignore[arg-type]
        filed_on=optout.filed_on,
        document=DocumentRead(number=optout.document_number, date=optout.document_date),
        reason=optout.reason,
        registration=registration,
        effective_from=optout.effective_from,
        effective_to=optout.effective_to,
        legal_basis=CLAUSE,
        history=[
            HistoryEntry(
                at=h.at,
                actor_id=h.actor_id,
                actor_role=h.actor_role,
                from_status=h.from_status,  # type: ignore[arg-type]
                to_status=h.to_status,  # type: ignore[arg-type]
                comment=h.comment,
            )
            for h in optout.history
        ],
        created_at=optout.created_at,
        updated_at=optout.updated_at,
    )


def optout_payload(optout: OptOut, student_name: str, group: Any | None) -> dict[str, Any]:
    """``optout.submitted`` / ``optout.registered`` / ``optout.withdrawn``: complete, so
    learning enforces an opt-out (LE-12) without calling compliance back."""
    return {
        "id": str(optout.id),
        "student_id": str(optout.student_id),
        "student_name": student_name,
        "class_group_id": str(optout.class_group_id),
        "class_group_ids": [str(optout.class_group_id)],
        "class_name": group.name if group is not None else None,
        "grade": optout.grade,
        "level": level_of(optout.grade),
        "course_ids": list(optout.course_ids) if optout.course_ids else None,
        "status": optout.status,
        "filed_by": str(optout.filed_by),
        "filed_by_role": optout.filed_by_role,
        "filed_on": optout.filed_on.isoformat(),
        "document": {"number": optout.document_number, "date": optout.document_date.isoformat()},
        "registration": (
            {
                "number": optout.registration_number,
                "date": _day(optout.registered_on),
                "registered_by": str(optout.registered_by) if optout.registered_by else None,
            }
            if optout.registered_on is not None
            else None
        ),
        "effective_from": _day(optout.effective_from),
        "effective_to": _day(optout.effective_to),
        "legal_basis": CLAUSE,
        "version": optout.version,
    }
