"""Calendar feeds: create, list, revoke (token holders) and the public ``.ics`` (GW-5)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Path, Request, Response, status

from services.common.app import api_router, public_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.learning.access import AccessDep
from services.learning.calendar_feeds.schemas import (
    CalendarFeedCreate,
    CalendarFeedCreated,
    CalendarFeedRead,
)
from services.learning.calendar_feeds.service import CalendarFeedService, CalendarRenderer


def public_base_url(request: Request) -> str:
    """The address the caller used: behind the gateway, the one it forwards."""
    host = request.headers.get("x-forwarded-host")
    if host:
        proto = request.headers.get("x-forwarded-proto", "https").split(",")[0].strip()
        return f"{proto}://{host.split(',')[0].strip()}/"
    return str(request.base_url)


router = api_router(prefix="/api/v1/learning", tags=["calendar-feeds"])
# The visible exception: calendar apps cannot send a token, the URL's secret is the key.
public = public_router(prefix="/api/v1/learning", tags=["calendar-feeds"])


@router.post(
    "/calendar-feeds",
    response_model=CalendarFeedCreated,
    status_code=status.HTTP_201_CREATED,
    summary="Создать ленту календаря (iCalendar)",
    description=(
        "Секретная ссылка на расписание и сроки сдачи заданий в формате iCalendar для "
        "приложений-календарей. `student` — обучающийся сам, родитель (для своего ребёнка) "
        "или администратор; `teacher` — педагог сам или администратор; `class` — педагог или "
        "администратор. Ссылка показывается один раз (`Cache-Control: no-store`); её можно "
        "отозвать."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def create_calendar_feed(
    body: CalendarFeedCreate, request: Request, response: Response, access: AccessDep
) -> CalendarFeedCreated:
    response.headers["Cache-Control"] = "no-store"
    return await CalendarFeedService(access).create(body, public_base_url(request))


@router.get(
    "/calendar-feeds",
    response_model=list[CalendarFeedRead],
    summary="Мои ленты календаря",
    description="Свои ленты (без секретов); администратор видит все ленты школы.",
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_calendar_feeds(access: AccessDep) -> list[CalendarFeedRead]:
    return await CalendarFeedService(access).list()


@router.delete(
    "/calendar-feeds/{feed_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Отозвать ленту календаря",
    description="Владелец или администратор; после отзыва ссылка отвечает 404.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def revoke_calendar_feed(feed_id: uuid.UUID, access: AccessDep) -> Response:
    await CalendarFeedService(access).revoke(feed_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@public.get(
    "/ical/{token}.ics",
    response_class=Response,
    summary="Лента календаря (iCalendar, без токена доступа)",
    description=(
        "Открывается без заголовка Authorization: секрет — в адресе. Уроки за две недели "
        "назад и два месяца вперёд и сроки сдачи заданий (RFC 5545, время в UTC). "
        "Неизвестная или отозванная ссылка — 404."
    ),
    responses={
        200: {
            "description": "Календарь",
            "content": {"text/calendar": {"schema": {"type": "string"}}},
        },
        **problem_responses(404),
    },
)
async def get_calendar_feed_ics(
    token: Annotated[str, Path(max_length=200, description="Секрет ленты")],
    request: Request,
    session: SessionDep,
) -> Response:
    renderer = CalendarRenderer(session, int(request.app.state.settings.timetable_max_days))
    return Response(
        content=await renderer.render(token),
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=300"},
    )
