"""Marks (JO-2) with their whole history (JO-5), and the marks that arrive from
learning's review and test events, once each."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from services.common.db import utcnow
from services.common.directory import Directory
from services.common.errors import BusinessRuleError, Conflict, NotFound, PreconditionFailed
from services.common.etag import check_if_match
from services.common.outbox import emit
from services.journal.access import Access
from services.journal.marks.scale import numeric_of, scale_values
from services.journal.marks.schemas import LessonMarks, MarkCreate, MarkUpdate
from services.journal.models import Attendance, Change, Mark, directory, kernel, timetable
from services.journal.periods.service import ensure_open

MARK_NOT_FOUND = "Отметка не найдена"


def snapshot(mark: Mark) -> dict[str, Any]:
    return {
        "value": mark.value,
        "control_type": mark.control_type,
        "weight": float(mark.weight),
        "date": mark.date.isoformat(),
        "comment": mark.comment,
        "status": mark.status,
    }


def mark_payload(mark: Mark) -> dict[str, Any]:
    return {
        "id": str(mark.id),
        "course_id": str(mark.course_id),
        "lesson_id": str(mark.lesson_id) if mark.lesson_id else None,
        "student_id": str(mark.student_id),
        "value": mark.value,
        "control_type": mark.control_type,
        "weight": float(mark.weight),
        "date": mark.date.isoformat(),
        "comment": mark.comment,
        "source": mark.source,
        "status": mark.status,
        "annul_reason": mark.annul_reason,
        "version": mark.version,
    }


async def record_change(
    session: AsyncSession,
    *,
    school_id: uuid.UUID,
    entity: str,
    entity_id: uuid.UUID,
    action: str,
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    reason: str | None,
    by: uuid.UUID | None,
    via: str | None = None,
) -> None:
    session.add(
        Change(
            school_id=school_id,
            entity=entity,
            entity_id=entity_id,
            action=action,
            old=old,
            new=new,
            reason=reason,
            by=by,
            via=via,
        )
    )


async def _emit(session: AsyncSession, type_: str, mark: Mark) -> None:
    await emit(
        session,
        kernel.outbox,
        school_id=mark.school_id,
        type=type_,
        aggregate_type="mark",
        aggregate_id=mark.id,
        payload=mark_payload(mark),
    )


async def check_in_year(
    session: AsyncSession, school_id: uuid.UUID, course: Any, day: date
) -> None:
    d = Directory(session, directory)
    year = await d.year(school_id, course.academic_year_id) if course.academic_year_id else None
    if year is None:
        year = await d.year_of_date(school_id, day)
        if year is None:
            raise BusinessRuleError("Дата отметки вне учебного года", code="date-outside-year")
    if not (year.starts_on <= day <= year.ends_on):
        raise BusinessRuleError(
            f"Дата {day.strftime('%d.%m.%Y')} вне учебного года {year.name}",
            code="date-outside-year",
        )


class MarkService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id

    async def _mark(self, mark_id: uuid.UUID) -> Mark:
        mark = await self.session.get(Mark, mark_id)
        if mark is None or mark.school_id != self.school_id:
            raise NotFound(MARK_NOT_FOUND, code="mark-not-found")
        return mark

    async def readable(self, mark_id: uuid.UUID) -> Mark:
        """A mark the caller may see: the course's readers (teachers, the homeroom
        teacher, staff), the student and their guardians. Others: 404."""
        mark = await self._mark(mark_id)
        a = self.access
        if a.is_staff or mark.student_id == a.user_id or mark.student_id in await a.children():
            return mark
        course = await self.session.get(timetable.course, mark.course_id)
        if course is not None and (
            a.teaches(course) or course.class_group_id in await a.homeroom_groups()
        ):
            return mark
        raise NotFound(MARK_NOT_FOUND, code="mark-not-found")

    async def writable(self, mark_id: uuid.UUID) -> Mark:
        mark = await self._mark(mark_id)
        if (
            mark.student_id in await self.access.children()
            or mark.student_id == self.access.user_id
        ):
            await self.access.course_for_write(mark.course_id)  # 403 for them
        await self.access.course_for_write(mark.course_id)
        return mark

    async def _check_student(self, course: Any, student_ids: set[uuid.UUID]) -> None:
        enrolled = await self.access.course_students(course)
        strangers = student_ids - enrolled
        if strangers:
            raise BusinessRuleError(
                "Обучающийся не изучает этот курс: " + ", ".join(sorted(map(str, strangers))),
                code="student-not-in-course",
            )

    async def create(self, body: MarkCreate) -> Mark:
        course = await self.access.course_for_write(body.course_id)
        day = body.date
        if body.lesson_id is not None:
            lesson = await self.access.lesson(body.lesson_id)
            if lesson.course_id != course.id:
                raise BusinessRuleError(
                    "Урок относится к другому курсу", code="lesson-not-in-course"
                )
            day = day or lesson.date
        if day is None:
            raise BusinessRuleError("Укажите дату отметки или урок", code="date-required")
        await self._check_student(course, {body.student_id})
        await check_in_year(self.session, self.school_id, course, day)
        await ensure_open(self.session, self.school_id, day)
        values = await scale_values(self.session, self.school_id)
        mark = Mark(
            school_id=self.school_id,
            course_id=course.id,
            lesson_id=body.lesson_id,
            student_id=body.student_id,
            value=body.value,
            numeric_value=numeric_of(values, body.value),
            control_type=body.control_type,
            weight=body.weight,
            date=day,
            comment=body.comment,
            source="manual",
            created_by=self.access.user_id,
            updated_by=self.access.user_id,
        )
        self.session.add(mark)
        await self.session.flush()
        await record_change(
            self.session,
            school_id=self.school_id,
            entity="mark",
            entity_id=mark.id,
            action="created",
            old=None,
            new=snapshot(mark),
            reason=None,
            by=self.access.user_id,
        )
        await _emit(self.session, "mark.created", mark)
        return mark

    async def create_for_lesson(self, lesson_id: uuid.UUID, body: LessonMarks) -> list[Mark]:
        """All the marks of a lesson in one request: all or nothing."""
        lesson, course = await self.access.lesson_for_write(lesson_id)
        students = [m.student_id for m in body.marks]
        await self._check_student(course, set(students))
        await check_in_year(self.session, self.school_id, course, lesson.date)
        await ensure_open(self.session, self.school_id, lesson.date)
        values = await scale_values(self.session, self.school_id)
        marks = []
        for item in body.marks:
            mark = Mark(
                school_id=self.school_id,
                course_id=course.id,
                lesson_id=lesson.id,
                student_id=item.student_id,
                value=item.value,
                numeric_value=numeric_of(values, item.value),
                control_type=item.control_type,
                weight=item.weight,
                date=lesson.date,
                comment=item.comment,
                source="manual",
                created_by=self.access.user_id,
                updated_by=self.access.user_id,
            )
            self.session.add(mark)
            marks.append(mark)
        await self.session.flush()
        for mark in marks:
            await record_change(
                self.session,
                school_id=self.school_id,
                entity="mark",
                entity_id=mark.id,
                action="created",
                old=None,
                new=snapshot(mark),
                reason=None,
                by=self.access.user_id,
            )
            await _emit(self.session, "mark.created", mark)
        return marks

    async def _flush_versioned(self) -> None:
        try:
            await self.session.flush()
        except StaleDataError:
            raise PreconditionFailed(
                "Запись уже изменена другим пользователем; получите её заново и повторите",
                code="precondition-failed",
            ) from None

    async def update(self, mark_id: uuid.UUID, body: MarkUpdate, if_match: str | None) -> Mark:
        mark = await self.writable(mark_id)
        check_if_match(if_match, mark.id, mark.version)
        if mark.status == "annulled":
            raise Conflict("Аннулированную отметку изменить нельзя", code="mark-annulled")
        await ensure_open(self.session, self.school_id, mark.date)
        old = snapshot(mark)
        changes = body.model_dump(exclude_unset=True, exclude={"reason"})
        if "value" in changes and changes["value"] is not None:
            values = await scale_values(self.session, self.school_id)
            mark.numeric_value = numeric_of(values, changes["value"])
            mark.value = changes["value"]
        if changes.get("control_type") is not None:
            mark.control_type = changes["control_type"]
        if changes.get("weight") is not None:
            mark.weight = float(changes["weight"])
        if "comment" in changes:
            mark.comment = changes["comment"]
        new = snapshot(mark)
        if new == old:
            return mark
        mark.updated_by = self.access.user_id
        await self._flush_versioned()
        await record_change(
            self.session,
            school_id=self.school_id,
            entity="mark",
            entity_id=mark.id,
            action="updated",
            old=old,
            new=new,
            reason=body.reason,
            by=self.access.user_id,
        )
        await _emit(self.session, "mark.updated", mark)
        return mark

    async def annul(self, mark_id: uuid.UUID, reason: str, if_match: str | None) -> Mark:
        mark = await self.writable(mark_id)
        check_if_match(if_match, mark.id, mark.version)
        if mark.status == "annulled":
            raise Conflict("Отметка уже аннулирована", code="mark-annulled")
        await ensure_open(self.session, self.school_id, mark.date)
        old = snapshot(mark)
        mark.status = "annulled"
        mark.annul_reason = reason
        mark.updated_by = self.access.user_id
        await self._flush_versioned()
        await record_change(
            self.session,
            school_id=self.school_id,
            entity="mark",
            entity_id=mark.id,
            action="annulled",
            old=old,
            new=snapshot(mark),
            reason=reason,
            by=self.access.user_id,
        )
        await _emit(self.session, "mark.annulled", mark)
        return mark

    async def history(self, mark_id: uuid.UUID) -> tuple[Mark, list[Change]]:
        mark = await self.readable(mark_id)
        rows = await self.session.execute(
            select(Change)
            .where(Change.entity == "mark", Change.entity_id == mark.id)
            .order_by(Change.at, Change.id)
        )
        return mark, list(rows.scalars())

    async def list(
        self,
        *,
        course_id: uuid.UUID | None,
        student_id: uuid.UUID | None,
        date_from: date | None,
        date_to: date | None,
        include_annulled: bool,
        changed_since: datetime | None = None,
    ) -> list[Mark]:
        a = self.access
        if course_id is None and student_id is None:
            raise BusinessRuleError("Укажите курс или обучающегося", code="filter-required")
        stmt = select(Mark).where(Mark.school_id == self.school_id)
        if course_id is not None:
            await a.course_for_read(course_id)
            stmt = stmt.where(Mark.course_id == course_id)
        if student_id is not None:
            await a.student_for_read(student_id)
            stmt = stmt.where(Mark.student_id == student_id)
            if course_id is None and not await a.sees_every_subject_of(student_id):
                # a subject teacher sees the student's marks of the courses they teach
                courses = await self.session.execute(
                    select(timetable.course).where(timetable.course.school_id == self.school_id)
                )
                ids = [c.id for c in courses.scalars() if a.teaches(c)]
                stmt = stmt.where(Mark.course_id.in_(ids))
        elif not (a.is_staff or a.is_teacher):
            # a student or guardian reading a course: only their own / children's marks
            mine = {a.user_id} | await a.children()
            stmt = stmt.where(Mark.student_id.in_(mine))
        if date_from is not None:
            stmt = stmt.where(Mark.date >= date_from)
        if date_to is not None:
            stmt = stmt.where(Mark.date <= date_to)
        if changed_since is not None:
            stmt = stmt.where(Mark.updated_at >= changed_since)
        if not include_annulled:
            stmt = stmt.where(Mark.status == "active")
        rows = await self.session.execute(stmt.order_by(Mark.date, Mark.created_at))
        return list(rows.scalars())


# -- marks from learning's events (exactly once: source_ref is unique) -------------------


async def _ingest(
    session: AsyncSession,
    event: dict[str, Any],
    *,
    source: str,
    ref: str,
    value: str | None,
    control_type: str,
    day: date,
    comment: str | None,
    by: uuid.UUID | None,
) -> None:
    if not value:
        return  # a review without a mark (returned for rework) makes no mark
    school_id = uuid.UUID(str(event["school_id"]))
    p = event["payload"]
    exists = await session.execute(select(Mark.id).where(Mark.source_ref == ref))
    if exists.scalar_one_or_none() is not None:
        return
    values = await scale_values(session, school_id)
    try:
        numeric = numeric_of(values, value)
    except BusinessRuleError:
        numeric = None  # recorded as given: a mark is never lost
    mark = Mark(
        school_id=school_id,
        course_id=uuid.UUID(p["course_id"]),
        lesson_id=uuid.UUID(p["lesson_id"]) if p.get("lesson_id") else None,
        student_id=uuid.UUID(p["student_id"]),
        value=value,
        numeric_value=numeric,
        control_type=control_type,
        weight=Decimal(1),
        date=day,
        comment=comment,
        source=source,
        source_ref=ref,
        created_by=by,
        updated_by=by,
    )
    session.add(mark)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError:
        return  # another consumer recorded the same event meanwhile
    await record_change(
        session,
        school_id=school_id,
        entity="mark",
        entity_id=mark.id,
        action="created",
        old=None,
        new=snapshot(mark),
        reason=None,
        by=by,
        via=f"learning:{event['type']}",
    )
    await _emit(session, "mark.created", mark)


async def _local_date(session: AsyncSession, school_id: uuid.UUID, instant: str | None) -> date:
    tz = await Directory(session, directory).timezone(school_id)
    moment = datetime.fromisoformat(instant) if instant else utcnow()
    return moment.astimezone(tz).date()


async def on_review_completed(session: AsyncSession, event: dict[str, Any]) -> None:
    p = event["payload"]
    school_id = uuid.UUID(str(event["school_id"]))
    await _ingest(
        session,
        event,
        source="review",
        ref=f"review:{p['id']}",
        value=p.get("mark"),
        control_type="current_control",
        day=await _local_date(session, school_id, p.get("reviewed_at")),
        comment=p.get("comment_text") or p.get("assignment_title"),
        by=uuid.UUID(p["reviewer_id"]) if p.get("reviewer_id") else None,
    )


async def on_test_attempt_graded(session: AsyncSession, event: dict[str, Any]) -> None:
    p = event["payload"]
    school_id = uuid.UUID(str(event["school_id"]))
    await _ingest(
        session,
        event,
        source="test",
        ref=f"test_attempt:{p['id']}",
        value=p.get("mark"),
        control_type=p.get("control_type") or "current_control",
        day=await _local_date(session, school_id, p.get("graded_at")),
        comment=p.get("test_title"),
        by=None,
    )


# -- the class × subject × term grid (a constant number of queries) ----------------------


async def grid_data(
    session: AsyncSession,
    school_id: uuid.UUID,
    course: Any,
    starts: date,
    ends: date,
    students: set[uuid.UUID],
) -> tuple[list[Any], dict[uuid.UUID, Any], list[Mark], list[Attendance]]:
    lessons = list(
        (
            await session.execute(
                select(timetable.lesson)
                .where(
                    timetable.lesson.course_id == course.id,
                    timetable.lesson.date >= starts,
                    timetable.lesson.date <= ends,
                )
                .order_by(timetable.lesson.date, timetable.lesson.starts_at)
            )
        ).scalars()
    )
    people = await Directory(session, directory).people(school_id, students)
    marks = list(
        (
            await session.execute(
                select(Mark).where(
                    Mark.course_id == course.id,
                    Mark.status == "active",
                    Mark.date >= starts,
                    Mark.date <= ends,
                )
            )
        ).scalars()
    )
    absences = list(
        (
            await session.execute(
                select(Attendance).where(
                    Attendance.course_id == course.id,
                    Attendance.status == "absent",
                    Attendance.date >= starts,
                    Attendance.date <= ends,
                )
            )
        ).scalars()
    )
    return lessons, people, marks, absences


def averages(marks: list[Mark]) -> tuple[float | None, float | None]:
    numeric = [
        (float(m.numeric_value), float(m.weight)) for m in marks if m.numeric_value is not None
    ]
    if not numeric:
        return None, None
    plain = sum(v for v, _ in numeric) / len(numeric)
    weighted = sum(v * w for v, w in numeric) / sum(w for _, w in numeric)
    return round(plain, 2), round(weighted, 2)


def by_student(marks: list[Mark]) -> dict[uuid.UUID, list[Mark]]:
    out: dict[uuid.UUID, list[Mark]] = defaultdict(list)
    for m in marks:
        out[m.student_id].append(m)
    return out
