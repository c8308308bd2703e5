"""``/users/{id}/dot-training``: a teacher's training in ЭО/ДОТ (ID-7)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response, status

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.identity.training.auth import TrainingReader
from services.identity.training.schemas import TrainingCreate, TrainingRead
from services.identity.training.service import TrainingService

router = api_router(prefix="/api/v1/identity", tags=["users"])


@router.get(
    "/users/{user_id}/dot-training",
    response_model=Page[TrainingRead],
    summary="Обучение педагога работе с ЭО и ДОТ",
    description="Доступно самому педагогу и администрации.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_dot_trainings(
    user_id: uuid.UUID,
    request: Request,
    response: Response,
    viewer: TrainingReader,
    session: SessionDep,
    page: PageDep,
) -> Page[TrainingRead]:
    items, cursor = await TrainingService(session, viewer).list_trainings(user_id, page)
    return make_page(request, response, items, page, cursor)


@router.post(
    "/users/{user_id}/dot-training",
    response_model=TrainingRead,
    status_code=status.HTTP_201_CREATED,
    summary="Записать обучение педагога ЭО и ДОТ (администратор)",
    description="Только для пользователей с ролью teacher; часы больше нуля.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def record_dot_training(
    user_id: uuid.UUID, body: TrainingCreate, viewer: TrainingReader, session: SessionDep
) -> TrainingRead:
    return await TrainingService(session, viewer).record(user_id, body)
