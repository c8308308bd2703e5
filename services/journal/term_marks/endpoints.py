"""Term and year marks (JO-4)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Response

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.etag import set_etag
from services.journal.access import AccessDep
from services.journal.marks.endpoints import IfMatch
from services.journal.marks.schemas import ChangeRead
from services.journal.term_marks.schemas import (
    TermMarkHistory,
    TermMarkRead,
    TermMarkWrite,
    TermOverview,
    TermRow,
)
from services.journal.term_marks.service import TermMarkService

router = api_router(prefix="/api/v1/journal", tags=["term-marks"])

PeriodQuery = Annotated[uuid.UUID | None, Query(description="Период; без него — годовая отметка")]


@router.get(
    "/courses/{course_id}/term-marks",
    response_model=TermOverview,
    summary="Итоговые отметки курса за период или год",
    description=(
        "Для каждого обучающегося: отметки периода, средний и средневзвешенный балл, "
        "рекомендуемая отметка и выставленная итоговая."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_term_marks(
    course_id: uuid.UUID, access: AccessDep, period_id: PeriodQuery = None
) -> TermOverview:
    course, _period, rows = await TermMarkService(access).overview(course_id, period_id)
    return TermOverview(
        course_id=course.id,
        subject=course.subject,
        period_id=period_id,
        rows=[
            TermRow(
                student_id=r["student_id"],
                student_name=r["student_name"],
                marks=r["marks"],
                average=r["average"],
                weighted_average=r["weighted_average"],
                suggested=r["suggested"],
                term_mark=TermMarkRead.model_validate(r["term_mark"]) if r["term_mark"] else None,
            )
            for r in rows
        ],
    )


@router.put(
    "/courses/{course_id}/term-marks/{student_id}",
    response_model=TermMarkRead,
    summary="Выставить итоговую отметку за период или год",
    description=(
        "Педагог курса выставляет отметку из шкалы; средние сохраняются рядом как "
        "основание. Изменение выставленной отметки требует If-Match; в закрытом периоде — 423."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 412, 423, 428),
)
async def set_term_mark(
    course_id: uuid.UUID,
    student_id: uuid.UUID,
    body: TermMarkWrite,
    access: AccessDep,
    response: Response,
    period_id: PeriodQuery = None,
    if_match: IfMatch = None,
) -> TermMarkRead:
    row = await TermMarkService(access).set_mark(
        course_id, student_id, period_id, body.value, body.reason, if_match
    )
    set_etag(response, row.id, row.version)
    return TermMarkRead.model_validate(row)


@router.get(
    "/term-marks/{term_mark_id}/history",
    response_model=TermMarkHistory,
    summary="История итоговой отметки",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def term_mark_history(term_mark_id: uuid.UUID, access: AccessDep) -> TermMarkHistory:
    row, changes = await TermMarkService(access).history(term_mark_id)
    return TermMarkHistory(
        term_mark=TermMarkRead.model_validate(row),
        changes=[ChangeRead.model_validate(c) for c in changes],
    )
