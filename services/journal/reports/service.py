"""The class × subject × term journal and the class's summary sheet (JO-8), built with a
constant number of queries whatever the size of the class or the number of lessons.

Students who left the class keep their rows when they have marks or absences in the
range: a report never drops recorded results.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.directory import Directory
from services.common.errors import BusinessRuleError
from services.journal.marks.service import averages, by_student, grid_data
from services.journal.models import Mark, Period, TermMark, directory
from services.journal.reports.data import (
    DELIVERY_FORMS,
    JournalReport,
    JournalRow,
    LessonColumn,
    SummaryReport,
    SummaryRow,
)
from services.journal.reports.repository import ReportRepository

YEAR_MARK = "Год"
AVERAGE = "Ср. балл"


def _sort_key(name: str) -> str:
    return name.lower().replace("ё", "е")


def _year_label(year: Any) -> str:
    return f"{year.name} учебный год"


async def course_year(session: AsyncSession, school_id: uuid.UUID, course: Any) -> Any | None:
    d = Directory(session, directory)
    if course.academic_year_id is not None:
        return await d.year(school_id, course.academic_year_id)
    group = await d.class_group(school_id, course.class_group_id)
    if group is not None and group.academic_year_id is not None:
        return await d.year(school_id, group.academic_year_id)
    return None


def check_period_in_year(period: Period, year: Any) -> None:
    if year is None or period.academic_year_id != year.id:
        raise BusinessRuleError(
            "Период относится к другому учебному году", code="period-not-in-year"
        )


async def build_journal(
    session: AsyncSession, school_id: uuid.UUID, course: Any, period: Period | None
) -> JournalReport:
    """The journal of one course for a period, or for the whole year with every
    period's term mark and the year mark."""
    d = Directory(session, directory)
    repo = ReportRepository(session)
    year = await course_year(session, school_id, course)
    if year is None:
        raise BusinessRuleError("Учебный год курса не найден", code="year-not-found")
    term_columns: list[tuple[str, uuid.UUID | None]]
    if period is not None:
        check_period_in_year(period, year)
        starts, ends, label = period.starts_on, period.ends_on, f"{period.name} {year.name}"
        term_columns = [(period.name, period.id)]
    else:
        periods = await repo.periods(school_id, year.id)
        starts, ends, label = year.starts_on, year.ends_on, _year_label(year)
        term_columns = [(p.name, p.id) for p in periods] + [(YEAR_MARK, None)]
    group = await d.class_group(school_id, course.class_group_id)
    if course.student_ids is not None:
        enrolled = {uuid.UUID(s) for s in course.student_ids}
    else:
        enrolled = await d.students_of(school_id, [course.class_group_id])
    lessons, _enrolled_people, marks, absences = await grid_data(
        session, school_id, course, starts, ends, enrolled
    )
    # students who left the class keep their rows: names of everyone with a row, in one
    # query whether or not anyone is missing from grid_data's
    students = enrolled | {m.student_id for m in marks} | {a.student_id for a in absences}
    people = await d.people(school_id, students)
    teachers = await d.people(school_id, [uuid.UUID(t) for t in course.teacher_ids or []])
    records = await repo.lesson_records([course.id])
    terms = {
        (t.student_id, t.period_id): t.value
        for t in await repo.term_marks([course.id])
        if t.academic_year_id == year.id
    }

    held = [lesson for lesson in lessons if lesson.status != "cancelled"]
    columns = []
    for lesson in held:
        record = records.get(lesson.id)
        if record is not None:
            topic, form, homework = record.topic_title, record.delivery_form, record.homework
        else:
            topic = lesson.topic_title or ""
            form, homework = lesson.delivery_form, lesson.homework
        columns.append(
            LessonColumn(
                id=lesson.id,
                date=lesson.date,
                number=lesson.lesson_number,
                topic=topic,
                recorded=record is not None,
                delivery_form=DELIVERY_FORMS.get(form, form),
                homework=homework,
            )
        )
    shown = {c.id for c in columns}
    absent = {(a.student_id, a.lesson_id) for a in absences}
    marks_of = by_student(marks)
    rows = []
    for student_id in students:
        own = sorted(marks_of.get(student_id, []), key=lambda m: (m.date, m.created_at))
        per_lesson: dict[uuid.UUID, list[str]] = defaultdict(list)
        outside = []
        for m in own:
            if m.lesson_id is not None and m.lesson_id in shown:
                per_lesson[m.lesson_id].append(m.value)
            else:
                outside.append(f"{m.value} ({m.date.strftime('%d.%m')})")
        cells = []
        for c in columns:
            parts = (["н"] if (student_id, c.id) in absent else []) + per_lesson.get(c.id, [])
            cells.append(" ".join(parts))
        plain, weighted = averages(own)
        person = people.get(student_id)
        rows.append(
            JournalRow(
                student_id=student_id,
                name=person.full_name if person is not None else str(student_id),
                cells=cells,
                outside="; ".join(outside),
                average=plain,
                weighted_average=weighted,
                term_marks=[terms.get((student_id, pid), "") for _, pid in term_columns],
            )
        )
    rows.sort(key=lambda r: _sort_key(r.name))
    return JournalReport(
        school=await repo.school_name(school_id),
        class_name=group.name if group is not None else "",
        subject=course.subject + (f" ({course.subgroup})" if course.subgroup else ""),
        teachers=sorted(p.full_name for p in teachers.values()),
        year=year.name,
        label=label,
        starts=starts,
        ends=ends,
        lessons=columns,
        rows=rows,
        term_columns=[name for name, _ in term_columns],
        generated_at=utcnow(),
    )


async def build_summary(
    session: AsyncSession, school_id: uuid.UUID, group: Any, year: Any, period: Period | None
) -> SummaryReport:
    """Students × subjects of a class: for a period its average and term mark; for the
    year every period's term mark, the year's average and the year mark."""
    d = Directory(session, directory)
    repo = ReportRepository(session)
    if period is not None:
        check_period_in_year(period, year)
        starts, ends, label = period.starts_on, period.ends_on, f"{period.name} {year.name}"
        wanted: list[uuid.UUID] = []
        sub_columns = [AVERAGE, "Итог"]
    else:
        periods = await repo.periods(school_id, year.id)
        starts, ends, label = year.starts_on, year.ends_on, _year_label(year)
        wanted = [p.id for p in periods]
        sub_columns = [*(p.name for p in periods), AVERAGE, YEAR_MARK]
    courses = await repo.courses_of_year(school_id, year.id, [group.id], class_group_id=group.id)
    members = (await repo.members(school_id, [group.id])).get(group.id, set())
    ids = [c.id for c in courses]
    marks = await repo.marks(ids, starts, ends)
    terms = [t for t in await repo.term_marks(ids) if t.academic_year_id == year.id]
    students = members | {m.student_id for m in marks} | {t.student_id for t in terms}
    people = await d.people(school_id, students)

    subject_of = {c.id: c.subject for c in courses}
    subjects = sorted(set(subject_of.values()), key=_sort_key)
    marks_by: dict[tuple[uuid.UUID, str], list[Mark]] = defaultdict(list)
    for m in marks:
        marks_by[(m.student_id, subject_of[m.course_id])].append(m)
    terms_by: dict[tuple[uuid.UUID, str, uuid.UUID | None], TermMark] = {}
    for t in terms:
        terms_by[(t.student_id, subject_of[t.course_id], t.period_id)] = t

    rows = []
    for student_id in students:
        values: dict[str, list[float | str | None]] = {}
        for subject in subjects:
            _plain, weighted = averages(marks_by.get((student_id, subject), []))
            cells: list[float | str | None] = []
            for pid in wanted:
                term = terms_by.get((student_id, subject, pid))
                cells.append(term.value if term is not None else None)
            final = terms_by.get((student_id, subject, period.id if period is not None else None))
            cells += [weighted, final.value if final is not None else None]
            values[subject] = cells
        person = people.get(student_id)
        rows.append(
            SummaryRow(
                student_id=student_id,
                name=person.full_name if person is not None else str(student_id),
                values=values,
            )
        )
    rows.sort(key=lambda r: _sort_key(r.name))
    return SummaryReport(
        school=await repo.school_name(school_id),
        class_name=group.name,
        year=year.name,
        label=label,
        subjects=subjects,
        sub_columns=sub_columns,
        rows=rows,
        generated_at=utcnow(),
    )
