"""Attendance (JO-3) with history (JO-5)."""

from __future__ import annotations

import uuid

from fastapi import Response

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.etag import set_etag
from services.journal.access import AccessDep
from services.journal.attendance.schemas import (
    AttendanceHistory,
    AttendanceList,
    AttendanceRead,
    AttendanceUpdate,
    LessonAttendance,
)
from services.journal.attendance.service import AttendanceService
from services.journal.marks.endpoints import IfMatch
from services.journal.marks.schemas import ChangeRead

router = api_router(prefix="/api/v1/journal", tags=["attendance"])


@router.put(
    "/lessons/{lesson_id}/attendance",
    response_model=AttendanceList,
    summary="Отметить отсутствующих на уроке",
    description=(
        "Педагог урока отмечает отсутствующих («н») с причиной или снимает отметку "
        "(status=present). Всё или ничего; каждое изменение сохраняется в истории."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 412, 423),
)
async def record_attendance(
    lesson_id: uuid.UUID, body: LessonAttendance, access: AccessDep
) -> AttendanceList:
    rows = await AttendanceService(access).record_lesson(
        lesson_id, [e.model_dump() for e in body.entries]
    )
    return AttendanceList(items=[AttendanceRead.model_validate(r) for r in rows])


@router.get(
    "/lessons/{lesson_id}/attendance",
    response_model=AttendanceList,
    summary="Посещаемость урока",
    description="Обучающийся и родитель видят только свои (детей) записи.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def lesson_attendance(lesson_id: uuid.UUID, access: AccessDep) -> AttendanceList:
    rows = await AttendanceService(access).lesson_attendance(lesson_id)
    return AttendanceList(items=[AttendanceRead.model_validate(r) for r in rows])


@router.get(
    "/attendance/{attendance_id}",
    response_model=AttendanceRead,
    summary="Запись о посещаемости (с ETag)",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_attendance(
    attendance_id: uuid.UUID, access: AccessDep, response: Response
) -> AttendanceRead:
    row = await AttendanceService(access).readable(attendance_id)
    set_etag(response, row.id, row.version)
    return AttendanceRead.model_validate(row)


@router.patch(
    "/attendance/{attendance_id}",
    response_model=AttendanceRead,
    summary="Исправить запись о посещаемости (If-Match обязателен)",
    responses=problem_responses(*AUTH_ERRORS, 404, 412, 423, 428),
)
async def update_attendance(
    attendance_id: uuid.UUID,
    body: AttendanceUpdate,
    access: AccessDep,
    response: Response,
    if_match: IfMatch = None,
) -> AttendanceRead:
    values = body.model_dump(exclude_unset=True, exclude={"change_reason"})
    row = await AttendanceService(access).update(
        attendance_id, values, body.change_reason, if_match
    )
    set_etag(response, row.id, row.version)
    return AttendanceRead.model_validate(row)


@router.get(
    "/attendance/{attendance_id}/history",
    response_model=AttendanceHistory,
    summary="История записи о посещаемости",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def attendance_history(attendance_id: uuid.UUID, access: AccessDep) -> AttendanceHistory:
    row, changes = await AttendanceService(access).history(attendance_id)
    return AttendanceHistory(
        attendance=AttendanceRead.model_validate(row),
        changes=[ChangeRead.model_validate(c) for c in changes],
    )
