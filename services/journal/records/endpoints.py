"""Lesson records (JO-1) and the report of missing and off-plan records."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Response

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, BadRequest, Forbidden, NotFound, problem_responses
from services.common.etag import set_etag
from services.journal.access import AccessDep
from services.journal.marks.endpoints import IfMatch
from services.journal.models import LessonRecord
from services.journal.records.schemas import (
    LessonBrief,
    LessonRecordRead,
    LessonRecordWrite,
    OffPlanRecord,
    RecordsReport,
)
from services.journal.records.service import RecordService

router = api_router(prefix="/api/v1/journal", tags=["lesson-records"])


def read(record: LessonRecord) -> LessonRecordRead:
    return LessonRecordRead(
        id=record.id,
        lesson_id=record.lesson_id,
        course_id=record.course_id,
        topic_id=record.topic_id,
        topic_title=record.topic_title,
        delivery_form=record.delivery_form,
        planned_delivery_form=record.planned_delivery_form,
        held_as_planned=record.delivery_form == record.planned_delivery_form,
        homework=record.homework,
        notes=record.notes,
        version=record.version,
    )


@router.get(
    "/lessons/{lesson_id}/record",
    response_model=LessonRecordRead,
    summary="Что пройдено на уроке",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_lesson_record(
    lesson_id: uuid.UUID, access: AccessDep, response: Response
) -> LessonRecordRead:
    _lesson, record = await RecordService(access).get(lesson_id)
    if record is None:
        raise NotFound("Запись об уроке ещё не сделана", code="lesson-record-not-found")
    set_etag(response, record.id, record.version)
    return read(record)


@router.put(
    "/lessons/{lesson_id}/record",
    response_model=LessonRecordRead,
    summary="Записать, что пройдено на уроке",
    description=(
        "Тема — только из тематического плана курса; форма проведения — фактическая "
        "(если она отличается от запланированной, это видно в записи). Изменение "
        "существующей записи требует If-Match."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 412, 423, 428),
)
async def put_lesson_record(
    lesson_id: uuid.UUID,
    body: LessonRecordWrite,
    access: AccessDep,
    response: Response,
    if_match: IfMatch = None,
) -> LessonRecordRead:
    _lesson, record, created = await RecordService(access).save(
        lesson_id, body.model_dump(), if_match
    )
    response.status_code = 201 if created else 200
    set_etag(response, record.id, record.version)
    return read(record)


@router.get(
    "/reports/lesson-records",
    response_model=RecordsReport,
    summary="Уроки без записи и записи с темой не из плана",
    description=(
        "Прошедшие уроки без записи «что пройдено» и записи, тема которых отсутствует в "
        "тематическом плане. Педагог видит свои курсы, администрация — всю школу."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def lesson_records_report(
    access: AccessDep,
    date_from: Annotated[date, Query(alias="from")],
    date_to: Annotated[date, Query(alias="to")],
    course_id: Annotated[uuid.UUID | None, Query()] = None,
) -> RecordsReport:
    if date_to < date_from or (date_to - date_from).days > 366:
        raise BadRequest("Неверный диапазон дат (не больше года)", code="invalid-range")
    if not (access.is_staff or access.is_teacher):
        raise Forbidden("Отчёт доступен педагогам и администрации")
    today = await access.directory.today(access.school_id)
    missing, off_plan = await RecordService(access).report(course_id, date_from, date_to, today)
    return RecordsReport(
        date_from=date_from,
        date_to=date_to,
        without_record=[
            LessonBrief(
                lesson_id=lesson.id,
                course_id=lesson.course_id,
                date=lesson.date,
                planned_topic=lesson.topic_title,
                delivery_form=lesson.delivery_form,
            )
            for lesson in missing
        ],
        topic_not_in_plan=[
            OffPlanRecord(
                lesson_id=lesson.id,
                course_id=lesson.course_id,
                date=lesson.date,
                topic_title=record.topic_title,
            )
            for lesson, record in off_plan
        ],
    )
