"""``/catalogue``: external platforms (§5.13) and the federal list of e-resources (LE-4)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Request, Response

from services.common.app import api_router
from services.common.auth import AdminPrincipal, CurrentPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.common.types import SafeStr
from services.learning.catalogue.data import PlatformCategory
from services.learning.catalogue.deps import FederalListDep
from services.learning.catalogue.schemas import (
    FederalEntryRead,
    FederalOrderRead,
    HttpUrl,
    PlatformCreate,
    PlatformRead,
    PlatformScope,
    PlatformUpdate,
    ResolvedUrl,
)
from services.learning.catalogue.service import CatalogueService

router = api_router(prefix="/api/v1/learning", tags=["catalogue"])

OnDate = Annotated[
    date | None,
    Query(description="Дата проверки по федеральному перечню (по умолчанию — сегодня в школе)"),
]


@router.get(
    "/catalogue/platforms",
    response_model=Page[PlatformRead],
    summary="Каталог внешних платформ",
    description=(
        "Платформы §5.13 Положения (общий каталог, загружается при запуске сервиса) и "
        "платформы, добавленные администратором школы. Для каждой — входит ли она в "
        "федеральный перечень электронных образовательных ресурсов (приказ от 04.10.2023 "
        "№ 738) на дату `on`. Фильтры: `category`, `scope`, `federal`; "
        "`include_inactive` — и убранные из каталога (только администратору)."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_catalogue_platforms(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    federal_list: FederalListDep,
    page: PageDep,
    on: OnDate = None,
    category: Annotated[PlatformCategory | None, Query(description="Вид ресурса")] = None,
    scope: Annotated[PlatformScope | None, Query(description="global или school")] = None,
    federal: Annotated[
        bool | None, Query(description="true — только из федерального перечня, false — вне его")
    ] = None,
    include_inactive: Annotated[
        bool, Query(description="Показать и убранные из каталога (администратору)")
    ] = False,
) -> Page[PlatformRead]:
    items, cursor = await CatalogueService(session, principal, federal_list).list_platforms(
        page,
        on=on,
        category=category,
        scope=scope,
        federal=federal,
        include_inactive=include_inactive,
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/catalogue/platforms/{platform_id}",
    response_model=PlatformRead,
    summary="Платформа каталога",
    description="Платформа общего каталога или своей школы; платформа другой школы — 404.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_catalogue_platform(
    platform_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: SessionDep,
    federal_list: FederalListDep,
    on: OnDate = None,
) -> PlatformRead:
    return await CatalogueService(session, principal, federal_list).get_platform(platform_id, on)


@router.post(
    "/catalogue/platforms",
    response_model=PlatformRead,
    status_code=201,
    summary="Добавить платформу школы (администратор)",
    description=(
        "Платформа видна только своей школе: например, региональный электронный журнал "
        "или облачное хранилище школы. Код и домены не должны совпадать с уже имеющимися "
        "в каталоге (409). Федеральный перечень через API не меняется."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def create_catalogue_platform(
    body: PlatformCreate,
    principal: AdminPrincipal,
    session: SessionDep,
    federal_list: FederalListDep,
) -> PlatformRead:
    return await CatalogueService(session, principal, federal_list).create_platform(body)


@router.patch(
    "/catalogue/platforms/{platform_id}",
    response_model=PlatformRead,
    summary="Изменить платформу школы (администратор)",
    description=(
        "Меняются только платформы, добавленные школой; платформы §5.13 — 403 "
        "(их меняет оператор вместе с данными каталога)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_catalogue_platform(
    platform_id: uuid.UUID,
    body: PlatformUpdate,
    principal: AdminPrincipal,
    session: SessionDep,
    federal_list: FederalListDep,
) -> PlatformRead:
    return await CatalogueService(session, principal, federal_list).update_platform(
        platform_id, body
    )


@router.delete(
    "/catalogue/platforms/{platform_id}",
    status_code=204,
    response_class=Response,
    summary="Убрать платформу школы из каталога (администратор)",
    description=(
        "Платформа не удаляется, а становится неактивной: новые ссылки на неё не "
        "принимаются, уже добавленные материалы её сохраняют."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def archive_catalogue_platform(
    platform_id: uuid.UUID,
    principal: AdminPrincipal,
    session: SessionDep,
    federal_list: FederalListDep,
) -> Response:
    await CatalogueService(session, principal, federal_list).archive_platform(platform_id)
    return Response(status_code=204)


@router.get(
    "/catalogue/resolve",
    response_model=ResolvedUrl,
    summary="Определить платформу по ссылке",
    description=(
        "К какой платформе каталога относится адрес (по домену: совпадение или поддомен, "
        "побеждает самый точный) и входит ли она в федеральный перечень. "
        "`platform: null` — адрес вне каталога: такую ссылку в материал добавить нельзя."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def resolve_catalogue_url(
    principal: CurrentPrincipal,
    session: SessionDep,
    federal_list: FederalListDep,
    url: Annotated[HttpUrl, Query(description="Адрес ресурса (http или https)")],
    on: OnDate = None,
) -> ResolvedUrl:
    return await CatalogueService(session, principal, federal_list).resolve_url(url, on)


@router.get(
    "/catalogue/federal-list",
    response_model=Page[FederalEntryRead],
    summary="Федеральный перечень электронных образовательных ресурсов",
    description=(
        "Записи перечня, утверждённого приказом от 04.10.2023 № 738 (и последующими, если "
        "оператор их загрузил), с датами действия. Только чтение: перечень — данные "
        "оператора, а не школы. `valid` — только действующие (true) или недействующие "
        "(false) на дату `on`; `q` — поиск по названию, правообладателю и домену."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_federal_list_entries(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    federal_list: FederalListDep,
    page: PageDep,
    on: OnDate = None,
    valid: Annotated[bool | None, Query(description="Действует на дату `on`")] = None,
    q: Annotated[SafeStr | None, Query(min_length=1, max_length=100, description="Поиск")] = None,
) -> Page[FederalEntryRead]:
    items, cursor = await CatalogueService(session, principal, federal_list).federal_entries(
        page, on=on, valid=valid, q=q
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/catalogue/federal-list/orders",
    response_model=list[FederalOrderRead],
    summary="Приказы об утверждении федерального перечня",
    description=(
        "Номер и дата приказа, срок действия перечня и действует ли он на дату `on` "
        "(приказ от 04.10.2023 № 738, §1.2 Положения)."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_federal_list_orders(
    principal: CurrentPrincipal,
    session: SessionDep,
    federal_list: FederalListDep,
    on: OnDate = None,
) -> list[FederalOrderRead]:
    return await CatalogueService(session, principal, federal_list).federal_orders(on)
