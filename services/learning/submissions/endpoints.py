"""Submitted works: sending, recording received ones, reading (LE-6, Reg §1.4, §1.5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, File, Form, Query, Request, Response, UploadFile, status
from fastapi.responses import FileResponse

from services.common.app import api_router
from services.common.auth import Principal, require_roles
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.common.types import SafeStr
from services.learning.access import AccessDep
from services.learning.assignments.times import ClockDep
from services.learning.files.deps import FileStoreDep
from services.learning.submissions.schemas import RecordedChannel, SubmissionRead
from services.learning.submissions.service import SubmissionService

router = api_router(prefix="/api/v1/learning", tags=["submissions"])

StudentOnly = Annotated[Principal, Depends(require_roles("student"))]
TextField = Annotated[
    SafeStr | None, Form(max_length=50000, description="Текст ответа (необязательно)")
]
FilesField = Annotated[
    list[UploadFile] | None,
    File(description="Файлы работы: документы, изображения, аудио, видео (до 10)"),
]

FILE_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Содержимое файла",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.post(
    "/assignments/{assignment_id}/submissions",
    response_model=SubmissionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Сдать работу",
    description=(
        "Обучающийся отправляет текст и/или файлы (multipart/form-data) по опубликованному "
        "заданию, выданному ему. Каждая отправка — новая версия; прежние сохраняются. "
        "Работа после срока помечается `late`. После того как работа принята, новая "
        "версия не принимается (409). Повтор с тем же `Idempotency-Key` не создаёт "
        "вторую версию."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 413, 415),
)
async def submit_work(
    assignment_id: uuid.UUID,
    _student: StudentOnly,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    store: FileStoreDep,
    text: TextField = None,
    files: FilesField = None,
) -> SubmissionRead:
    service = SubmissionService(session, access, clock, store)
    return await service.submit(assignment_id, text, files or [])


@router.post(
    "/assignments/{assignment_id}/submissions/recorded",
    response_model=SubmissionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Внести работу, полученную по почте или иным способом",
    description=(
        "Педагог курса (или администратор) регистрирует работу обучающегося, полученную "
        "по электронной почте (`channel=email`) или иным способом (`other`), с временем "
        "получения `received_at` (со смещением или по времени школы) — Рег. §1.5. Текст и "
        "файлы необязательны."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 413, 415),
)
async def record_received_work(
    assignment_id: uuid.UUID,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    store: FileStoreDep,
    student_id: Annotated[uuid.UUID, Form(description="Обучающийся")],
    channel: Annotated[RecordedChannel, Form(description="email или other")],
    received_at: Annotated[datetime, Form(description="Когда работа получена")],
    text: TextField = None,
    files: FilesField = None,
) -> SubmissionRead:
    service = SubmissionService(session, access, clock, store)
    return await service.record(
        assignment_id,
        student_id=student_id,
        channel=channel,
        received_at=received_at,
        text=text,
        uploads=files or [],
    )


@router.get(
    "/assignments/{assignment_id}/submissions",
    response_model=Page[SubmissionRead],
    summary="Работы по заданию",
    description=(
        "Педагогам и администрации — работы всех обучающихся; обучающемуся — свои, "
        "родителю — детей. По умолчанию — последние версии; `all_versions=true` — все. "
        "Сначала полученные позже."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_assignment_submissions(
    assignment_id: uuid.UUID,
    request: Request,
    response: Response,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    page: PageDep,
    student_id: Annotated[uuid.UUID | None, Query(description="Только этого обучающегося")] = None,
    all_versions: Annotated[bool, Query(description="Все версии, а не только последние")] = False,
) -> Page[SubmissionRead]:
    items, cursor = await SubmissionService(session, access, clock).page(
        assignment_id, page, student_id=student_id, all_versions=all_versions
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/submissions/{submission_id}",
    response_model=SubmissionRead,
    summary="Версия работы",
    description="Обучающемуся — своя, родителю — ребёнка, педагогам и администрации — любая.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_submission(
    submission_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> SubmissionRead:
    return await SubmissionService(session, access, clock).get(submission_id)


@router.get(
    "/submissions/{submission_id}/files/{file_id}",
    response_class=FileResponse,
    response_model=None,
    summary="Скачать файл работы",
    description="Тем же, кто может читать работу.",
    responses={**FILE_DOWNLOAD, **problem_responses(*AUTH_ERRORS, 404)},
)
async def download_submission_file(
    submission_id: uuid.UUID,
    file_id: uuid.UUID,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    store: FileStoreDep,
) -> FileResponse:
    stored = await SubmissionService(session, access, clock, store).file(submission_id, file_id)
    return FileResponse(
        store.blob(stored), media_type=stored.content_type, filename=stored.original_name
    )
