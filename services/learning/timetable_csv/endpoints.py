"""``/timetable/export.csv`` and ``/timetable/import`` (LE-3, GW-5, ID-9)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.csvio import CSV_REQUEST_BODY, CSV_RESPONSE, csv_response, require_csv
from services.common.errors import AUTH_ERRORS, problem_responses
from services.learning.access import AccessDep
from services.learning.timetable_csv.schemas import EXPORT_COLUMNS, TimetableImportResult
from services.learning.timetable_csv.service import TimetableCsvService

router = api_router(prefix="/api/v1/learning", tags=["timetable"])


@router.get(
    "/timetable/export.csv",
    response_class=Response,
    summary="Выгрузить расписание за период в CSV",
    description=(
        "Те же параметры и права, что у `GET /timetable`. Столбцы: "
        + ", ".join(EXPORT_COLUMNS)
        + ". Формат — docs/integration.md, раздел «CSV formats»."
    ),
    responses={**CSV_RESPONSE, **problem_responses(*AUTH_ERRORS, 404)},
)
async def export_timetable_csv(
    request: Request,
    access: AccessDep,
    date_from: Annotated[date, Query(alias="from", description="Первый день, ГГГГ-ММ-ДД")],
    date_to: Annotated[date, Query(alias="to", description="Последний день, ГГГГ-ММ-ДД")],
    student_id: Annotated[uuid.UUID | None, Query(description="Расписание обучающегося")] = None,
    class_group_id: Annotated[uuid.UUID | None, Query(description="Расписание класса")] = None,
    teacher_id: Annotated[uuid.UUID | None, Query(description="Расписание педагога")] = None,
    course_id: Annotated[uuid.UUID | None, Query(description="Уроки одного курса")] = None,
) -> Response:
    rows = await TimetableCsvService(access).export_rows(
        date_from,
        date_to,
        max_days=int(request.app.state.settings.timetable_max_days),
        student_id=student_id,
        class_group_id=class_group_id,
        teacher_id=teacher_id,
        course_id=course_id,
        include_cancelled=True,
    )
    return csv_response(EXPORT_COLUMNS, rows, f"timetable-{date_from}-{date_to}.csv")


@router.post(
    "/timetable/import",
    response_model=TimetableImportResult,
    status_code=status.HTTP_201_CREATED,
    summary="Загрузить уроки из CSV (все или ни одного)",
    description=(
        "Content-Type: text/csv, UTF-8. Столбцы: course_id (или course_external_system и "
        "course_external_id), date, starts_at, duration_minutes, lesson_number, "
        "organisational_form, delivery_form, support_mode, room, video_room_url, homework. "
        "Если хоть одна строка неверна — 422 `timetable-import-invalid` со списком "
        "`errors: [{line, field, message, code}]`, и ничего не сохраняется. Педагог — только "
        "в своих курсах, администратор — в любых. Событие `lesson.scheduled` на каждый урок."
    ),
    responses=problem_responses(*AUTH_ERRORS, 413, 415),
    openapi_extra=CSV_REQUEST_BODY,
)
async def import_timetable_csv(request: Request, access: AccessDep) -> TimetableImportResult:
    require_csv(request)
    return await TimetableCsvService(access).import_csv(await request.body())
