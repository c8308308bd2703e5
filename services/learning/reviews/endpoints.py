"""Reviews of works and the same-day review report (LE-7, Reg §1.6, §2.3, §2.4)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import File, Form, Query, UploadFile, status
from fastapi.responses import FileResponse

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.marks import MarkValue
from services.common.types import SafeStr
from services.learning.access import AccessDep
from services.learning.assignments.times import ClockDep
from services.learning.files.deps import FileStoreDep
from services.learning.reviews.report import UnreviewedReportService
from services.learning.reviews.schemas import ReviewRead, UnreviewedReport
from services.learning.reviews.service import ReviewService
from services.learning.submissions.endpoints import FILE_DOWNLOAD
from services.learning.submissions.schemas import ReviewStatus

router = api_router(prefix="/api/v1/learning", tags=["reviews"])


@router.post(
    "/submissions/{submission_id}/review",
    response_model=ReviewRead,
    status_code=status.HTTP_201_CREATED,
    summary="Проверить работу",
    description=(
        "Педагог курса (или администратор) проверяет последнюю версию работы "
        "(multipart/form-data): `status` — accepted (принята) или returned (на доработку: "
        "обучающийся может сдать новую версию), `mark` — отметка по шкале (2–5, зачёт, "
        "незачёт; необязательно), `comment_text` — текст рецензии, `comment_file` — "
        "аудио- или видеорецензия (Рег. §2.4). Версия проверяется один раз (409); старая "
        "версия, если есть новее, — 409."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 413, 415),
)
async def review_submission(
    submission_id: uuid.UUID,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    store: FileStoreDep,
    status_: Annotated[ReviewStatus, Form(alias="status", description="accepted или returned")],
    mark: Annotated[
        MarkValue | None, Form(description="Отметка: 2, 3, 4, 5, зачёт, незачёт")
    ] = None,
    comment_text: Annotated[
        SafeStr | None, Form(max_length=20000, description="Текстовая рецензия")
    ] = None,
    comment_file: Annotated[UploadFile | None, File(description="Аудио- или видеорецензия")] = None,
) -> ReviewRead:
    return await ReviewService(session, access, clock, store).review(
        submission_id,
        status=status_,
        mark=mark,
        comment_text=comment_text,
        media=comment_file,
    )


@router.get(
    "/submissions/{submission_id}/review",
    response_model=ReviewRead,
    summary="Рецензия на работу",
    description=(
        "Обучающемуся — на свою работу, родителю — на работу ребёнка, педагогам и "
        "администрации — на любую. Первое открытие рецензии самим обучающимся "
        "записывается в `first_opened_at` один раз (Рег. §1.6)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_submission_review(
    submission_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> ReviewRead:
    return await ReviewService(session, access, clock).get(submission_id)


@router.get(
    "/submissions/{submission_id}/review/media",
    response_class=FileResponse,
    response_model=None,
    summary="Скачать аудио- или видеорецензию",
    description="Тем же, кто может читать рецензию.",
    responses={**FILE_DOWNLOAD, **problem_responses(*AUTH_ERRORS, 404)},
)
async def download_review_media(
    submission_id: uuid.UUID,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    store: FileStoreDep,
) -> FileResponse:
    stored = await ReviewService(session, access, clock, store).media(submission_id)
    return FileResponse(
        store.blob(stored), media_type=stored.content_type, filename=stored.original_name
    )


@router.get(
    "/reports/unreviewed",
    response_model=UnreviewedReport,
    summary="Работы, не проверенные в день получения",
    description=(
        "Рег. §2.3: работы проверяются в день получения. Для даты `date` (по времени "
        "школы; по умолчанию — сегодня) — последние версии работ, полученные в этот день "
        "и не проверенные к концу учебного дня (`school_day_ends_at` настроек школы). "
        "Работа, полученная после конца учебного дня, должна быть проверена к концу "
        "учебного дня следующего календарного дня. Состояния: unreviewed, reviewed_late, "
        "pending (срок ещё не наступил). Педагогу — свои работы; администрации — по "
        "каждому педагогу школы или по `teacher_id`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def report_unreviewed_works(
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    date_: Annotated[
        date | None, Query(alias="date", description="День получения работ, ГГГГ-ММ-ДД")
    ] = None,
    teacher_id: Annotated[uuid.UUID | None, Query(description="Только этот педагог")] = None,
) -> UnreviewedReport:
    return await UnreviewedReportService(session, access, clock).report(date_, teacher_id)
