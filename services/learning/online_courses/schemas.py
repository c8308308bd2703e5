"""Schemas of online courses, enrolments, progress and certificates (LE-10, §1.4)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from services.common.types import SafeStr, StrictModel

# SafeStr's check, applied after stripping and measuring the text
SAFE: Any = SafeStr.__metadata__[0]  # type: ignore[attr-defined]

Level = Literal["primary", "basic", "secondary"]
ItemKind = Literal["material", "quiz"]
EnrolmentStatus = Literal["active", "completed"]

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SAFE]
Subject = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), SAFE
]
Description = Annotated[str, StringConstraints(max_length=20_000), SAFE]
Hours = Annotated[int, Field(ge=1, le=10_000, strict=True)]
IdList = Annotated[list[uuid.UUID], Field(max_length=200)]

LEVEL_DOC = "Уровень общего образования: primary — начальное, basic — основное, secondary — среднее"


class OnlineCourseCreate(StrictModel):
    title: Title = Field(description="Название онлайн-курса")
    description: Description | None = Field(default=None, description="Описание")
    subject: Subject = Field(description="Предмет или направление")
    level: Level | None = Field(default=None, description=LEVEL_DOC)
    hours: Hours = Field(description="Объём, академических часов")
    author_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "Автор — педагог школы. Педагог — всегда автор своего курса; администратор "
            "указывает автора"
        ),
    )


class OnlineCourseUpdate(StrictModel):
    title: Title | None = Field(default=None, description="Название")
    description: Description | None = Field(default=None, description="Описание")
    subject: Subject | None = Field(default=None, description="Предмет или направление")
    level: Level | None = Field(default=None, description=LEVEL_DOC)
    hours: Hours | None = Field(default=None, description="Объём, академических часов")
    is_published: bool | None = Field(
        default=None,
        description="Опубликован в каталоге (нужен хотя бы один модуль с материалом или тестом)",
    )

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in ("title", "subject", "hours", "is_published"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} не может быть пустым")
        return self


class ModuleCreate(StrictModel):
    title: Title = Field(description="Название модуля")
    description: Description | None = Field(default=None, description="Описание модуля")
    material_ids: IdList = Field(
        default_factory=list, description="Материалы модуля (идентификаторы материалов)"
    )
    quiz_ids: IdList = Field(
        default_factory=list, description="Онлайн-тесты модуля (идентификаторы тестов)"
    )
    position: int | None = Field(
        default=None,
        ge=1,
        le=1000,
        strict=True,
        description="Место в курсе (по умолчанию — в конец)",
    )


class ModuleUpdate(StrictModel):
    title: Title | None = Field(default=None, description="Название модуля")
    description: Description | None = Field(default=None, description="Описание модуля")
    material_ids: IdList | None = Field(default=None, description="Материалы модуля")
    quiz_ids: IdList | None = Field(default=None, description="Онлайн-тесты модуля")
    position: int | None = Field(
        default=None, ge=1, le=1000, strict=True, description="Новое место в курсе"
    )

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in ("title", "material_ids", "quiz_ids", "position"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} не может быть пустым")
        return self


class ModuleRead(BaseModel):
    id: uuid.UUID
    position: int = Field(description="Порядковый номер модуля, с 1")
    title: str
    description: str | None
    material_ids: list[uuid.UUID]
    quiz_ids: list[uuid.UUID]


class OnlineCourseRead(BaseModel):
    id: uuid.UUID
    title: str
    description: str | None
    subject: str
    level: Level | None
    hours: int
    author_id: uuid.UUID
    author_name: str | None = Field(description="ФИО автора")
    is_published: bool
    published_at: datetime | None
    modules_count: int
    items_count: int = Field(description="Всего материалов и тестов во всех модулях")
    created_at: datetime


class OnlineCourseDetail(OnlineCourseRead):
    modules: list[ModuleRead]


class EnrolmentCreate(StrictModel):
    student_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "Обучающийся: сам обучающийся не указывает; педагог и администратор — обязательно"
        ),
    )


class CertificateRead(BaseModel):
    id: uuid.UUID
    number: str = Field(description="Номер, например ОК-2026-000123 (уникален в школе)")
    issued_on: dt.date = Field(description="Дата выдачи (по часовому поясу школы)")
    hours: int = Field(description="Объём курса, часов")
    title: str = Field(description="Название курса на дату выдачи")


class ItemProgress(BaseModel):
    kind: ItemKind = Field(description="material — материал, quiz — онлайн-тест")
    id: uuid.UUID
    done: bool
    completed_at: datetime | None


class ModuleProgress(BaseModel):
    module_id: uuid.UUID
    position: int
    title: str
    items: list[ItemProgress]
    done: int
    total: int


class EnrolmentRead(BaseModel):
    id: uuid.UUID
    online_course_id: uuid.UUID
    title: str | None = Field(description="Название курса")
    student_id: uuid.UUID
    student_name: str | None = Field(description="ФИО обучающегося")
    enrolled_by: uuid.UUID
    enrolled_at: datetime
    status: EnrolmentStatus = Field(description="active — обучается, completed — курс освоен")
    completed_at: datetime | None
    items_done: int
    items_total: int
    percent: int = Field(description="Процент выполненных элементов, 0–100")
    certificate: CertificateRead | None


class EnrolmentDetail(EnrolmentRead):
    modules: list[ModuleProgress]


class ProgressCreate(StrictModel):
    module_id: uuid.UUID = Field(description="Модуль курса")
    item_kind: ItemKind = Field(description="material — материал, quiz — онлайн-тест")
    item_id: uuid.UUID = Field(description="Материал или тест модуля")
