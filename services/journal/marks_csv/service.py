"""Marks CSV: a course's marks of a period out, marks in all or nothing (JO-2, GW-5, ID-9).

The export shows what the grid shows: staff, the course's teachers and the homeroom
teacher get every student's marks, a student or guardian their own (children's) only.
The import is for the course's teachers and admins: every row is checked first — the
student (by id or by an external id) takes the course, the value is on the school's
scale, the date lies in the course's academic year and in an open period, the lesson
(if named) is the course's — and if any row is wrong the answer lists every problem with
its line and nothing is stored. Each mark gets its history entry and ``mark.created``.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from services.common.csvio import CsvInvalid, Errors, Record, read_table
from services.common.errors import BusinessRuleError, Locked
from services.common.external_ids import EXTERNAL_SYSTEMS
from services.common.outbox import emit
from services.journal.access import Access
from services.journal.marks.scale import scale_values
from services.journal.marks.service import check_in_year, mark_payload, record_change, snapshot
from services.journal.marks_csv.repository import MarksCsvRepository
from services.journal.marks_csv.schemas import (
    IMPORT_COLUMNS,
    IMPORT_REQUIRED,
    MAX_IMPORT_ROWS,
    MarksImportResult,
)
from services.journal.models import Mark, kernel
from services.journal.models.journal import CONTROL_TYPES
from services.journal.periods.service import ensure_open

IMPORT_ERROR_CODE = "marks-import-invalid"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RU_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")


def parse_date(value: str) -> date:
    try:
        if _ISO_DATE.match(value):
            return date.fromisoformat(value)
        if match := _RU_DATE.match(value):
            day, month, year = (int(p) for p in match.groups())
            return date(year, month, day)
    except ValueError:
        pass
    raise ValueError("Дата: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ")


def external_ids_text(ids: dict[str, str]) -> str:
    return "|".join(f"{system}={value}" for system, value in sorted(ids.items()))


@dataclass
class MarkRow:
    line: int
    student_id: uuid.UUID | None = None
    student_column: str = "student_id"
    lesson_id: uuid.UUID | None = None
    date: date | None = None
    value: str = ""
    control_type: str = "current_control"
    weight: Decimal = Decimal(1)
    comment: str | None = None


def parse_mark_row(
    record: Record, errors: Errors, externals: dict[str, dict[str, uuid.UUID]]
) -> MarkRow:
    line = record.line
    row = MarkRow(line=line)
    student, system, value = (
        record.get("student_id"),
        record.get("student_external_system"),
        record.get("student_external_id"),
    )
    if student:
        try:
            row.student_id = uuid.UUID(student)
        except ValueError:
            errors.add(line, "student_id", "Идентификатор обучающегося (UUID)")
    elif system or value:
        row.student_column = "student_external_id"
        if system not in EXTERNAL_SYSTEMS:
            errors.add(
                line, "student_external_system", "Внешняя система: " + ", ".join(EXTERNAL_SYSTEMS)
            )
        elif not value:
            errors.add(line, "student_external_id", "Укажите идентификатор", "missing")
        else:
            row.student_id = externals.get(system, {}).get(value)
            if row.student_id is None:
                errors.add(
                    line,
                    "student_external_id",
                    "Обучающийся с таким внешним идентификатором не найден",
                    "unknown-student",
                )
    else:
        errors.add(
            line,
            "student_id",
            "Укажите student_id или student_external_system и student_external_id",
            "missing",
        )
    lesson = record.get("lesson_id")
    if lesson:
        try:
            row.lesson_id = uuid.UUID(lesson)
        except ValueError:
            errors.add(line, "lesson_id", "Идентификатор урока (UUID)")
    day = record.get("date")
    if day:
        try:
            row.date = parse_date(day)
        except ValueError as exc:
            errors.add(line, "date", str(exc))
    elif not lesson:
        errors.add(line, "date", "Укажите дату или урок", "missing")
    row.value = record.get("value")
    if not row.value:
        errors.add(line, "value", "Обязательное поле не заполнено", "missing")
    control = record.get("control_type")
    if control:
        if control not in CONTROL_TYPES:
            errors.add(line, "control_type", "Допустимые значения: " + ", ".join(CONTROL_TYPES))
        else:
            row.control_type = control
    weight = record.get("weight").replace(",", ".")
    if weight:
        try:
            parsed = Decimal(weight)
            if not (Decimal(0) < parsed <= Decimal(10)) or parsed != parsed.quantize(
                Decimal("0.01")
            ):
                raise InvalidOperation
            row.weight = parsed
        except InvalidOperation:
            errors.add(line, "weight", "Вес: число больше 0 и не больше 10, до двух знаков")
    comment = record.get("comment")
    if comment:
        if len(comment) > 2000:
            errors.add(line, "comment", "Не длиннее 2000 символов", "too-long")
        else:
            row.comment = comment
    return row


class MarksCsvService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id
        self.repo = MarksCsvRepository(access.session)

    async def export_rows(self, course: Any, starts: date, ends: date) -> list[list[Any]]:
        a = self.access
        enrolled = await a.course_students(course)
        if a.is_staff or a.is_teacher:
            students = enrolled
        else:
            students = ({a.user_id} | await a.children()) & enrolled
        marks = await self.repo.marks(course.id, starts, ends, students)
        people = await a.directory.people(self.school_id, {m.student_id for m in marks})
        externals = await a.directory.external_ids(
            self.school_id, "user", {m.student_id for m in marks}
        )
        rows = []
        for m in marks:
            person = people.get(m.student_id)
            rows.append(
                [
                    m.id,
                    m.date.isoformat(),
                    m.lesson_id,
                    m.student_id,
                    external_ids_text(externals.get(m.student_id, {})),
                    person.last_name if person else None,
                    person.first_name if person else None,
                    person.middle_name if person else None,
                    m.value,
                    m.control_type,
                    f"{Decimal(str(m.weight)):.2f}",
                    m.comment,
                    m.source,
                ]
            )
        return rows

    async def import_csv(self, course_id: uuid.UUID, raw: bytes) -> MarksImportResult:
        course = await self.access.course_for_write(course_id)
        records = read_table(
            raw,
            columns=IMPORT_COLUMNS,
            required=IMPORT_REQUIRED,
            max_rows=MAX_IMPORT_ROWS,
            code=IMPORT_ERROR_CODE,
        )
        systems = {
            r.get("student_external_system")
            for r in records
            if r.get("student_external_system") in EXTERNAL_SYSTEMS
        }
        externals = {s: await self.repo.students_by_external(self.school_id, s) for s in systems}
        errors = Errors()
        rows = [parse_mark_row(r, errors, externals) for r in records]
        await self._check(course, rows, errors)
        if errors:
            raise CsvInvalid(errors.items, code=IMPORT_ERROR_CODE)
        return await self._create(course, rows)

    async def _check(self, course: Any, rows: list[MarkRow], errors: Errors) -> None:
        enrolled = await self.access.course_students(course)
        lessons = await self.repo.lessons(
            self.school_id, {r.lesson_id for r in rows if r.lesson_id}
        )
        scale = {str(v["value"]) for v in await scale_values(self.session, self.school_id)}
        day_problems: dict[date, tuple[str, str, str] | None] = {}
        for row in rows:
            if row.student_id is not None and row.student_id not in enrolled:
                errors.add(
                    row.line,
                    row.student_column,
                    "Обучающийся не изучает этот курс",
                    "student-not-in-course",
                )
            if row.value and row.value not in scale:
                errors.add(
                    row.line,
                    "value",
                    "Отметка не входит в шкалу школы: " + ", ".join(sorted(scale)),
                    "value-not-in-scale",
                )
            if row.lesson_id is not None:
                lesson = lessons.get(row.lesson_id)
                if lesson is None or lesson.course_id != course.id:
                    errors.add(
                        row.line,
                        "lesson_id",
                        "Урок не относится к этому курсу",
                        "lesson-not-in-course",
                    )
                    continue
                row.date = row.date or lesson.date
            if row.date is None:
                continue
            if row.date not in day_problems:
                day_problems[row.date] = await self._day_problem(course, row.date)
            problem = day_problems[row.date]
            if problem is not None:
                errors.add(row.line, *problem)

    async def _day_problem(self, course: Any, day: date) -> tuple[str, str, str] | None:
        try:
            await check_in_year(self.session, self.school_id, course, day)
            await ensure_open(self.session, self.school_id, day)
        except (BusinessRuleError, Locked) as exc:
            return "date", str(exc.detail or exc.title), exc.code
        return None

    async def _create(self, course: Any, rows: list[MarkRow]) -> MarksImportResult:
        values = {
            str(v["value"]): v.get("numeric")
            for v in await scale_values(self.session, self.school_id)
        }
        by = self.access.user_id
        marks = []
        for row in rows:
            assert row.student_id is not None
            assert row.date is not None
            numeric = values.get(row.value)
            mark = Mark(
                school_id=self.school_id,
                course_id=course.id,
                lesson_id=row.lesson_id,
                student_id=row.student_id,
                value=row.value,
                numeric_value=float(numeric) if numeric is not None else None,
                control_type=row.control_type,
                weight=row.weight,
                date=row.date,
                comment=row.comment,
                source="manual",
                created_by=by,
                updated_by=by,
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
                by=by,
                via="csv-import",
            )
            await emit(
                self.session,
                kernel.outbox,
                school_id=self.school_id,
                type="mark.created",
                aggregate_type="mark",
                aggregate_id=mark.id,
                payload=mark_payload(mark),
            )
        return MarksImportResult(created=len(marks), mark_ids=[m.id for m in marks])
