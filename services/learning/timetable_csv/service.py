"""Timetable CSV: export of a period, import of lessons all or nothing (LE-3, GW-5, ID-9).

The export reads through :class:`TimetableReader`, so its access rules are those of
``GET /timetable``. The import creates lessons: every row is checked first — the
course (by ``course_id`` or by an external id), the caller's right to write in it, the
date in the course's academic year, the time, forms and links, a free slot (in the
database and within the file) — and if any row is wrong the answer lists every problem
with its line and nothing is stored. Each created lesson emits ``lesson.scheduled``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, time
from typing import Any
from urllib.parse import urlsplit

from services.common.csvio import CsvInvalid, Errors, Record, read_table
from services.common.external_ids import EXTERNAL_SYSTEMS
from services.learning.access import Access
from services.learning.courses.repository import CourseRepository
from services.learning.events import LESSON_SCHEDULED, emit_lesson_event
from services.learning.external_ids.repository import CourseExternalIdRepository
from services.learning.models import Course, Lesson
from services.learning.models.courses import DELIVERY_FORMS, ORGANISATIONAL_FORMS, SUPPORT_MODES
from services.learning.timetable.reading import TimetableReader
from services.learning.timetable.service import instant
from services.learning.timetable_csv.repository import TimetableImportRepository
from services.learning.timetable_csv.schemas import (
    IMPORT_COLUMNS,
    IMPORT_REQUIRED,
    MAX_IMPORT_ROWS,
    TimetableImportResult,
)

IMPORT_ERROR_CODE = "timetable-import-invalid"
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RU_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")


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


def parse_time(value: str) -> time:
    match = _TIME.match(value)
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise ValueError("Время: ЧЧ:ММ, например 09:00")
    return time(int(match.group(1)), int(match.group(2)))


def external_ids_text(ids: dict[str, str]) -> str:
    return "|".join(f"{system}={value}" for system, value in sorted(ids.items()))


@dataclass
class LessonRow:
    line: int
    course_id: uuid.UUID | None = None
    course_external: tuple[str, str] | None = None
    date: date | None = None
    starts_at: time | None = None
    duration_minutes: int = 40
    lesson_number: int | None = None
    organisational_form: str = "lesson"
    delivery_form: str = "in_person"
    support_mode: str | None = None
    room: str | None = None
    video_room_url: str | None = None
    homework: str | None = None


def _int(record: Record, column: str, errors: Errors, low: int, high: int) -> int | None:
    text = record.get(column)
    if not text:
        return None
    if not text.isdigit() or not low <= int(text) <= high:
        errors.add(record.line, column, f"Целое число от {low} до {high}")
        return None
    return int(text)


def _choice(
    record: Record, column: str, errors: Errors, allowed: Sequence[str], default: str | None
) -> str | None:
    text = record.get(column)
    if not text:
        return default
    if text not in allowed:
        errors.add(record.line, column, "Допустимые значения: " + ", ".join(allowed))
        return default
    return text


def _text(record: Record, column: str, errors: Errors, max_length: int) -> str | None:
    text = record.get(column)
    if not text:
        return None
    if len(text) > max_length:
        errors.add(record.line, column, f"Не длиннее {max_length} символов", "too-long")
        return None
    return text


def parse_lesson_row(record: Record, errors: Errors) -> LessonRow:
    line = record.line
    row = LessonRow(line=line)
    course_text = record.get("course_id")
    system, value = record.get("course_external_system"), record.get("course_external_id")
    if course_text:
        try:
            row.course_id = uuid.UUID(course_text)
        except ValueError:
            errors.add(line, "course_id", "Идентификатор курса (UUID)")
    elif system or value:
        if system not in EXTERNAL_SYSTEMS:
            errors.add(
                line, "course_external_system", "Внешняя система: " + ", ".join(EXTERNAL_SYSTEMS)
            )
        elif not value:
            errors.add(line, "course_external_id", "Укажите идентификатор курса", "missing")
        else:
            row.course_external = (system, value)
    else:
        errors.add(
            line,
            "course_id",
            "Укажите course_id или course_external_system и course_external_id",
            "missing",
        )
    for column, parse in (("date", parse_date), ("starts_at", parse_time)):
        text = record.get(column)
        if not text:
            errors.add(line, column, "Обязательное поле не заполнено", "missing")
            continue
        try:
            setattr(row, column, parse(text))
        except ValueError as exc:
            errors.add(line, column, str(exc))
    row.duration_minutes = _int(record, "duration_minutes", errors, 5, 240) or 40
    row.lesson_number = _int(record, "lesson_number", errors, 1, 20)
    row.organisational_form = (
        _choice(record, "organisational_form", errors, ORGANISATIONAL_FORMS, "lesson") or "lesson"
    )
    row.delivery_form = (
        _choice(record, "delivery_form", errors, DELIVERY_FORMS, "in_person") or "in_person"
    )
    row.support_mode = _choice(record, "support_mode", errors, SUPPORT_MODES, None)
    row.room = _text(record, "room", errors, 100)
    url = _text(record, "video_room_url", errors, 1000)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            errors.add(
                line, "video_room_url", "Ссылка на видеокомнату должна начинаться с https://"
            )
        else:
            row.video_room_url = url
    row.homework = _text(record, "homework", errors, 5000)
    return row


class TimetableCsvService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id
        self.repo = TimetableImportRepository(access.session)
        self.external = CourseExternalIdRepository(access.session)

    # -- export ----------------------------------------------------------------------

    async def export_rows(self, start: date, end: date, **selectors: Any) -> list[list[Any]]:
        timetable = await TimetableReader(self.access).timetable(start, end, **selectors)
        externals = await CourseRepository(self.session).external_ids(
            self.school_id, {ls.course.id for ls in timetable.lessons}
        )
        return [
            [
                ls.id,
                ls.course.id,
                external_ids_text(externals.get(ls.course.id, {})),
                ls.course.subject,
                ls.course.class_name,
                ls.course.subgroup,
                ls.date.isoformat(),
                ls.starts_at.strftime("%H:%M"),
                ls.duration_minutes,
                ls.lesson_number,
                ls.organisational_form,
                ls.delivery_form,
                ls.support_mode,
                ls.room,
                ls.video_room_url,
                ls.teacher.name if ls.teacher else None,
                ls.topic.title if ls.topic else None,
                ls.homework,
                ls.status,
            ]
            for ls in timetable.lessons
        ]

    # -- import ----------------------------------------------------------------------

    async def import_csv(self, raw: bytes) -> TimetableImportResult:
        self.access.require_writer()
        records = read_table(
            raw,
            columns=IMPORT_COLUMNS,
            required=IMPORT_REQUIRED,
            max_rows=MAX_IMPORT_ROWS,
            code=IMPORT_ERROR_CODE,
        )
        errors = Errors()
        rows = [parse_lesson_row(r, errors) for r in records]
        courses = await self._resolve_courses(rows, errors)
        await self._check_against_school(rows, courses, errors)
        if errors:
            raise CsvInvalid(errors.items, code=IMPORT_ERROR_CODE)
        return await self._create(rows, courses)

    async def _resolve_courses(
        self, rows: list[LessonRow], errors: Errors
    ) -> dict[uuid.UUID, Course]:
        by_system: dict[str, dict[str, uuid.UUID]] = {}
        for system in {r.course_external[0] for r in rows if r.course_external}:
            by_system[system] = await self.external.values_of_system(self.school_id, system)
        for row in rows:
            if row.course_external is not None:
                system, value = row.course_external
                row.course_id = by_system[system].get(value)
                if row.course_id is None:
                    errors.add(
                        row.line,
                        "course_external_id",
                        "Курс с таким внешним идентификатором не найден",
                        "unknown-course",
                    )
        courses = await self.repo.courses(
            self.school_id, {r.course_id for r in rows if r.course_id}
        )
        for row in rows:
            if row.course_id is None:
                continue
            course = courses.get(row.course_id)
            column = "course_id" if row.course_external is None else "course_external_id"
            if course is None:
                errors.add(row.line, column, "Курс не найден в школе", "unknown-course")
                row.course_id = None
            elif not (self.access.is_admin or self.access.teaches(course)):
                errors.add(
                    row.line,
                    column,
                    "Добавлять уроки могут только педагоги курса и администратор",
                    "not-your-course",
                )
                row.course_id = None
            elif course.is_archived:
                errors.add(row.line, column, "Курс в архиве", "course-archived")
                row.course_id = None
        return courses

    async def _check_against_school(
        self, rows: list[LessonRow], courses: dict[uuid.UUID, Course], errors: Errors
    ) -> None:
        directory = self.access.directory
        years: dict[uuid.UUID, Any] = {}
        for year_id in {courses[r.course_id].academic_year_id for r in rows if r.course_id}:
            years[year_id] = await directory.year(self.school_id, year_id)
        dated = [r for r in rows if r.course_id and r.date and r.starts_at]
        busy = (
            await self.repo.busy_slots(
                self.school_id,
                {r.course_id for r in dated if r.course_id},
                min(r.date for r in dated if r.date),
                max(r.date for r in dated if r.date),
            )
            if dated
            else set()
        )
        in_file: dict[tuple[Any, Any, Any], int] = {}
        for row in dated:
            assert row.course_id is not None
            assert row.date is not None
            year = years.get(courses[row.course_id].academic_year_id)
            if year is None or not year.starts_on <= row.date <= year.ends_on:
                errors.add(
                    row.line, "date", "Дата вне учебного года курса", "lesson-outside-academic-year"
                )
                continue
            slot = (row.course_id, row.date, row.starts_at)
            if slot in busy:
                errors.add(
                    row.line, "starts_at", "У курса уже есть урок в это время", "lesson-slot-taken"
                )
            elif slot in in_file:
                errors.add(
                    row.line,
                    "starts_at",
                    f"Этот урок уже есть в строке {in_file[slot]}",
                    "duplicate-lesson",
                )
            else:
                in_file[slot] = row.line

    async def _create(
        self, rows: list[LessonRow], courses: dict[uuid.UUID, Course]
    ) -> TimetableImportResult:
        tz = await self.access.directory.timezone(self.school_id)
        lessons: list[tuple[Lesson, Course]] = []
        for row in rows:
            assert row.course_id is not None
            assert row.date is not None
            assert row.starts_at is not None
            lesson = Lesson(
                id=uuid.uuid4(),
                school_id=self.school_id,
                course_id=row.course_id,
                template_id=None,
                date=row.date,
                starts_at=row.starts_at,
                starts_at_utc=instant(row.date, row.starts_at, tz),
                duration_minutes=row.duration_minutes,
                lesson_number=row.lesson_number,
                topic_id=None,
                organisational_form=row.organisational_form,
                delivery_form=row.delivery_form,
                support_mode=row.support_mode,
                devices=[],
                room=row.room,
                video_room_url=row.video_room_url,
                status="scheduled",
                homework=row.homework,
                version=1,
            )
            lessons.append((lesson, courses[row.course_id]))
        self.session.add_all([ls for ls, _ in lessons])
        await self.session.flush()
        for lesson, course in lessons:
            await emit_lesson_event(self.session, LESSON_SCHEDULED, lesson, course, None)
        return TimetableImportResult(created=len(lessons), lesson_ids=[ls.id for ls, _ in lessons])
