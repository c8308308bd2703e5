"""Marks (JO-2) and their history (JO-5); the class × subject × term grid."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Header, Query, Response, status
from fastapi.responses import JSONResponse
from pydantic import AwareDatetime

from services.common.app import api_router
from services.common.auth import AdminPrincipal, CurrentPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, BusinessRuleError, problem_responses
from services.common.etag import set_etag
from services.journal.access import AccessDep
from services.journal.marks import scale as scale_service
from services.journal.marks.grid import build_grid
from services.journal.marks.schemas import (
    ChangeRead,
    Grid,
    LessonMarks,
    MarkAnnul,
    MarkCreate,
    MarkHistory,
    MarkList,
    MarkRead,
    MarkUpdate,
    Scale,
    ScaleValue,
)
from services.journal.marks.service import MarkService
from services.journal.periods.service import get_period

router = api_router(prefix="/api/v1/journal", tags=["marks"])

IfMatch = Annotated[
    str | None, Header(description="ETag текущей версии записи (обязателен для изменения)")
]


@router.get(
    "/scale",
    response_model=Scale,
    summary="Шкала отметок школы",
    description="По умолчанию 5, 4, 3, 2 и «зачёт» / «незачёт».",
    responses=problem_responses(*AUTH_ERRORS),
)
async def get_scale(session: SessionDep, principal: CurrentPrincipal) -> Scale:
    values = await scale_service.scale_values(session, principal.school_id)
    return Scale(values=[ScaleValue(**v) for v in values])


@router.put(
    "/scale",
    response_model=Scale,
    summary="Задать шкалу отметок школы",
    description="Только администратор. Уже выставленные отметки не меняются.",
    responses=problem_responses(*AUTH_ERRORS),
)
async def put_scale(body: Scale, session: SessionDep, principal: AdminPrincipal) -> Scale:
    values = [v.model_dump() for v in body.values]
    await scale_service.save_scale(session, principal.school_id, values)
    return body


@router.post(
    "/marks",
    response_model=MarkRead,
    status_code=status.HTTP_201_CREATED,
    summary="Выставить отметку",
    description=(
        "Педагог курса выставляет отметку обучающемуся курса: значение из шкалы школы, вид "
        "контроля, вес, дата в пределах учебного года (или урок). В закрытом периоде — 423."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 423),
)
async def create_mark(body: MarkCreate, access: AccessDep, response: Response) -> MarkRead:
    mark = await MarkService(access).create(body)
    set_etag(response, mark.id, mark.version)
    return MarkRead.model_validate(mark)


@router.post(
    "/lessons/{lesson_id}/marks",
    response_model=MarkList,
    status_code=status.HTTP_201_CREATED,
    summary="Выставить отметки за урок (все или ни одной)",
    description="Все отметки урока одним запросом: при любой ошибке не сохраняется ни одна.",
    responses=problem_responses(*AUTH_ERRORS, 404, 423),
)
async def create_lesson_marks(
    lesson_id: uuid.UUID, body: LessonMarks, access: AccessDep
) -> MarkList:
    marks = await MarkService(access).create_for_lesson(lesson_id, body)
    return MarkList(items=[MarkRead.model_validate(m) for m in marks])


@router.get(
    "/marks",
    response_model=MarkList,
    summary="Отметки курса или обучающегося",
    description=(
        "Фильтр по курсу и/или обучающемуся и датам; `changed_since` — только выставленные "
        "или изменённые с этого момента. Обучающийся и родитель видят только "
        "свои (детей) отметки; классный руководитель — все предметы своего класса."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_marks(
    access: AccessDep,
    course_id: Annotated[uuid.UUID | None, Query()] = None,
    student_id: Annotated[uuid.UUID | None, Query()] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    include_annulled: Annotated[bool, Query(description="Показать аннулированные")] = False,
    changed_since: Annotated[
        AwareDatetime | None,
        Query(
            description=(
                "Только отметки, выставленные или изменённые с этого момента (ISO 8601 с "
                "часовым поясом), — «новые отметки с прошлого визита»"
            )
        ),
    ] = None,
) -> MarkList:
    marks = await MarkService(access).list(
        course_id=course_id,
        student_id=student_id,
        date_from=date_from,
        date_to=date_to,
        include_annulled=include_annulled,
        changed_since=changed_since,
    )
    return MarkList(items=[MarkRead.model_validate(m) for m in marks])


@router.get(
    "/marks/{mark_id}",
    response_model=MarkRead,
    summary="Отметка (с ETag для изменения)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_mark(mark_id: uuid.UUID, access: AccessDep, response: Response) -> MarkRead:
    mark = await MarkService(access).readable(mark_id)
    set_etag(response, mark.id, mark.version)
    return MarkRead.model_validate(mark)


@router.patch(
    "/marks/{mark_id}",
    response_model=MarkRead,
    summary="Изменить отметку (If-Match обязателен)",
    description=(
        "Изменение сохраняется в истории: кто, когда, старое и новое значение, причина. "
        "Без If-Match — 428, если запись уже изменена — 412, в закрытом периоде — 423."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 412, 423, 428),
)
async def update_mark(
    mark_id: uuid.UUID,
    body: MarkUpdate,
    access: AccessDep,
    response: Response,
    if_match: IfMatch = None,
) -> MarkRead:
    mark = await MarkService(access).update(mark_id, body, if_match)
    set_etag(response, mark.id, mark.version)
    return MarkRead.model_validate(mark)


@router.post(
    "/marks/{mark_id}/annul",
    response_model=MarkRead,
    summary="Аннулировать отметку (If-Match обязателен)",
    description="Отметка не удаляется: она помечается аннулированной с указанием причины.",
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 412, 423, 428),
)
async def annul_mark(
    mark_id: uuid.UUID,
    body: MarkAnnul,
    access: AccessDep,
    response: Response,
    if_match: IfMatch = None,
) -> MarkRead:
    mark = await MarkService(access).annul(mark_id, body.reason, if_match)
    set_etag(response, mark.id, mark.version)
    return MarkRead.model_validate(mark)


@router.get(
    "/marks/{mark_id}/history",
    response_model=MarkHistory,
    summary="История отметки",
    description="Все изменения отметки; доступна тем, кто видит саму отметку.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def mark_history(mark_id: uuid.UUID, access: AccessDep) -> MarkHistory:
    mark, changes = await MarkService(access).history(mark_id)
    return MarkHistory(
        mark=MarkRead.model_validate(mark),
        changes=[ChangeRead.model_validate(c) for c in changes],
    )


@router.get(
    "/courses/{course_id}/grid",
    response_model=Grid,
    summary="Журнал курса за период: обучающиеся × уроки",
    description=(
        "Отметки и пропуски каждого обучающегося по урокам периода, средний и средний "
        "взвешенный балл. Число запросов к базе не зависит от размера класса."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def course_grid(
    course_id: uuid.UUID,
    access: AccessDep,
    period_id: Annotated[uuid.UUID | None, Query(description="Период")] = None,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
) -> Grid:
    course = await access.course_for_read(course_id)
    if period_id is not None:
        period = await get_period(access.session, access.school_id, period_id)
        starts, ends = period.starts_on, period.ends_on
    elif date_from is not None and date_to is not None:
        starts, ends = date_from, date_to
    else:
        raise BusinessRuleError("Укажите период или даты from и to", code="range-required")
    # a student or guardian sees their own row (children's rows) only
    only = (
        None if access.is_staff or access.is_teacher else {access.user_id} | await access.children()
    )
    grid = await build_grid(access.session, access.school_id, course, starts, ends, period_id, only)
    # Built as plain JSON (its shape is Grid): 1,500 cells need no model objects.
    return JSONResponse(grid)  # type: ignore[return-value]
