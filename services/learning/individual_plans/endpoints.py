"""``/individual-plans``: individual learning plans (LE-11, §5.6, §5.7)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.learning.access import AccessDep
from services.learning.individual_plans.schemas import (
    PlanCategory,
    PlanCreate,
    PlanRead,
    PlanUpdate,
)
from services.learning.individual_plans.service import IndividualPlanService

router = api_router(prefix="/api/v1/learning", tags=["individual-plans"])


@router.get(
    "/individual-plans",
    response_model=Page[PlanRead],
    summary="Индивидуальные учебные планы",
    description=(
        "Администрация и педагоги видят планы школы, обучающийся — свои, родитель — планы "
        "своих детей. Фильтры: `student_id`, `category`, `tutor_id`, `active_on` (план "
        "действует в этот день)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_individual_plans(
    request: Request,
    response: Response,
    access: AccessDep,
    page: PageDep,
    student_id: Annotated[uuid.UUID | None, Query(description="Обучающийся")] = None,
    category: Annotated[
        PlanCategory | None, Query(description="Категория по п. 5.6 Положения")
    ] = None,
    tutor_id: Annotated[uuid.UUID | None, Query(description="Ответственный педагог")] = None,
    active_on: Annotated[date | None, Query(description="Действует в этот день")] = None,
) -> Page[PlanRead]:
    items, cursor = await IndividualPlanService(access).list_plans(
        page, student_id=student_id, category=category, tutor_id=tutor_id, active_on=active_on
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/individual-plans",
    response_model=PlanRead,
    status_code=status.HTTP_201_CREATED,
    summary="Создать индивидуальный учебный план (администратор)",
    description=(
        "Для обучающегося одной из категорий п. 5.6 Положения, на основании приказа; в "
        "план входят курсы, которые обучающийся изучает, онлайн-курсы школы и задания по "
        "его курсам."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def create_individual_plan(body: PlanCreate, access: AccessDep) -> PlanRead:
    return await IndividualPlanService(access).create(body)


@router.get(
    "/individual-plans/{plan_id}",
    response_model=PlanRead,
    summary="Индивидуальный учебный план",
    description=(
        "Доступен администрации и педагогам школы, самому обучающемуся и его родителям "
        "(законным представителям)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_individual_plan(plan_id: uuid.UUID, access: AccessDep) -> PlanRead:
    return await IndividualPlanService(access).get(plan_id)


@router.patch(
    "/individual-plans/{plan_id}",
    response_model=PlanRead,
    summary="Изменить индивидуальный учебный план",
    description=(
        "Администратор меняет всё; ответственный педагог — состав плана (курсы, "
        "онлайн-курсы, задания) и примечания."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def update_individual_plan(
    plan_id: uuid.UUID, body: PlanUpdate, access: AccessDep
) -> PlanRead:
    return await IndividualPlanService(access).update(plan_id, body)
