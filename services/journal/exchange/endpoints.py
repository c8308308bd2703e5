"""``/exchange/daily`` and ``/exchange/oneroster.zip``: files for external systems (GW-5, ID-9)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Response

from services.common.app import api_router
from services.common.auth import AnyPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, ProblemError, problem_responses
from services.common.external_ids import SYSTEMS_DOC, ExternalSystem
from services.journal.exchange.auth import exchange_school
from services.journal.exchange.daily import DailyPackageBuilder
from services.journal.exchange.formats import DEFAULT_FORMAT, FORMATS
from services.journal.exchange.oneroster import OneRosterExport
from services.journal.exchange.schemas import DailyPackageV1

router = api_router(prefix="/api/v1/journal", tags=["exchange"])

SchoolParam = Annotated[
    uuid.UUID | None,
    Query(description="Школа (обязательно для токена сервиса; иначе — своя школа)"),
]


class UnknownFormat(ProblemError):
    status, code, title = 422, "unknown-format", "Ошибка проверки данных"


@router.get(
    "/exchange/daily",
    response_class=Response,
    summary="Пакет обмена за день (темы, формы проведения, задания, отметки, посещаемость)",
    description=(
        "Для региональной системы или ФГИС «Моя школа»: все уроки школы за дату с темой, "
        "плановой и фактической формой проведения, домашним заданием, посещаемостью и "
        "отметками; люди, классы и курсы — с идентификаторами во внешних системах. Формат "
        f"`format` (по умолчанию `{DEFAULT_FORMAT}`, описан в docs/integration.md); "
        "`external_system` — чьи идентификаторы дать в поле `key`. " + SYSTEMS_DOC + ". "
        "Администрация школы или сервис (с `school_id`)."
    ),
    responses={
        200: {"model": DailyPackageV1, "description": "Пакет обмена (eo-daily-v1)"},
        **problem_responses(*AUTH_ERRORS, 404),
    },
)
async def get_daily_exchange(
    principal: AnyPrincipal,
    session: SessionDep,
    day: Annotated[date, Query(alias="date", description="Дата по календарю школы, ГГГГ-ММ-ДД")],
    school_id: SchoolParam = None,
    format: Annotated[
        str, Query(description="Формат пакета: " + ", ".join(FORMATS), max_length=50)
    ] = DEFAULT_FORMAT,
    external_system: Annotated[
        ExternalSystem | None, Query(description="Система, чьи идентификаторы дать в key")
    ] = None,
) -> Response:
    factory = FORMATS.get(format)
    if factory is None:
        raise UnknownFormat(
            "Неизвестный формат пакета; доступны: " + ", ".join(FORMATS), code="unknown-format"
        )
    school = await exchange_school(session, principal, school_id)
    package = await DailyPackageBuilder(session).build(school, day)
    adapter = factory(external_system)
    return Response(content=adapter.render(package), media_type=adapter.media_type)


@router.get(
    "/exchange/oneroster.zip",
    response_class=Response,
    summary="Выгрузка OneRoster 1.2 (CSV, ZIP)",
    description=(
        "Архив в формате OneRoster 1.2 CSV (bulk): manifest.csv, academicSessions.csv, "
        "orgs.csv, users.csv, roles.csv, courses.csv, classes.csv, enrollments.csv, "
        "categories.csv, lineItems.csv, results.csv — за учебный год (по умолчанию текущий). "
        "Администрация школы или сервис (с `school_id`)."
    ),
    responses={
        200: {
            "description": "ZIP-архив",
            "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(*AUTH_ERRORS, 404),
    },
)
async def export_oneroster(
    principal: AnyPrincipal,
    session: SessionDep,
    school_id: SchoolParam = None,
    academic_year_id: Annotated[
        uuid.UUID | None, Query(description="Учебный год (по умолчанию текущий)")
    ] = None,
) -> Response:
    school = await exchange_school(session, principal, school_id)
    content = await OneRosterExport(session).zip(school, academic_year_id)
    return Response(
        content=content,
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="oneroster.zip"'},
    )
