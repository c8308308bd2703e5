"""``/dashboard``: the administration's view of everything open (CO-8)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from services.common.app import api_router
from services.common.auth import StaffPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.compliance.dashboard.schemas import Dashboard
from services.compliance.dashboard.service import DashboardService

router = api_router(prefix="/api/v1/compliance", tags=["dashboard"])


@router.get(
    "/dashboard",
    response_model=Dashboard,
    summary="Сводка открытых нарушений и сроков для администрации",
    description=(
        "По каждому разделу — число и короткий список, самые срочные первыми: нарушения "
        "норм ЭСО в планах на сегодня и вперёд, оповещения о времени за экраном за 7 "
        "дней, сроки публикации (скоро и пропущенные), работы, не проверенные в день "
        "поступления (Рег. §2.3), обучающиеся с отказом от ЭО и ДОТ без альтернативы "
        "дистанционным урокам (§3.9), уроки с ЭО/ДОТ у педагогов без подготовки (§3.4). "
        "Администратор и персонал школы."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def get_compliance_dashboard(
    principal: StaffPrincipal,
    session: SessionDep,
    limit: Annotated[
        int, Query(ge=1, le=50, description="Сколько записей показывать в каждом разделе")
    ] = 10,
) -> Dashboard:
    return await DashboardService(session, principal.school_id, limit).build()
