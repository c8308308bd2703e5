"""Closing a school year, its archive with checksums, retention periods (JO-8)."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Annotated

from fastapi import Query, Request, Response

from services.common.app import api_router
from services.common.auth import AdminPrincipal, CurrentPrincipal, Principal, StaffPrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.journal.archive.schemas import (
    ArchiveFileRead,
    ArchiveListing,
    RetentionRules,
    RetentionRulesWrite,
    YearChangeRead,
    YearCloseRequest,
    YearClosure,
    YearReopenRequest,
)
from services.journal.archive.service import ArchiveService, rule_read
from services.journal.models import ClosedYear, YearChange
from services.journal.reports.http import file_response, file_responses, safe_name

router = api_router(prefix="/api/v1/journal", tags=["archive"])


def _service(request: Request, session: SessionDep, principal: Principal) -> ArchiveService:
    root = Path(request.app.state.settings.archive_path)
    return ArchiveService(session, principal, root)


def _closure(
    year_id: uuid.UUID, name: str, closed: ClosedYear | None, changes: list[YearChange]
) -> YearClosure:
    return YearClosure(
        academic_year_id=year_id,
        name=name,
        is_closed=bool(closed and closed.is_closed),
        closed_at=closed.closed_at if closed and closed.is_closed else None,
        closed_by=closed.closed_by if closed and closed.is_closed else None,
        generation=closed.generation if closed else 0,
        changes=[YearChangeRead.model_validate(c) for c in changes],
    )


@router.get(
    "/academic-years/{year_id}/closure",
    response_model=YearClosure,
    summary="Закрыт ли учебный год",
    description="Состояние учебного года (закрыт и сдан в архив или открыт) и история.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_year_closure(
    year_id: uuid.UUID, request: Request, session: SessionDep, principal: CurrentPrincipal
) -> YearClosure:
    year, closed, changes = await _service(request, session, principal).closure(year_id)
    return _closure(year_id, year.name, closed, changes)


@router.post(
    "/academic-years/{year_id}/close",
    response_model=YearClosure,
    summary="Закрыть учебный год и сформировать архив",
    description=(
        "Администратор закрывает все периоды года и сам год: любые изменения с датой в "
        "этом году — 423. Формируется архив: журналы всех курсов года (XLSX и PDF) и "
        "сводные ведомости классов, у каждого файла записана контрольная сумма SHA-256, "
        "и опись (manifest.json). Повторно — 409."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def close_academic_year(
    year_id: uuid.UUID,
    body: YearCloseRequest,
    request: Request,
    session: SessionDep,
    principal: AdminPrincipal,
) -> YearClosure:
    service = _service(request, session, principal)
    await service.close(year_id, body.reason)
    year, closed, changes = await service.closure(year_id)
    return _closure(year_id, year.name, closed, changes)


@router.post(
    "/academic-years/{year_id}/reopen",
    response_model=YearClosure,
    summary="Открыть закрытый учебный год по приказу",
    description=(
        "Только администратор с номером и датой приказа. Периоды года остаются закрытыми и "
        "открываются по отдельности; архив сохраняется, повторное закрытие создаёт новый."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def reopen_academic_year(
    year_id: uuid.UUID,
    body: YearReopenRequest,
    request: Request,
    session: SessionDep,
    principal: AdminPrincipal,
) -> YearClosure:
    service = _service(request, session, principal)
    await service.reopen(year_id, body.order_number, body.order_date, body.reason)
    year, closed, changes = await service.closure(year_id)
    return _closure(year_id, year.name, closed, changes)


@router.get(
    "/archives/{year_id}",
    response_model=ArchiveListing,
    summary="Файлы архива учебного года",
    description=(
        "Файлы архива с размерами, SHA-256 и сроком хранения; по умолчанию последний архив "
        "года (`generation` — более ранний). Доступно администрации."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_archive_files(
    year_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: StaffPrincipal,
    generation: Annotated[int | None, Query(ge=1, le=1000, description="Номер архива")] = None,
) -> ArchiveListing:
    closed, wanted, files = await _service(request, session, principal).listing(year_id, generation)
    return ArchiveListing(
        academic_year_id=year_id,
        generation=wanted,
        is_closed=closed.is_closed,
        files=[ArchiveFileRead.model_validate(f) for f in files],
    )


@router.get(
    "/archives/{year_id}/files/{file_id}",
    response_class=Response,
    summary="Скачать файл архива",
    description=(
        "Перед выдачей контрольная сумма файла сверяется с записанной при архивировании; "
        "повреждённый или пропавший файл не выдаётся (409 `archive-corrupted`). Доступно "
        "администрации."
    ),
    responses={
        200: {
            "description": "Файл архива (XLSX, PDF или опись JSON); SHA-256 в X-Content-SHA256",
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in (
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    "application/pdf",
                    "application/json",
                )
            },
        },
        **{k: v for k, v in file_responses("pdf", 404, 409).items() if k != 200},
    },
)
async def download_archive_file(
    year_id: uuid.UUID,
    file_id: uuid.UUID,
    request: Request,
    session: SessionDep,
    principal: StaffPrincipal,
) -> Response:
    item, content = await _service(request, session, principal).download(year_id, file_id)
    return file_response(
        content,
        item.format,
        safe_name(item.title) + f".{item.format}",
        headers={"X-Content-SHA256": item.sha256},
    )


@router.get(
    "/retention-rules",
    response_model=RetentionRules,
    summary="Сроки хранения документов",
    description=(
        "Срок хранения по видам документов с источником; значения по умолчанию, пока "
        "школа их не изменила. Доступно администрации."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_retention_rules(
    request: Request, session: SessionDep, principal: StaffPrincipal
) -> RetentionRules:
    rules = await _service(request, session, principal).rules()
    return RetentionRules(items=[rule_read(r) for r in rules.values()])


@router.put(
    "/retention-rules",
    response_model=RetentionRules,
    summary="Изменить сроки хранения документов",
    description=(
        "Администратор задаёт срок (лет), источник и примечание для видов документов; "
        "неуказанные поля сохраняют значение. Сроки уже архивированных файлов "
        "пересчитываются."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def put_retention_rules(
    body: RetentionRulesWrite, request: Request, session: SessionDep, principal: AdminPrincipal
) -> RetentionRules:
    rules = await _service(request, session, principal).set_rules(body.rules)
    return RetentionRules(items=[rule_read(r) for r in rules.values()])
