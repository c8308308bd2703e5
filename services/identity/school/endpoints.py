"""``/school`` and ``/academic-years`` (ID-4, X-1)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response, status

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.identity.school.auth import SchoolEditor, SchoolReader
from services.identity.school.schemas import (
    AcademicYearCreate,
    AcademicYearRead,
    AcademicYearUpdate,
    SchoolRead,
    SchoolUpdate,
)
from services.identity.school.service import SchoolService

router = api_router(prefix="/api/v1/identity", tags=["school"])


@router.get(
    "/school",
    response_model=SchoolRead,
    summary="Моя школа",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_school(principal: SchoolReader, session: SessionDep) -> SchoolRead:
    school = await SchoolService(session).school(principal.school_id)
    return SchoolRead.model_validate(school)


@router.patch(
    "/school",
    response_model=SchoolRead,
    summary="Изменить сведения о школе (администратор)",
    description="Название, краткое название, часовой пояс (имя IANA), регион, ИНН.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def update_school(
    body: SchoolUpdate, principal: SchoolEditor, session: SessionDep
) -> SchoolRead:
    school = await SchoolService(session).update_school(principal.school_id, body)
    return SchoolRead.model_validate(school)


@router.get(
    "/academic-years",
    response_model=Page[AcademicYearRead],
    summary="Учебные годы школы",
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_academic_years(
    request: Request,
    response: Response,
    principal: SchoolReader,
    session: SessionDep,
    page: PageDep,
) -> Page[AcademicYearRead]:
    rows, cursor = await SchoolService(session).list_years(principal.school_id, page)
    items = [AcademicYearRead.model_validate(r) for r in rows]
    return make_page(request, response, items, page, cursor)


@router.post(
    "/academic-years",
    response_model=AcademicYearRead,
    status_code=status.HTTP_201_CREATED,
    summary="Создать учебный год (администратор)",
    description=(
        "Начало раньше конца; годы не пересекаются; `is_current` снимает отметку с прежнего."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def create_academic_year(
    body: AcademicYearCreate, principal: SchoolEditor, session: SessionDep
) -> AcademicYearRead:
    year = await SchoolService(session).create_year(principal.school_id, body)
    return AcademicYearRead.model_validate(year)


@router.patch(
    "/academic-years/{year_id}",
    response_model=AcademicYearRead,
    summary="Изменить учебный год (администратор)",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_academic_year(
    year_id: uuid.UUID, body: AcademicYearUpdate, principal: SchoolReader, session: SessionDep
) -> AcademicYearRead:
    year = await SchoolService(session).update_year(principal, year_id, body)
    return AcademicYearRead.model_validate(year)
