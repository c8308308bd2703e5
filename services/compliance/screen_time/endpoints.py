"""``/screen-time``: actual screen time of students, daily totals and alerts (CO-3)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Path, Query, Request, Response

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.compliance.screen_time.auth import Reader, Reporter
from services.compliance.screen_time.schemas import (
    AlertRead,
    ReportResult,
    ScreenTimeReport,
    StudentDayDetail,
)
from services.compliance.screen_time.service import ScreenTimeService

router = api_router(prefix="/api/v1/compliance/screen-time", tags=["screen-time"])


@router.post(
    "/intervals",
    response_model=ReportResult,
    summary="Сообщить о фактической работе обучающихся с ЭСО",
    description=(
        "Пакет интервалов работы с электронными средствами обучения: обучающийся, тип ЭСО "
        "(interactive_whiteboard, interactive_panel, pc, laptop, tablet), начало и окончание "
        "(или минуты), место — school или home; без места оно определяется по расписанию "
        "(внутри урока класса обучающегося — school, иначе home). Повторно присланное или "
        "пересекающееся время одного устройства не учитывается дважды; поддерживается "
        "заголовок Idempotency-Key. Суммы за день (по часовому поясу школы) сравниваются с "
        "дневными нормами действующих наборов (СанПиН 1.2.3685-21, табл. 6.8: в школе и "
        "дома, включая досуг; наборы школы; суммарный лимит школы); при 80 % и 100 % нормы "
        "обучающемуся и его родителям один раз отправляется письмо. Сообщают: сам "
        "обучающийся, его родитель, администрация школы и сервисы платформы (приложения, "
        "с school_id). Один неверный интервал отклоняет весь пакет, ничего не сохраняется. "
        "Тело запроса — не больше 1 МБ (413)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 413),
)
async def report_screen_time(
    request: Request, body: ScreenTimeReport, principal: Reporter, session: SessionDep
) -> ReportResult:
    return await ScreenTimeService(session, principal, request.app.state.settings).report(body)


@router.get(
    "/students/{student_id}/days/{day}",
    response_model=StudentDayDetail,
    summary="Время работы обучающегося с ЭСО за день",
    description=(
        "Суммы по типам ЭСО в школе и дома, дневные нормы и их доля, интервалы и оповещения "
        "дня. Обучающийся видит себя, родитель — своих детей, педагог — обучающихся своих "
        "классов, администрация — всю школу; другие обучающиеся — 404."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_student_screen_time_day(
    request: Request,
    student_id: Annotated[uuid.UUID, Path(description="Обучающийся")],
    day: Annotated[date, Path(description="День по времени школы")],
    principal: Reader,
    session: SessionDep,
) -> StudentDayDetail:
    return await ScreenTimeService(session, principal, request.app.state.settings).day(
        student_id, day
    )


@router.get(
    "/alerts",
    response_model=Page[AlertRead],
    summary="Оповещения о времени работы с ЭСО",
    description=(
        "Оповещения о достижении 80 % и 100 % дневной нормы, по порядку создания: "
        "обучающийся видит свои, родитель — своих детей, педагог — обучающихся своих "
        "классов, администрация — всей школы. Фильтры: обучающийся и период."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_screen_time_alerts(
    request: Request,
    response: Response,
    principal: Reader,
    session: SessionDep,
    page: PageDep,
    student_id: Annotated[uuid.UUID | None, Query(description="Обучающийся")] = None,
    date_from: Annotated[date | None, Query(description="С даты")] = None,
    date_to: Annotated[date | None, Query(description="По дату")] = None,
) -> Page[AlertRead]:
    items, cursor = await ScreenTimeService(
        session, principal, request.app.state.settings
    ).list_alerts(page, student_id, date_from, date_to)
    return make_page(request, response, items, page, cursor)
