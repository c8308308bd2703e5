"""Journal exports (JO-8): a course's journal and a class's summary sheet, XLSX and PDF."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import Query, Response

from services.common.app import api_router
from services.journal.access import AccessDep
from services.journal.models import Period
from services.journal.periods.service import get_period
from services.journal.reports.auth import class_for_summary, course_for_report
from services.journal.reports.data import JournalReport, SummaryReport
from services.journal.reports.http import file_response, file_responses, safe_name
from services.journal.reports.pdf import render_journal_pdf, render_summary_pdf
from services.journal.reports.service import build_journal, build_summary
from services.journal.reports.xlsx import render_journal_xlsx, render_summary_xlsx

router = api_router(prefix="/api/v1/journal", tags=["reports"])

PeriodQuery = Annotated[
    uuid.UUID | None,
    Query(description="Учебный период; без него — весь учебный год с итоговыми отметками"),
]

JOURNAL_DESCRIPTION = (
    "Обучающиеся (ФИО) × уроки периода (даты): отметки и «н» за пропуски; отметки вне "
    "уроков; средний и средневзвешенный балл; отметка за период (и за год, если выгрузка "
    "за год). Второй лист — темы уроков: дата, тема (по записи урока, иначе по плану с "
    "пометкой), форма проведения, домашнее задание. Доступно педагогам курса, классному "
    "руководителю и администрации."
)
SUMMARY_DESCRIPTION = (
    "Обучающиеся класса × предметы: средневзвешенный балл и отметка за период; за год — "
    "отметки всех периодов, средний балл и годовая отметка. Доступно классному "
    "руководителю и администрации."
)


async def _journal(
    access: AccessDep, course_id: uuid.UUID, period_id: uuid.UUID | None
) -> JournalReport:
    course = await course_for_report(access, course_id)
    period = await _period(access, period_id)
    return await build_journal(access.session, access.school_id, course, period)


async def _summary(
    access: AccessDep, group_id: uuid.UUID, period_id: uuid.UUID | None
) -> SummaryReport:
    group, year = await class_for_summary(access, group_id)
    period = await _period(access, period_id)
    return await build_summary(access.session, access.school_id, group, year, period)


async def _period(access: AccessDep, period_id: uuid.UUID | None) -> Period | None:
    if period_id is None:
        return None
    return await get_period(access.session, access.school_id, period_id)


def _journal_name(report: JournalReport, ext: str) -> str:
    return safe_name(f"Журнал {report.class_name} {report.subject} {report.label}") + f".{ext}"


def _summary_name(report: SummaryReport, ext: str) -> str:
    return safe_name(f"Сводная ведомость {report.class_name} {report.label}") + f".{ext}"


@router.get(
    "/courses/{course_id}/journal.xlsx",
    response_class=Response,
    summary="Журнал курса за период (XLSX)",
    description=JOURNAL_DESCRIPTION,
    responses=file_responses("xlsx", 404),
)
async def export_course_journal_xlsx(
    course_id: uuid.UUID, access: AccessDep, period_id: PeriodQuery = None
) -> Response:
    report = await _journal(access, course_id, period_id)
    content = await asyncio.to_thread(render_journal_xlsx, report)
    return file_response(content, "xlsx", _journal_name(report, "xlsx"))


@router.get(
    "/courses/{course_id}/journal.pdf",
    response_class=Response,
    summary="Журнал курса за период (PDF)",
    description=JOURNAL_DESCRIPTION,
    responses=file_responses("pdf", 404),
)
async def export_course_journal_pdf(
    course_id: uuid.UUID, access: AccessDep, period_id: PeriodQuery = None
) -> Response:
    report = await _journal(access, course_id, period_id)
    content = await asyncio.to_thread(render_journal_pdf, report)
    return file_response(content, "pdf", _journal_name(report, "pdf"))


@router.get(
    "/class-groups/{group_id}/summary.xlsx",
    response_class=Response,
    summary="Сводная ведомость успеваемости класса (XLSX)",
    description=SUMMARY_DESCRIPTION,
    responses=file_responses("xlsx", 404),
)
async def export_class_summary_xlsx(
    group_id: uuid.UUID, access: AccessDep, period_id: PeriodQuery = None
) -> Response:
    report = await _summary(access, group_id, period_id)
    content = await asyncio.to_thread(render_summary_xlsx, report)
    return file_response(content, "xlsx", _summary_name(report, "xlsx"))


@router.get(
    "/class-groups/{group_id}/summary.pdf",
    response_class=Response,
    summary="Сводная ведомость успеваемости класса (PDF)",
    description=SUMMARY_DESCRIPTION,
    responses=file_responses("pdf", 404),
)
async def export_class_summary_pdf(
    group_id: uuid.UUID, access: AccessDep, period_id: PeriodQuery = None
) -> Response:
    report = await _summary(access, group_id, period_id)
    content = await asyncio.to_thread(render_summary_pdf, report)
    return file_response(content, "pdf", _summary_name(report, "pdf"))
