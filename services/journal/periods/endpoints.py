"""Periods of the school year and their lock (JO-4, JO-5)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query

from services.common.app import api_router
from services.common.auth import AdminPrincipal, CurrentPrincipal
from services.common.db import SessionDep
from services.common.directory import Directory
from services.common.errors import AUTH_ERRORS, BusinessRuleError, problem_responses
from services.journal.models import directory
from services.journal.periods import service
from services.journal.periods.schemas import (
    CloseRequest,
    PeriodChangeRead,
    PeriodHistory,
    PeriodList,
    PeriodRead,
    PeriodsConfig,
    ReopenRequest,
)

router = api_router(prefix="/api/v1/journal", tags=["periods"])


@router.get(
    "/periods",
    response_model=PeriodList,
    summary="Учебные периоды школы",
    description="Четверти или полугодия учебного года, с отметкой о закрытии.",
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_periods(
    session: SessionDep,
    principal: CurrentPrincipal,
    academic_year_id: Annotated[uuid.UUID | None, Query(description="Учебный год")] = None,
) -> PeriodList:
    rows = await service.list_periods(session, principal.school_id, academic_year_id)
    return PeriodList(items=[PeriodRead.model_validate(p) for p in rows])


@router.put(
    "/periods",
    response_model=PeriodList,
    summary="Задать деление учебного года на периоды",
    description=(
        "Администратор задаёт четверти (4) или полугодия (2) учебного года. Пока ни один "
        "период не закрыт, деление можно заменить."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def configure_periods(
    body: PeriodsConfig, session: SessionDep, principal: AdminPrincipal
) -> PeriodList:
    year = await Directory(session, directory).year(principal.school_id, body.academic_year_id)
    if year is None:
        raise BusinessRuleError("Учебный год не найден в школе", code="year-not-found")
    rows = await service.configure(
        session,
        principal.school_id,
        year,
        body.kind,
        [(p.starts_on, p.ends_on) for p in body.periods],
    )
    return PeriodList(items=[PeriodRead.model_validate(p) for p in rows])


@router.post(
    "/periods/{period_id}/close",
    response_model=PeriodRead,
    summary="Закрыть период",
    description="После закрытия отметки, пропуски и записи уроков периода не изменяются (423).",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def close_period(
    period_id: uuid.UUID, body: CloseRequest, session: SessionDep, principal: AdminPrincipal
) -> PeriodRead:
    period = await service.get_period(session, principal.school_id, period_id)
    return PeriodRead.model_validate(
        await service.close(session, period, principal.user_id, body.reason)
    )


@router.post(
    "/periods/{period_id}/reopen",
    response_model=PeriodRead,
    summary="Открыть закрытый период по приказу",
    description="Открыть период может только администратор, указав номер и дату приказа.",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def reopen_period(
    period_id: uuid.UUID, body: ReopenRequest, session: SessionDep, principal: AdminPrincipal
) -> PeriodRead:
    period = await service.get_period(session, principal.school_id, period_id)
    return PeriodRead.model_validate(
        await service.reopen(
            session, period, principal.user_id, body.order_number, body.order_date, body.reason
        )
    )


@router.get(
    "/periods/{period_id}/history",
    response_model=PeriodHistory,
    summary="История закрытия и открытия периода",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def period_history(
    period_id: uuid.UUID, session: SessionDep, principal: CurrentPrincipal
) -> PeriodHistory:
    period = await service.get_period(session, principal.school_id, period_id)
    changes = await service.history(session, period)
    return PeriodHistory(
        period=PeriodRead.model_validate(period),
        changes=[PeriodChangeRead.model_validate(c) for c in changes],
    )
