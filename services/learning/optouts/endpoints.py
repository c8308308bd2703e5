"""``/courses/{id}/optout-students``: students of a course with a §3.9 opt-out (LE-12)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.learning.access import AccessDep
from services.learning.optouts.schemas import CourseOptOutStudents
from services.learning.optouts.service import course_optout_students

router = api_router(prefix="/api/v1/learning", tags=["optouts"])


@router.get(
    "/courses/{course_id}/optout-students",
    response_model=CourseOptOutStudents,
    summary="Обучающиеся курса с отказом от ЭО и ДОТ (§3.9)",
    description=(
        "Обучающиеся курса, чьё заявление об отказе от ЭО и ДОТ зарегистрировано и действует "
        "на дату `on` (по умолчанию сегодня; сведения приходят из сервиса compliance). Уроки "
        "и задания курса с формой e_learning или distance для них публикуются только с "
        "очной или бумажной альтернативой (`alternative`), иначе 422 "
        "`optout-alternative-required`. Курсы, реализуемые только с ЭО и ДОТ, под отказ не "
        "подпадают. Педагоги курса и администрация; остальным — 403."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_course_optout_students(
    course_id: uuid.UUID,
    access: AccessDep,
    on: Annotated[date | None, Query(description="На дату, ГГГГ-ММ-ДД")] = None,
) -> CourseOptOutStudents:
    return await course_optout_students(access, course_id, on)
