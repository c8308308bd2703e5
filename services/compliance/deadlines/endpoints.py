"""``/notices``, ``/deadlines/settings`` and ``/calendar`` (CO-5): HTTP only."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response, status

from services.common.app import api_router
from services.common.auth import AdminPrincipal, AnyPrincipal, StaffPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.compliance.deadlines.calendar_service import CalendarService
from services.compliance.deadlines.schemas import (
    CalendarYearBrief,
    CalendarYearPut,
    CalendarYearRead,
    DeadlineSettingsRead,
    DeadlineSettingsUpdate,
    NoticeCreate,
    NoticeKind,
    NoticeRead,
    NoticeState,
    NoticeSummary,
    NoticeUpdate,
    PublicationCreate,
    WorkingDayDeadline,
)
from services.compliance.deadlines.service import NoticeService

router = api_router(prefix="/api/v1/compliance", tags=["deadlines"])
calendar_router = api_router(prefix="/api/v1/compliance", tags=["calendar"])


def default_window(request: Request) -> int:
    return int(request.app.state.settings.deadlines_due_soon_working_days)


DefaultWindow = Annotated[int, Depends(default_window)]
AsOf = Annotated[
    date | None,
    Query(
        description=(
            "Дата, на которую вычислять состояние (для отчётов); по умолчанию — сегодня "
            "в часовом поясе школы"
        )
    ),
]
KindFilter = Annotated[NoticeKind | None, Query(description="Вид сведений")]
NoticeId = Annotated[uuid.UUID, Path(description="Идентификатор сведений")]
CalendarYearPath = Annotated[int, Path(ge=2000, le=2100, description="Год, например 2026")]

STATES_DOC = (
    "Состояния: pending — срок не близко; due_soon — до срока не больше N рабочих дней "
    "(N — настройка школы, по умолчанию 5); late — срок прошёл, не опубликовано; "
    "published_on_time / published_late — опубликовано в срок / позже срока."
)
DEADLINES_DOC = (
    "Сроки: решение о применении ЭО и ДОТ в следующем учебном году — не позднее 1 мая "
    "текущего учебного года (§4.5; календарная дата, не переносится); сведения о "
    "программах, реализуемых исключительно с ЭО и ДОТ, — в течение 10 рабочих дней со дня "
    "изменения (§4.6, ч. 3 ст. 29 273-ФЗ), день изменения не считается, рабочие дни — по "
    "производственному календарю."
)


@router.get(
    "/notices",
    response_model=Page[NoticeRead],
    summary="Сведения для публикации на сайте и их сроки",
    description=(
        "Администрация и персонал школы. Порядок — по сроку, ближайший первым. Фильтры: "
        f"`state`, `kind`; `as_of` — дата отчёта. {STATES_DOC}"
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_publication_notices(
    request: Request,
    response: Response,
    principal: StaffPrincipal,
    session: SessionDep,
    page: PageDep,
    window: DefaultWindow,
    as_of: AsOf = None,
    state: Annotated[NoticeState | None, Query(description="Состояние")] = None,
    kind: KindFilter = None,
) -> Page[NoticeRead]:
    items, cursor = await NoticeService(session, principal, window).list_notices(
        page, state=state, kind=kind, as_of=as_of
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/notices/summary",
    response_model=NoticeSummary,
    summary="Сводка сроков публикации по состояниям",
    description=f"Число сведений школы в каждом состоянии. {STATES_DOC}",
    responses=problem_responses(*AUTH_ERRORS),
)
async def summarize_publication_notices(
    principal: StaffPrincipal,
    session: SessionDep,
    window: DefaultWindow,
    as_of: AsOf = None,
    kind: KindFilter = None,
) -> NoticeSummary:
    return await NoticeService(session, principal, window).summary(kind=kind, as_of=as_of)


@router.post(
    "/notices",
    response_model=NoticeRead,
    status_code=status.HTTP_201_CREATED,
    summary="Зарегистрировать сведения для публикации (администратор)",
    description=(
        f"{DEADLINES_DOC} Срок рассчитывается при регистрации; если производственный "
        "календарь нужного года не загружен — 422 `production-calendar-year-missing`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def create_publication_notice(
    body: NoticeCreate, principal: AdminPrincipal, session: SessionDep, window: DefaultWindow
) -> NoticeRead:
    return await NoticeService(session, principal, window).create(body)


@router.get(
    "/notices/{notice_id}",
    response_model=NoticeRead,
    summary="Сведения для публикации",
    description=STATES_DOC,
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_publication_notice(
    notice_id: NoticeId,
    principal: StaffPrincipal,
    session: SessionDep,
    window: DefaultWindow,
    as_of: AsOf = None,
) -> NoticeRead:
    return await NoticeService(session, principal, window).get(notice_id, as_of)


@router.patch(
    "/notices/{notice_id}",
    response_model=NoticeRead,
    summary="Изменить сведения для публикации (администратор)",
    description=(
        "Меняются только переданные поля; вид сведений не меняется. Срок пересчитывается при "
        "изменении даты или учебного года. Дату и адрес публикации можно исправить после "
        "того, как публикация записана."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_publication_notice(
    notice_id: NoticeId,
    body: NoticeUpdate,
    principal: AdminPrincipal,
    session: SessionDep,
    window: DefaultWindow,
) -> NoticeRead:
    return await NoticeService(session, principal, window).update(notice_id, body)


@router.delete(
    "/notices/{notice_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить сведения для публикации (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def delete_publication_notice(
    notice_id: NoticeId, principal: AdminPrincipal, session: SessionDep, window: DefaultWindow
) -> Response:
    await NoticeService(session, principal, window).delete(notice_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/notices/{notice_id}/publication",
    response_model=NoticeRead,
    summary="Записать публикацию на сайте школы (администратор)",
    description=(
        "Дата размещения и адрес страницы (https). Дата — не раньше даты решения или "
        "изменения и не позже сегодняшнего дня; публикация записывается один раз (повтор — "
        "409), исправления — через PATCH."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def record_notice_publication(
    notice_id: NoticeId,
    body: PublicationCreate,
    principal: AdminPrincipal,
    session: SessionDep,
    window: DefaultWindow,
) -> NoticeRead:
    return await NoticeService(session, principal, window).record_publication(notice_id, body)


@router.get(
    "/deadlines/settings",
    response_model=DeadlineSettingsRead,
    summary="Настройка «скоро срок» школы",
    description="За сколько рабочих дней до срока неопубликованные сведения считаются due_soon.",
    responses=problem_responses(*AUTH_ERRORS),
)
async def get_deadline_settings(
    principal: StaffPrincipal, session: SessionDep, window: DefaultWindow
) -> DeadlineSettingsRead:
    return await NoticeService(session, principal, window).get_settings()


@router.put(
    "/deadlines/settings",
    response_model=DeadlineSettingsRead,
    summary="Изменить настройку «скоро срок» (администратор)",
    description="1–20 рабочих дней; границы due_soon всех сведений школы пересчитываются.",
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def update_deadline_settings(
    body: DeadlineSettingsUpdate,
    principal: AdminPrincipal,
    session: SessionDep,
    window: DefaultWindow,
) -> DeadlineSettingsRead:
    return await NoticeService(session, principal, window).update_settings(
        body.due_soon_working_days
    )


# -- the production calendar --------------------------------------------------------------

CALENDAR_DOC = (
    "Производственный календарь РФ — федеральные данные, общие для всех школ: нерабочие "
    "праздничные дни (ТК РФ ст. 112), переносы выходных дней по постановлениям "
    "Правительства РФ, рабочие субботы. У каждого года указан источник; provisional — "
    "постановление о переносе ещё не учтено."
)


@calendar_router.get(
    "/calendar",
    response_model=list[CalendarYearBrief],
    summary="Загруженные годы производственного календаря",
    description=CALENDAR_DOC,
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_calendar_years(
    principal: AnyPrincipal, session: SessionDep, window: DefaultWindow
) -> list[CalendarYearBrief]:
    return await CalendarService(session, window).list_years()


@calendar_router.get(
    "/calendar/working-days",
    response_model=WorkingDayDeadline,
    summary="Срок в рабочих днях от даты события",
    description=(
        "Последний день срока «в течение N рабочих дней» со дня события: отсчёт со "
        "следующего дня, N-й рабочий день по производственному календарю."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def compute_working_day_deadline(
    principal: AnyPrincipal,
    session: SessionDep,
    window: DefaultWindow,
    start: Annotated[date, Query(description="День события (в срок не входит)")],
    days: Annotated[int, Query(ge=1, le=60, description="Число рабочих дней, 1–60")] = 10,
) -> WorkingDayDeadline:
    return await CalendarService(session, window).working_day_deadline(start, days)


@calendar_router.get(
    "/calendar/{year}",
    response_model=CalendarYearRead,
    summary="Производственный календарь года",
    description=f"{CALENDAR_DOC} Рабочие и нерабочие дни по месяцам, праздники и переносы.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_calendar_year(
    year: CalendarYearPath, principal: AnyPrincipal, session: SessionDep, window: DefaultWindow
) -> CalendarYearRead:
    return await CalendarService(session, window).get_year(year)


@calendar_router.put(
    "/calendar/{year}",
    response_model=CalendarYearRead,
    summary="Загрузить производственный календарь года (администратор)",
    description=(
        f"{CALENDAR_DOC} Год заменяется целиком по опубликованному постановлению и действует "
        "для всех школ развёртывания; загруженный так год не перезаписывается данными "
        "поставки. Сроки всех сведений, период которых касается года, пересчитываются."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def put_calendar_year(
    year: CalendarYearPath,
    body: CalendarYearPut,
    principal: AdminPrincipal,
    session: SessionDep,
    window: DefaultWindow,
) -> CalendarYearRead:
    return await CalendarService(session, window).put_year(year, body, principal)
