from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import Field

from services.common.types import ReadModel, SafeStr, StrictModel


class LessonRecordWrite(StrictModel):
    topic_id: uuid.UUID = Field(description="Тема из тематического плана курса")
    delivery_form: Literal["in_person", "e_learning", "distance"] = Field(
        description="Форма, в которой урок фактически проведён (§5.9)"
    )
    homework: SafeStr | None = Field(default=None, max_length=5000)
    notes: SafeStr | None = Field(default=None, max_length=2000)


class LessonRecordRead(ReadModel):
    id: uuid.UUID
    lesson_id: uuid.UUID
    course_id: uuid.UUID
    topic_id: uuid.UUID | None
    topic_title: str
    delivery_form: str
    planned_delivery_form: str
    held_as_planned: bool
    homework: str | None
    notes: str | None
    version: int


class LessonBrief(ReadModel):
    lesson_id: uuid.UUID
    course_id: uuid.UUID
    date: dt.date
    planned_topic: str | None
    delivery_form: str


class OffPlanRecord(ReadModel):
    lesson_id: uuid.UUID
    course_id: uuid.UUID
    date: dt.date
    topic_title: str


class RecordsReport(ReadModel):
    date_from: dt.date
    date_to: dt.date
    without_record: list[LessonBrief]
    topic_not_in_plan: list[OffPlanRecord]
