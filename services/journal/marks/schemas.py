from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any, Literal

from pydantic import Field

from services.common.types import ReadModel, SafeStr, StrictModel

ControlType = Literal["current_control", "interim_attestation", "final_attestation"]


class ScaleValue(StrictModel):
    value: SafeStr = Field(min_length=1, max_length=16, description="Отметка, например «5»")
    numeric: float | None = Field(
        default=None, ge=0, le=100, description="Числовое значение для средних (null: зачёт)"
    )
    label: SafeStr | None = Field(default=None, max_length=100)


class Scale(StrictModel):
    values: list[ScaleValue] = Field(min_length=1, max_length=30)


class MarkCreate(StrictModel):
    course_id: uuid.UUID
    student_id: uuid.UUID
    lesson_id: uuid.UUID | None = Field(default=None, description="Урок (дата берётся из него)")
    value: SafeStr = Field(min_length=1, max_length=16)
    control_type: ControlType = "current_control"
    weight: Decimal = Field(default=Decimal(1), gt=0, le=10, decimal_places=2)
    date: dt.date | None = Field(default=None, description="Дата отметки (по умолчанию — урока)")
    comment: SafeStr | None = Field(default=None, max_length=2000)


class LessonMark(StrictModel):
    student_id: uuid.UUID
    value: SafeStr = Field(min_length=1, max_length=16)
    control_type: ControlType = "current_control"
    weight: Decimal = Field(default=Decimal(1), gt=0, le=10, decimal_places=2)
    comment: SafeStr | None = Field(default=None, max_length=2000)


class LessonMarks(StrictModel):
    marks: list[LessonMark] = Field(min_length=1, max_length=100)


class MarkUpdate(StrictModel):
    value: SafeStr | None = Field(default=None, min_length=1, max_length=16)
    control_type: ControlType | None = None
    weight: Decimal | None = Field(default=None, gt=0, le=10, decimal_places=2)
    comment: SafeStr | None = Field(default=None, max_length=2000)
    reason: SafeStr = Field(min_length=1, max_length=1000, description="Причина изменения")


class MarkAnnul(StrictModel):
    reason: SafeStr = Field(min_length=1, max_length=1000, description="Причина аннулирования")


class MarkRead(ReadModel):
    id: uuid.UUID
    course_id: uuid.UUID
    lesson_id: uuid.UUID | None
    student_id: uuid.UUID
    value: str
    numeric_value: float | None
    control_type: str
    weight: float
    date: dt.date
    comment: str | None
    source: str
    status: str
    annul_reason: str | None
    version: int
    created_at: dt.datetime
    updated_at: dt.datetime


class MarkList(ReadModel):
    items: list[MarkRead]


class ChangeRead(ReadModel):
    action: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    reason: str | None
    by: uuid.UUID | None
    via: str | None
    at: dt.datetime


class MarkHistory(ReadModel):
    mark: MarkRead
    changes: list[ChangeRead]


class GridStudent(ReadModel):
    id: uuid.UUID
    name: str


class GridLesson(ReadModel):
    id: uuid.UUID
    date: dt.date
    topic: str | None
    delivery_form: str
    status: str


class GridAbsence(ReadModel):
    lesson_index: int = Field(description="Номер урока в списке lessons (с нуля)")
    reason: str | None


class GridExtraMark(ReadModel):
    date: dt.date
    value: str


class GridRow(ReadModel):
    student: GridStudent
    marks: list[list[str]] = Field(
        description="Отметки по урокам: i-й список — отметки за i-й урок из lessons"
    )
    absences: list[GridAbsence] = Field(description="Пропуски («н») с причиной")
    extra_marks: list[GridExtraMark] = Field(description="Отметки периода без привязки к уроку")
    average: float | None
    weighted_average: float | None


class Grid(ReadModel):
    course_id: uuid.UUID
    subject: str
    period_id: uuid.UUID | None
    starts_on: dt.date
    ends_on: dt.date
    lessons: list[GridLesson]
    rows: list[GridRow]
