"""External identifiers of users and class groups, and lookup by them (ID-9)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.identity.external_ids.auth import ExternalIdEditor, ExternalIdLookup
from services.identity.external_ids.schemas import (
    EntityType,
    ExternalIdRead,
    ExternalIdSet,
    ExternalSystem,
    ExternalValue,
)
from services.identity.external_ids.service import ExternalIdService

router = api_router(prefix="/api/v1/identity", tags=["external-ids"])

SYSTEMS_DOC = (
    "moya_shkola — ФГИС «Моя школа», sferum — Сферум, esia — ЕСИА, regional — региональная система"
)


@router.put(
    "/users/{user_id}/external-ids/{system}",
    response_model=ExternalIdRead,
    summary="Задать внешний идентификатор пользователя (администратор)",
    description=SYSTEMS_DOC,
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def set_user_external_id(
    user_id: uuid.UUID,
    system: ExternalSystem,
    body: ExternalIdSet,
    viewer: ExternalIdEditor,
    session: SessionDep,
) -> ExternalIdRead:
    return await ExternalIdService(session, viewer).put("user", user_id, system, body.value)


@router.delete(
    "/users/{user_id}/external-ids/{system}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить внешний идентификатор пользователя (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def delete_user_external_id(
    user_id: uuid.UUID, system: ExternalSystem, viewer: ExternalIdEditor, session: SessionDep
) -> Response:
    await ExternalIdService(session, viewer).delete("user", user_id, system)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/class-groups/{class_group_id}/external-ids/{system}",
    response_model=ExternalIdRead,
    summary="Задать внешний идентификатор класса (администратор)",
    description=SYSTEMS_DOC,
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def set_class_group_external_id(
    class_group_id: uuid.UUID,
    system: ExternalSystem,
    body: ExternalIdSet,
    viewer: ExternalIdEditor,
    session: SessionDep,
) -> ExternalIdRead:
    service = ExternalIdService(session, viewer)
    return await service.put("class_group", class_group_id, system, body.value)


@router.delete(
    "/class-groups/{class_group_id}/external-ids/{system}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить внешний идентификатор класса (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def delete_class_group_external_id(
    class_group_id: uuid.UUID, system: ExternalSystem, viewer: ExternalIdEditor, session: SessionDep
) -> Response:
    await ExternalIdService(session, viewer).delete("class_group", class_group_id, system)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/external-ids/lookup",
    response_model=ExternalIdRead,
    summary="Найти объект по внешнему идентификатору (администрация, интеграции)",
    description="Только в своей школе; не найдено — 404. " + SYSTEMS_DOC,
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def lookup_external_id(
    viewer: ExternalIdLookup,
    session: SessionDep,
    system: Annotated[ExternalSystem, Query(description="Внешняя система")],
    value: Annotated[ExternalValue, Query(description="Идентификатор во внешней системе")],
    entity_type: Annotated[EntityType, Query(description="user или class_group")] = "user",
) -> ExternalIdRead:
    return await ExternalIdService(session, viewer).lookup(entity_type, system, value)
