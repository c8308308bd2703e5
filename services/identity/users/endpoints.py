"""``/users``: accounts, roles, deactivation, password reset (ID-1, ID-2, ID-4, ID-10)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.common.types import SafeStr
from services.identity.deps import PasswordsDep, TokensDep
from services.identity.users.auth import AdminViewerDep, ViewerDep
from services.identity.users.schemas import (
    PasswordIssued,
    Role,
    UserCreate,
    UserCreated,
    UserFull,
    UserUpdate,
    UserView,
)
from services.identity.users.service import UserService

router = api_router(prefix="/api/v1/identity", tags=["users"])

NO_STORE = "no-store"


@router.get(
    "/users",
    response_model=Page[UserView],
    summary="Участники школы",
    description=(
        "Список тех, кого вызывающий может видеть: администрация и педагоги — всех "
        "(педагог — кратко, кроме учеников своего класса), обучающийся — себя, родитель — "
        "себя и своих детей. Фильтры: `role`, `class_group_id`, `q` (часть фамилии, имени "
        "или отчества; несколько слов — все должны совпасть), `active`. Показ полного "
        "профиля другого человека записывается в журнал доступа к персональным данным."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_users(
    request: Request,
    response: Response,
    viewer: ViewerDep,
    session: SessionDep,
    page: PageDep,
    role: Annotated[Role | None, Query(description="Только с этой ролью")] = None,
    class_group_id: Annotated[uuid.UUID | None, Query(description="Только из этого класса")] = None,
    q: Annotated[
        SafeStr | None, Query(min_length=1, max_length=100, description="Поиск по ФИО")
    ] = None,
    active: Annotated[
        bool | None, Query(description="true — активные, false — отключённые")
    ] = None,
) -> Page[UserView]:
    items, cursor = await UserService(session, viewer).list_users(
        page, role=role, class_group_id=class_group_id, q=q, active=active
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/users",
    response_model=UserCreated,
    status_code=201,
    summary="Создать учётную запись (администратор)",
    description=(
        "Сервер выдаёт одноразовый пароль — он возвращается в ответе один раз; при первом "
        "входе его нужно сменить (`POST /api/v1/identity/password/initial`)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def create_user(
    body: UserCreate,
    response: Response,
    viewer: AdminViewerDep,
    session: SessionDep,
    passwords: PasswordsDep,
) -> UserCreated:
    response.headers["Cache-Control"] = NO_STORE
    user, password = await UserService(session, viewer, passwords).create(body)
    return UserCreated(user=user, initial_password=password)


@router.get(
    "/users/{user_id}",
    response_model=UserView,
    summary="Профиль участника",
    description=(
        "Полный профиль — себе, администрации, родителю своего ребёнка, классному "
        "руководителю своего ученика; краткий (без даты рождения, почты, телефона, логина "
        "и внешних идентификаторов) — другим педагогам. Иначе 404. Чтение чужого полного "
        "профиля записывается в журнал доступа к персональным данным."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_user(user_id: uuid.UUID, viewer: ViewerDep, session: SessionDep) -> UserView:
    return await UserService(session, viewer).get(user_id)


@router.patch(
    "/users/{user_id}",
    response_model=UserFull,
    summary="Изменить учётную запись и роли (администратор)",
    description="Снятие роли завершает все сеансы пользователя.",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    viewer: ViewerDep,
    session: SessionDep,
    tokens: TokensDep,
) -> UserFull:
    return await UserService(session, viewer, tokens=tokens).update(user_id, body)


@router.post(
    "/users/{user_id}/deactivate",
    response_model=UserFull,
    summary="Отключить учётную запись (администратор)",
    description="Все сеансы завершаются сразу. Отключить самого себя нельзя.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def deactivate_user(
    user_id: uuid.UUID, viewer: ViewerDep, session: SessionDep, tokens: TokensDep
) -> UserFull:
    return await UserService(session, viewer, tokens=tokens).deactivate(user_id)


@router.post(
    "/users/{user_id}/reactivate",
    response_model=UserFull,
    summary="Включить учётную запись (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def reactivate_user(user_id: uuid.UUID, viewer: ViewerDep, session: SessionDep) -> UserFull:
    return await UserService(session, viewer).reactivate(user_id)


@router.post(
    "/users/{user_id}/reset-password",
    response_model=PasswordIssued,
    summary="Выдать новый одноразовый пароль (администратор)",
    description="Все сеансы завершаются; при следующем входе пароль нужно сменить.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def reset_user_password(
    user_id: uuid.UUID,
    response: Response,
    viewer: ViewerDep,
    session: SessionDep,
    passwords: PasswordsDep,
    tokens: TokensDep,
) -> PasswordIssued:
    response.headers["Cache-Control"] = NO_STORE
    return await UserService(session, viewer, passwords, tokens).reset_password(user_id)
