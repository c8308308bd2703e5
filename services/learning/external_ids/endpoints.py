"""External ids of courses and lookup of a course by one (ID-9)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response, status

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.external_ids import SYSTEMS_DOC, ExternalSystem, ExternalValue
from services.learning.access import AccessDep
from services.learning.courses.schemas import CourseRead
from services.learning.external_ids.schemas import ExternalIdRead, ExternalIdSet
from services.learning.external_ids.service import CourseExternalIdService

router = api_router(prefix="/api/v1/learning", tags=["courses"])


@router.put(
    "/courses/{course_id}/external-ids/{system}",
    response_model=ExternalIdRead,
    summary="Задать внешний идентификатор курса (администратор)",
    description=(
        "Один идентификатор на курс и систему; в школе значение системы называет один курс "
        "(иначе 409 `external-id-taken`). Событие `course.updated` с полем `external_ids`. "
        + SYSTEMS_DOC
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def set_course_external_id(
    course_id: uuid.UUID, system: ExternalSystem, body: ExternalIdSet, access: AccessDep
) -> ExternalIdRead:
    return await CourseExternalIdService(access).put(course_id, system, body.value)


@router.delete(
    "/courses/{course_id}/external-ids/{system}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить внешний идентификатор курса (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def delete_course_external_id(
    course_id: uuid.UUID, system: ExternalSystem, access: AccessDep
) -> Response:
    await CourseExternalIdService(access).delete(course_id, system)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/external-ids/lookup",
    response_model=CourseRead,
    summary="Найти курс по внешнему идентификатору",
    description=(
        "Курс своей школы, который вызывающий может видеть; иначе 404 "
        "`external-id-not-found`. Неизвестная система — 422. " + SYSTEMS_DOC
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def lookup_course_by_external_id(
    access: AccessDep,
    system: Annotated[ExternalSystem, Query(description="Внешняя система")],
    value: Annotated[ExternalValue, Query(description="Идентификатор во внешней системе")],
) -> CourseRead:
    return await CourseExternalIdService(access).lookup(system, value)
