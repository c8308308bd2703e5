"""The student's digital portfolio (JO-7): items, their confirmation, JSON and PDF export."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import Body, Query, Request, Response, status

from services.common.app import api_router
from services.common.db import utcnow
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.journal.access import AccessDep
from services.journal.portfolio.schemas import (
    Portfolio,
    PortfolioItemCreate,
    PortfolioItemRead,
    PortfolioStudent,
    RejectRequest,
    Status,
)
from services.journal.portfolio.service import PortfolioService
from services.journal.reports.data import PortfolioDocument, PortfolioEntry
from services.journal.reports.http import file_response, file_responses, safe_name
from services.journal.reports.pdf import render_portfolio_pdf

router = api_router(prefix="/api/v1/journal", tags=["portfolio"])

READERS = (
    "Доступно обучающемуся, его родителям (законным представителям), классному "
    "руководителю и администрации."
)


@router.post(
    "/students/{student_id}/portfolio/items",
    response_model=PortfolioItemRead,
    status_code=status.HTTP_201_CREATED,
    summary="Добавить запись в портфолио",
    description=(
        "Достижение (олимпиада, конкурс, конференция — уровень и результат), компетенция, "
        "документ об образовании или сертификат онлайн-курса. Запись обучающегося (о себе) "
        "или родителя (о своём ребёнке) ждёт подтверждения (`proposed`); запись сотрудника "
        "администрации или классного руководителя подтверждена сразу. Подтверждение — "
        "ссылка https://."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def create_portfolio_item(
    student_id: uuid.UUID,
    body: Annotated[PortfolioItemCreate, Body()],
    access: AccessDep,
) -> PortfolioItemRead:
    item = await PortfolioService(access).create(student_id, body)
    return PortfolioItemRead.model_validate(item)


@router.get(
    "/students/{student_id}/portfolio",
    response_model=Portfolio,
    summary="Портфолио обучающегося (выгрузка JSON)",
    description=(
        "Все записи портфолио: подтверждённые, ожидающие подтверждения и отклонённые (с "
        "причиной); фильтр `status`. " + READERS
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_student_portfolio(
    student_id: uuid.UUID,
    access: AccessDep,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
) -> Portfolio:
    person, classes, items = await PortfolioService(access).portfolio(
        student_id, list(status_) if status_ else None
    )
    return Portfolio(
        student=PortfolioStudent(id=person.id, full_name=person.full_name, class_names=classes),
        generated_at=utcnow(),
        items=[PortfolioItemRead.model_validate(i) for i in items],
    )


@router.get(
    "/students/{student_id}/portfolio.pdf",
    response_class=Response,
    summary="Портфолио обучающегося (PDF)",
    description="Подтверждённые записи портфолио по разделам. " + READERS,
    responses=file_responses("pdf", 404),
)
async def export_student_portfolio_pdf(student_id: uuid.UUID, access: AccessDep) -> Response:
    service = PortfolioService(access)
    person, classes, items = await service.portfolio(student_id, ["confirmed"])
    document = PortfolioDocument(
        school=await service.school_name(),
        student=person.full_name,
        classes=classes,
        generated_at=utcnow(),
        entries=[
            PortfolioEntry(
                kind=i.kind,
                title=i.title,
                occurred_on=i.occurred_on,
                description=i.description,
                details=dict(i.details or {}),
                evidence_url=i.evidence_url,
            )
            for i in items
        ],
    )
    content = await asyncio.to_thread(render_portfolio_pdf, document)
    return file_response(content, "pdf", safe_name(f"Портфолио {person.full_name}") + ".pdf")


@router.get(
    "/portfolio-items",
    response_model=Page[PortfolioItemRead],
    summary="Записи портфолио на рассмотрении",
    description=(
        "Для подтверждения: администрация видит записи школы, классный руководитель — "
        "обучающихся своих классов. Фильтр `status` (по умолчанию все)."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_portfolio_items(
    request: Request,
    response: Response,
    access: AccessDep,
    page: PageDep,
    status_: Annotated[Status | None, Query(alias="status")] = None,
) -> Page[PortfolioItemRead]:
    rows, cursor = await PortfolioService(access).queue(page, status_)
    items = [PortfolioItemRead.model_validate(i) for i in rows]
    return make_page(request, response, items, page, cursor)


@router.get(
    "/portfolio-items/{item_id}",
    response_model=PortfolioItemRead,
    summary="Запись портфолио",
    description=READERS,
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_portfolio_item(item_id: uuid.UUID, access: AccessDep) -> PortfolioItemRead:
    return PortfolioItemRead.model_validate(await PortfolioService(access).readable(item_id))


@router.post(
    "/portfolio-items/{item_id}/confirm",
    response_model=PortfolioItemRead,
    summary="Подтвердить запись портфолио",
    description="Администрация или классный руководитель обучающегося. Повторно — 409.",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def confirm_portfolio_item(item_id: uuid.UUID, access: AccessDep) -> PortfolioItemRead:
    return PortfolioItemRead.model_validate(await PortfolioService(access).confirm(item_id))


@router.post(
    "/portfolio-items/{item_id}/reject",
    response_model=PortfolioItemRead,
    summary="Отклонить запись портфолио",
    description="С указанием причины; администрация или классный руководитель обучающегося.",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def reject_portfolio_item(
    item_id: uuid.UUID, body: RejectRequest, access: AccessDep
) -> PortfolioItemRead:
    item = await PortfolioService(access).reject(item_id, body.reason)
    return PortfolioItemRead.model_validate(item)
