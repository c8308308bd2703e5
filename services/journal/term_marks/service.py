"""Term and year marks (JO-4): set by the teacher, the averages as a suggestion."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from services.common.errors import BusinessRuleError, NotFound, PreconditionFailed, ProblemError
from services.common.etag import check_if_match
from services.common.outbox import emit
from services.journal.access import Access
from services.journal.marks.scale import numeric_of, scale_values
from services.journal.marks.service import averages, record_change
from services.journal.models import Change, Mark, TermMark, kernel
from services.journal.periods.service import ensure_open, get_period


def snapshot(row: TermMark) -> dict[str, Any]:
    return {
        "value": row.value,
        "average": _f(row.average),
        "weighted_average": _f(row.weighted_average),
    }


def _f(value: Any) -> float | None:
    return float(value) if value is not None else None


class TermMarkService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id

    async def _range(self, course: Any, period_id: uuid.UUID | None) -> tuple[Any, Any, Any]:
        if period_id is not None:
            period = await get_period(self.session, self.school_id, period_id)
            if course.academic_year_id and period.academic_year_id != course.academic_year_id:
                raise BusinessRuleError(
                    "Период относится к другому учебному году", code="period-other-year"
                )
            return period, period.starts_on, period.ends_on
        year = await self.access.directory.year(self.school_id, course.academic_year_id)
        if year is None:
            raise BusinessRuleError("Учебный год курса неизвестен", code="year-not-found")
        return None, year.starts_on, year.ends_on

    async def overview(
        self, course_id: uuid.UUID, period_id: uuid.UUID | None
    ) -> tuple[Any, Any, list[dict[str, Any]]]:
        course = await self.access.course_for_read(course_id)
        period, starts, ends = await self._range(course, period_id)
        students = await self.access.course_students(course)
        if not (self.access.is_staff or self.access.is_teacher):
            students &= {self.access.user_id} | await self.access.children()
        marks = list(
            (
                await self.session.execute(
                    select(Mark).where(
                        Mark.course_id == course.id,
                        Mark.status == "active",
                        Mark.date >= starts,
                        Mark.date <= ends,
                    )
                )
            ).scalars()
        )
        stmt = select(TermMark).where(TermMark.course_id == course.id)
        stmt = stmt.where(
            TermMark.period_id == period_id if period_id else TermMark.period_id.is_(None)
        )
        existing = {t.student_id: t for t in (await self.session.execute(stmt)).scalars()}
        people = await self.access.directory.people(self.school_id, students)
        rows = []
        for student_id in sorted(
            students, key=lambda s: people[s].full_name if s in people else ""
        ):
            own = [m for m in marks if m.student_id == student_id]
            plain, weighted = averages(own)
            term = existing.get(student_id)
            rows.append(
                {
                    "student_id": student_id,
                    "student_name": people[student_id].full_name if student_id in people else "",
                    "marks": [m.value for m in sorted(own, key=lambda m: m.date)],
                    "average": plain,
                    "weighted_average": weighted,
                    "suggested": _suggest(weighted),
                    "term_mark": term,
                }
            )
        return course, period, rows

    async def set_mark(
        self,
        course_id: uuid.UUID,
        student_id: uuid.UUID,
        period_id: uuid.UUID | None,
        value: str,
        reason: str | None,
        if_match: str | None,
    ) -> TermMark:
        course = await self.access.course_for_write(course_id)
        if student_id not in await self.access.course_students(course):
            raise BusinessRuleError(
                "Обучающийся не изучает этот курс", code="student-not-in-course"
            )
        period, starts, ends = await self._range(course, period_id)
        await ensure_open(self.session, self.school_id, ends)
        values = await scale_values(self.session, self.school_id)
        numeric_of(values, value)
        marks = list(
            (
                await self.session.execute(
                    select(Mark).where(
                        Mark.course_id == course.id,
                        Mark.student_id == student_id,
                        Mark.status == "active",
                        Mark.date >= starts,
                        Mark.date <= ends,
                    )
                )
            ).scalars()
        )
        plain, weighted = averages(marks)
        stmt = select(TermMark).where(
            TermMark.course_id == course.id, TermMark.student_id == student_id
        )
        stmt = stmt.where(
            TermMark.period_id == period_id if period_id else TermMark.period_id.is_(None)
        )
        row = (await self.session.execute(stmt)).scalar_one_or_none()
        old = snapshot(row) if row is not None else None
        if row is None:
            row = TermMark(
                school_id=self.school_id,
                course_id=course.id,
                student_id=student_id,
                period_id=period_id,
                academic_year_id=course.academic_year_id or period.academic_year_id,
                value=value,
            )
            self.session.add(row)
        else:
            check_if_match(if_match, row.id, row.version)
        row.value = value
        row.average = plain
        row.weighted_average = weighted
        row.set_by = self.access.user_id
        try:
            await self.session.flush()
        except StaleDataError:
            raise PreconditionFailed(
                "Итоговая отметка уже изменена другим пользователем", code="precondition-failed"
            ) from None
        if old != snapshot(row):
            await record_change(
                self.session,
                school_id=self.school_id,
                entity="term_mark",
                entity_id=row.id,
                action="created" if old is None else "updated",
                old=old,
                new=snapshot(row),
                reason=reason,
                by=self.access.user_id,
            )
            await emit(
                self.session,
                kernel.outbox,
                school_id=self.school_id,
                type="term_mark.set",
                aggregate_type="term_mark",
                aggregate_id=row.id,
                payload={
                    "id": str(row.id),
                    "course_id": str(row.course_id),
                    "student_id": str(row.student_id),
                    "period_id": str(row.period_id) if row.period_id else None,
                    "academic_year_id": str(row.academic_year_id),
                    "value": row.value,
                    "average": _f(row.average),
                    "weighted_average": _f(row.weighted_average),
                    "version": row.version,
                },
            )
        return row

    async def history(self, term_mark_id: uuid.UUID) -> tuple[TermMark, list[Change]]:
        row = await self.session.get(TermMark, term_mark_id)
        if row is None or row.school_id != self.school_id:
            raise NotFound("Итоговая отметка не найдена", code="term-mark-not-found")
        a = self.access
        if not (a.is_staff or row.student_id == a.user_id or row.student_id in await a.children()):
            try:
                await a.course_for_read(row.course_id)
            except ProblemError:
                raise NotFound("Итоговая отметка не найдена", code="term-mark-not-found") from None
            if not a.is_teacher:
                raise NotFound("Итоговая отметка не найдена", code="term-mark-not-found")
        changes = await self.session.execute(
            select(Change)
            .where(Change.entity == "term_mark", Change.entity_id == row.id)
            .order_by(Change.at, Change.id)
        )
        return row, list(changes.scalars())


def _suggest(weighted: float | None) -> str | None:
    """The usual rounding of the weighted average: 4.5 and above → 5, 3.5 → 4, 2.5 → 3."""
    if weighted is None:
        return None
    if weighted >= 4.5:
        return "5"
    if weighted >= 3.5:
        return "4"
    if weighted >= 2.5:
        return "3"
    return "2"
