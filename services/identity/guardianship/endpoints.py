"""``/guardianships``, a person's guardians and children, ``/me/children`` (ID-3, ID-10)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response, status

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.identity.guardianship.auth import GuardianshipEditor, LinkReader
from services.identity.guardianship.schemas import (
    ChildLink,
    GuardianLink,
    GuardianshipCreate,
    GuardianshipRead,
)
from services.identity.guardianship.service import GuardianshipService

router = api_router(prefix="/api/v1/identity", tags=["guardianship"])


@router.post(
    "/guardianships",
    response_model=GuardianshipRead,
    status_code=status.HTTP_201_CREATED,
    summary="Связать родителя и обучающегося (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def create_guardianship(
    body: GuardianshipCreate, viewer: GuardianshipEditor, session: SessionDep
) -> GuardianshipRead:
    return await GuardianshipService(session, viewer).create(body)


@router.delete(
    "/guardianships/{guardianship_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить связь родителя и обучающегося (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def delete_guardianship(
    guardianship_id: uuid.UUID, viewer: LinkReader, session: SessionDep
) -> Response:
    await GuardianshipService(session, viewer).delete(guardianship_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/users/{user_id}/guardians",
    response_model=Page[GuardianLink],
    summary="Родители (законные представители) обучающегося",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_user_guardians(
    user_id: uuid.UUID,
    request: Request,
    response: Response,
    viewer: LinkReader,
    session: SessionDep,
    page: PageDep,
) -> Page[GuardianLink]:
    items, cursor = await GuardianshipService(session, viewer).guardians(user_id, page)
    return make_page(request, response, items, page, cursor)


@router.get(
    "/users/{user_id}/children",
    response_model=Page[ChildLink],
    summary="Дети родителя (законного представителя)",
    description="Чтение полного профиля ребёнка записывается в журнал доступа к ПДн.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_user_children(
    user_id: uuid.UUID,
    request: Request,
    response: Response,
    viewer: LinkReader,
    session: SessionDep,
    page: PageDep,
) -> Page[ChildLink]:
    service = GuardianshipService(session, viewer)
    items, cursor = await service.children(user_id, page, resource="children")
    return make_page(request, response, items, page, cursor)


@router.get(
    "/me/children",
    response_model=Page[ChildLink],
    summary="Мои дети",
    description="Для родителя: связанные дети с полным профилем.",
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_my_children(
    request: Request, response: Response, viewer: LinkReader, session: SessionDep, page: PageDep
) -> Page[ChildLink]:
    service = GuardianshipService(session, viewer)
    items, cursor = await service.children(viewer.user_id, page, resource="my_children")
    return make_page(request, response, items, page, cursor)
