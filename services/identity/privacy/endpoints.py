"""Consents, the personal-data access log and the data-subject export (ID-10)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.identity.privacy.auth import AccessLogReader, PrivacyReader
from services.identity.privacy.schemas import (
    AccessLogEntry,
    ConsentCreate,
    ConsentKind,
    ConsentRead,
    DataExport,
)
from services.identity.privacy.service import PrivacyService

router = api_router(prefix="/api/v1/identity", tags=["privacy"])


@router.post(
    "/consents",
    response_model=ConsentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Дать или внести согласие на обработку персональных данных",
    description=(
        "Согласие даёт сам человек или законный представитель ребёнка; администрация и "
        "персонал вносят согласия, полученные на бумаге. Согласие на распространение "
        "(`publication`) — отдельное."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def give_consent(
    body: ConsentCreate, viewer: PrivacyReader, session: SessionDep
) -> ConsentRead:
    return await PrivacyService(session, viewer).give(body)


@router.get(
    "/consents",
    response_model=Page[ConsentRead],
    summary="Согласия на обработку персональных данных",
    description=(
        "Без `subject_id` администрация видит согласия всей школы, остальные — свои и своих "
        "детей. Фильтры: `subject_id`, `kind`, `active`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_consents(
    request: Request,
    response: Response,
    viewer: PrivacyReader,
    session: SessionDep,
    page: PageDep,
    subject_id: Annotated[uuid.UUID | None, Query(description="Чьи согласия")] = None,
    kind: Annotated[ConsentKind | None, Query(description="processing или publication")] = None,
    active: Annotated[bool | None, Query(description="true — действующие, false — нет")] = None,
) -> Page[ConsentRead]:
    items, cursor = await PrivacyService(session, viewer).list_consents(
        page, subject_id=subject_id, kind=kind, active=active
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/consents/{consent_id}/withdraw",
    response_model=ConsentRead,
    summary="Отозвать согласие",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def withdraw_consent(
    consent_id: uuid.UUID, viewer: PrivacyReader, session: SessionDep
) -> ConsentRead:
    return await PrivacyService(session, viewer).withdraw(consent_id)


@router.get(
    "/personal-data/access-log",
    response_model=Page[AccessLogEntry],
    summary="Журнал доступа к персональным данным (администратор)",
    description="Кто, когда и чьи данные читал или выгружал; новые записи первыми.",
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_access_log(
    request: Request,
    response: Response,
    viewer: AccessLogReader,
    session: SessionDep,
    page: PageDep,
    subject_id: Annotated[uuid.UUID | None, Query(description="Чьи данные читали")] = None,
    actor_id: Annotated[uuid.UUID | None, Query(description="Кто читал")] = None,
) -> Page[AccessLogEntry]:
    items, cursor = await PrivacyService(session, viewer).access_log(
        page, subject_id=subject_id, actor_id=actor_id
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/me/access-log",
    response_model=Page[AccessLogEntry],
    summary="Кто читал мои персональные данные",
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_my_access_log(
    request: Request, response: Response, viewer: PrivacyReader, session: SessionDep, page: PageDep
) -> Page[AccessLogEntry]:
    items, cursor = await PrivacyService(session, viewer).my_access_log(page)
    return make_page(request, response, items, page, cursor)


@router.get(
    "/users/{user_id}/export",
    response_model=DataExport,
    summary="Выгрузка всех сведений о человеке (субъекте персональных данных)",
    description=(
        "Профиль, роли, классы, родители и дети, обучение ЭО/ДОТ, внешние идентификаторы, "
        "согласия и журнал доступа. Доступна самому человеку, его законному представителю "
        "и администратору; выгрузка записывается в журнал доступа."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def export_user_data(
    user_id: uuid.UUID, response: Response, viewer: PrivacyReader, session: SessionDep
) -> DataExport:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Disposition"] = f'attachment; filename="personal-data-{user_id}.json"'
    return await PrivacyService(session, viewer).export(user_id)
