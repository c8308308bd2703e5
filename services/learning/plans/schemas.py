"""Schemas of the thematic plan (КТП) of a course (LE-2)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    Strict,
    StringConstraints,
    model_validator,
)

from services.common.types import StrictModel
from services.learning.courses.schemas import NO_CONTROL, check_one_decimal, text_only

MAX_HOURS = Decimal(100)

TopicTitle = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    NO_CONTROL,
    Field(description="Тема урока", examples=["Сложение дробей с разными знаменателями"]),
]
Section = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    NO_CONTROL,
    Field(description="Раздел рабочей программы", examples=["Обыкновенные дроби"]),
]
Notes = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), NO_CONTROL]
PlannedHours = Annotated[
    Decimal,
    Field(gt=0, le=MAX_HOURS, description="Часы на тему: больше 0, не больше 100, шаг 0,1"),
    AfterValidator(check_one_decimal),
]
PlannedDate = Annotated[
    date,
    BeforeValidator(text_only),
    Field(description="Планируемая дата (ГГГГ-ММ-ДД), в учебном году курса"),
]
Position = Annotated[int, Strict(), Field(ge=1, description="Номер темы в плане, с 1")]


class TopicCreate(StrictModel):
    title: TopicTitle
    section: Section | None = None
    planned_hours: PlannedHours
    planned_date: PlannedDate | None = None
    notes: Notes | None = None
    position: Position | None = Field(
        default=None,
        description="Куда вставить тему (1 … число тем + 1); по умолчанию — в конец",
    )


class TopicUpdate(StrictModel):
    """Only the fields sent are changed; ``position`` moves the topic within the plan."""

    title: TopicTitle | None = None
    section: Section | None = None
    planned_hours: PlannedHours | None = None
    planned_date: PlannedDate | None = None
    notes: Notes | None = None
    position: Position | None = None

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in ("title", "planned_hours", "position"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class TopicOrder(StrictModel):
    topic_ids: list[uuid.UUID] = Field(
        min_length=1,
        max_length=5000,
        description="Все темы плана в новом порядке, каждая один раз",
    )


class TopicRead(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    position: int = Field(description="Номер темы в плане: 1 … число тем, без пропусков")
    section: str | None
    title: str
    planned_hours: float
    planned_date: date | None
    notes: str | None
    lesson_count: int = Field(
        description="Сколько уроков расписания ссылаются на тему (такую тему нельзя удалить)"
    )


class ThematicPlanRead(BaseModel):
    course_id: uuid.UUID
    topics: list[TopicRead]
    topic_count: int
    total_hours: float


class PlanImportResult(ThematicPlanRead):
    kept: int = Field(description="Тем сохранено с прежними идентификаторами")
    created: int = Field(description="Тем создано")
    removed: int = Field(description="Тем удалено")


class PlanRowError(BaseModel):
    line: int = Field(description="Номер строки в файле (с 1, считая строку заголовков)")
    field: str = Field(description="Столбец (Тема, Часы, Дата, №, Раздел) или file / header")
    message: str
    code: str
