"""``/class-groups`` and their students (ID-4)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.common.types import SafeStr
from services.identity.class_groups.schemas import (
    ClassGroupCreate,
    ClassGroupRead,
    ClassGroupUpdate,
    MembershipCreate,
    MembershipRead,
)
from services.identity.class_groups.service import ClassGroupService
from services.identity.users.auth import AdminViewerDep, ViewerDep
from services.identity.users.schemas import UserView

router = api_router(prefix="/api/v1/identity", tags=["school"])


@router.get(
    "/class-groups",
    response_model=Page[ClassGroupRead],
    summary="Классы школы",
    description=(
        "Администрация и педагоги видят все классы; обучающийся — свои, родитель — классы "
        "своих детей. Фильтры: `academic_year_id`, `grade`."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_class_groups(
    request: Request,
    response: Response,
    viewer: ViewerDep,
    session: SessionDep,
    page: PageDep,
    academic_year_id: Annotated[uuid.UUID | None, Query(description="Учебный год")] = None,
    grade: Annotated[int | None, Query(ge=1, le=11, description="Параллель")] = None,
) -> Page[ClassGroupRead]:
    items, cursor = await ClassGroupService(session, viewer).list_groups(
        page, academic_year_id=academic_year_id, grade=grade
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/class-groups",
    response_model=ClassGroupRead,
    status_code=status.HTTP_201_CREATED,
    summary="Создать класс (администратор)",
    description="Параллель 1–11 и буква кириллицы; класс уникален в учебном году.",
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def create_class_group(
    body: ClassGroupCreate, viewer: AdminViewerDep, session: SessionDep
) -> ClassGroupRead:
    return await ClassGroupService(session, viewer).create(body)


@router.get(
    "/class-groups/{class_group_id}",
    response_model=ClassGroupRead,
    summary="Класс",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_class_group(
    class_group_id: uuid.UUID, viewer: ViewerDep, session: SessionDep
) -> ClassGroupRead:
    return await ClassGroupService(session, viewer).get(class_group_id)


@router.patch(
    "/class-groups/{class_group_id}",
    response_model=ClassGroupRead,
    summary="Изменить класс или классного руководителя (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_class_group(
    class_group_id: uuid.UUID, body: ClassGroupUpdate, viewer: ViewerDep, session: SessionDep
) -> ClassGroupRead:
    return await ClassGroupService(session, viewer).update(class_group_id, body)


@router.get(
    "/class-groups/{class_group_id}/students",
    response_model=Page[UserView],
    summary="Обучающиеся класса",
    description=(
        "Каждый обучающийся показан так же, как в `GET /users/{id}`: полностью или кратко; "
        "кого вызывающий видеть не может, в списке нет. Фильтры: `q`, `active`. Показ "
        "полного профиля записывается в журнал доступа к персональным данным."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_class_students(
    class_group_id: uuid.UUID,
    request: Request,
    response: Response,
    viewer: ViewerDep,
    session: SessionDep,
    page: PageDep,
    q: Annotated[
        SafeStr | None, Query(min_length=1, max_length=100, description="Поиск по ФИО")
    ] = None,
    active: Annotated[bool | None, Query(description="Только активные или отключённые")] = None,
) -> Page[UserView]:
    items, cursor = await ClassGroupService(session, viewer).students(
        class_group_id, page, q=q, active=active
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/class-groups/{class_group_id}/students",
    response_model=MembershipRead,
    status_code=status.HTTP_201_CREATED,
    summary="Добавить обучающегося в класс (администратор)",
    description="В одном учебном году обучающийся состоит только в одном классе.",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def add_class_student(
    class_group_id: uuid.UUID, body: MembershipCreate, viewer: ViewerDep, session: SessionDep
) -> MembershipRead:
    return await ClassGroupService(session, viewer).add_student(class_group_id, body.student_id)


@router.delete(
    "/class-groups/{class_group_id}/students/{student_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Исключить обучающегося из класса (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def remove_class_student(
    class_group_id: uuid.UUID, student_id: uuid.UUID, viewer: ViewerDep, session: SessionDep
) -> Response:
    await ClassGroupService(session, viewer).remove_student(class_group_id, student_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
