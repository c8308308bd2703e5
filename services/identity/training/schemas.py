"""Schemas of a teacher's DOT training record (ID-7)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.common.types import StrictModel
from services.identity.users.schemas import Text100, Text300

DocNumber = Text100


class TrainingCreate(StrictModel):
    program: Text300 = Field(description="Программа повышения квалификации")
    provider: Text300 = Field(description="Организация, проводившая обучение")
    hours: int = Field(gt=0, le=10_000, strict=True, description="Объём, академических часов")
    completed_on: date = Field(description="Дата окончания обучения")
    valid_until: date | None = Field(default=None, description="Действует до (если ограничено)")
    document_number: DocNumber | None = Field(
        default=None, description="Номер удостоверения или сертификата"
    )

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.valid_until is not None and self.valid_until <= self.completed_on:
            raise ValueError("Дата «действует до» должна быть позже даты окончания обучения")
        return self


class TrainingRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    teacher_id: uuid.UUID
    program: str
    provider: str
    hours: int
    completed_on: date
    valid_until: date | None
    document_number: str | None
    is_valid: bool = Field(description="Действует сегодня (по часовому поясу школы)")
    created_at: datetime
