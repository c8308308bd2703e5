"""``/courses/{id}/marks/export.csv`` and ``/courses/{id}/marks/import`` (JO-2, GW-5)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.csvio import CSV_REQUEST_BODY, CSV_RESPONSE, csv_response, require_csv
from services.common.errors import AUTH_ERRORS, BusinessRuleError, problem_responses
from services.journal.access import AccessDep
from services.journal.marks_csv.schemas import EXPORT_COLUMNS, MarksImportResult
from services.journal.marks_csv.service import MarksCsvService
from services.journal.periods.service import get_period

router = api_router(prefix="/api/v1/journal", tags=["marks"])


@router.get(
    "/courses/{course_id}/marks/export.csv",
    response_class=Response,
    summary="Выгрузить отметки курса за период в CSV",
    description=(
        "Период — `period_id` или даты `from` и `to`. Права — как у журнала курса (`/grid`): "
        "обучающийся и родитель получают только свои (детей) отметки. Столбцы: "
        + ", ".join(EXPORT_COLUMNS)
        + ". Формат — docs/integration.md, раздел «CSV formats»."
    ),
    responses={**CSV_RESPONSE, **problem_responses(*AUTH_ERRORS, 404)},
)
async def export_course_marks_csv(
    course_id: uuid.UUID,
    access: AccessDep,
    period_id: Annotated[uuid.UUID | None, Query(description="Период")] = None,
    date_from: Annotated[date | None, Query(alias="from", description="С даты")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="По дату")] = None,
) -> Response:
    course = await access.course_for_read(course_id)
    if period_id is not None:
        period = await get_period(access.session, access.school_id, period_id)
        starts, ends = period.starts_on, period.ends_on
    elif date_from is not None and date_to is not None:
        starts, ends = date_from, date_to
    else:
        raise BusinessRuleError("Укажите период или даты from и to", code="range-required")
    rows = await MarksCsvService(access).export_rows(course, starts, ends)
    return csv_response(EXPORT_COLUMNS, rows, f"marks-{course_id}-{starts}-{ends}.csv")


@router.post(
    "/courses/{course_id}/marks/import",
    response_model=MarksImportResult,
    status_code=status.HTTP_201_CREATED,
    summary="Загрузить отметки курса из CSV (все или ни одной)",
    description=(
        "Content-Type: text/csv, UTF-8. Столбцы: student_id (или student_external_system и "
        "student_external_id), date, lesson_id, value, control_type, weight, comment. "
        "Если хоть одна строка неверна — 422 `marks-import-invalid` со списком "
        "`errors: [{line, field, message, code}]`, и ничего не сохраняется. Педагог курса или "
        "администратор. Событие `mark.created` на каждую отметку."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 413, 415),
    openapi_extra=CSV_REQUEST_BODY,
)
async def import_course_marks_csv(
    course_id: uuid.UUID, request: Request, access: AccessDep
) -> MarksImportResult:
    require_csv(request)
    return await MarksCsvService(access).import_csv(course_id, await request.body())
