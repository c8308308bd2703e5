"""``/notifications``: delivery status of e-mail copies (LE-5, Reg §2.2)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from services.common.app import api_router
from services.common.auth import CurrentPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.learning.notifications.repository import StatusFilter
from services.learning.notifications.schemas import (
    SUBJECT_REF_PATTERN,
    TOPIC_PATTERN,
    MyNotification,
    NotificationState,
    NotificationStatus,
)
from services.learning.notifications.service import NotificationService

router = api_router(prefix="/api/v1/learning", tags=["notifications"])


@router.get(
    "/notifications",
    response_model=Page[NotificationStatus],
    summary="Состояние доставки копий на электронную почту",
    description=(
        "Копии заданий и других сообщений, отправляемые обучающимся и родителям на "
        "электронную почту (п. 2.2 Положения), по одной на получателя: состояние "
        "доставки, число попыток, причина неудачи и история. Педагог видит копии, "
        "относящиеся к нему (для задания — педагоги его курса), администрация — все копии "
        "школы. Фильтры: `subject_ref` (о чём сообщение, например `assignment:<id>`), "
        "`topic`, `state`. Доставка — «хотя бы один раз»: после сбоя письмо может прийти "
        "повторно с тем же Message-ID."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_notifications(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
    subject_ref: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=SUBJECT_REF_PATTERN,
            description="О чём сообщение, например assignment:<id>",
        ),
    ] = None,
    topic: Annotated[
        str | None,
        Query(max_length=100, pattern=TOPIC_PATTERN, description="Вид сообщения"),
    ] = None,
    state: Annotated[NotificationState | None, Query(description="Только в этом состоянии")] = None,
) -> Page[NotificationStatus]:
    items, cursor = await NotificationService(session, principal).status(
        StatusFilter(subject_ref=subject_ref, topic=topic, state=state), page
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/notifications/mine",
    response_model=Page[MyNotification],
    summary="Мои уведомления",
    description=(
        "Копии, отправленные вызывающему на электронную почту (обучающемуся — его "
        "задания, родителю — задания его детей), с текстом и состоянием доставки; "
        "новые первыми."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_my_notifications(
    request: Request,
    response: Response,
    principal: CurrentPrincipal,
    session: SessionDep,
    page: PageDep,
) -> Page[MyNotification]:
    items, cursor = await NotificationService(session, principal).mine(page)
    return make_page(request, response, items, page, cursor)


@router.post(
    "/notifications/{notification_id}/retry",
    response_model=NotificationStatus,
    summary="Повторить отправку копии",
    description=(
        "Недоставленная копия (состояние `failed` или `no_address`) снова ставится в "
        "очередь с новой серией попыток; запрос записывается в историю доставки. "
        "Доступно педагогу, к которому относится копия, и администратору."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def retry_notification(
    notification_id: uuid.UUID, principal: CurrentPrincipal, session: SessionDep
) -> NotificationStatus:
    return await NotificationService(session, principal).retry(notification_id)
