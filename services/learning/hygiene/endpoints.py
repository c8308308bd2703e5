"""``/hygiene/recheck``: check now what was published "not checked" (Reg §2.5)."""

from __future__ import annotations

from fastapi import Request
from pydantic import BaseModel, Field

from services.common.app import api_router
from services.common.auth import AdminPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.learning.hygiene.recheck import recheck_school

router = api_router(prefix="/api/v1/learning", tags=["hygiene"])


class HygieneRecheckRead(BaseModel):
    checked: int = Field(description="Проверено сейчас (отметка «не проверено» снята)")
    with_violations: int = Field(
        description="Из них с нарушениями норм: нарушения сохранены на уроке или задании"
    )
    still_unchecked: int = Field(
        description="Не проверено и сейчас: сервис проверки норм по-прежнему недоступен"
    )


@router.post(
    "/hygiene/recheck",
    response_model=HygieneRecheckRead,
    summary="Проверить опубликованное без проверки норм (администратор)",
    description=(
        "Уроки и задания школы, опубликованные с отметкой «не проверено» (сервис проверки "
        "норм работы с ЭСО был недоступен, п. 2.5 Регламента), проверяются сейчас: уроки с "
        "сегодняшнего дня, кроме отменённых, и задания, срок которых не прошёл. Результат "
        "заменяет отметку; найденное нарушение не отменяет публикацию, а сохраняется на "
        "уроке или задании с пометкой. То же делается в фоне раз в несколько минут. "
        "За один вызов — до 200 уроков и 200 заданий."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def recheck_unchecked(
    request: Request, principal: AdminPrincipal, session: SessionDep
) -> HygieneRecheckRead:
    done = await recheck_school(request.app.state, session, principal.school_id)
    return HygieneRecheckRead(
        checked=done.checked,
        with_violations=done.with_violations,
        still_unchecked=done.still_unchecked,
    )
