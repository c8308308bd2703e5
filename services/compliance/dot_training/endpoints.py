"""``/dot-training/flags``: ЭО/ДОТ lessons of teachers without DOT training (CO-7)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Query

from services.common.app import api_router
from services.common.auth import StaffPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.compliance.dot_training.schemas import UntrainedLessonFlags
from services.compliance.dot_training.service import TrainingFlagService

router = api_router(prefix="/api/v1/compliance", tags=["dot-training"])


@router.get(
    "/dot-training/flags",
    response_model=UntrainedLessonFlags,
    summary="Уроки с ЭО и ДОТ у педагогов без подготовки",
    description=(
        "§3.4: образовательный процесс с ЭО и ДОТ ведут педагоги, прошедшие подготовку. "
        "Каждый неотменённый урок с формой distance или e_learning за период, у педагога "
        "которого нет действующего на дату урока обучения ЭО/ДОТ. По умолчанию — с "
        "сегодняшнего дня на 30 дней вперёд; период не длиннее 366 дней. Администрация "
        "школы."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_untrained_teacher_lessons(
    principal: StaffPrincipal,
    session: SessionDep,
    date_from: Annotated[date | None, Query(alias="from", description="С даты")] = None,
    date_to: Annotated[date | None, Query(alias="to", description="По дату")] = None,
) -> UntrainedLessonFlags:
    return await TrainingFlagService(session, principal.school_id).report(date_from, date_to)
