"""Schemas of learning materials (LE-4)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from fastapi import UploadFile
from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from services.common.types import Name, SafeStr, StrictModel
from services.learning.catalogue.schemas import PlatformBrief, check_http_url

MaterialKind = Literal["video", "lesson_scenario", "test", "own", "third_party_link"]
Level = Literal["primary", "basic", "secondary"]
Visibility = Literal["course", "library"]
MaterialStatus = Literal["active", "archived"]

MAX_FILES = 20
MAX_TAGS = 20

Title = Annotated[Name, Field(description="Название материала")]
Description = Annotated[SafeStr, StringConstraints(max_length=10_000)]
Subject = Annotated[Name, Field(description="Предмет, например «Математика»")]
LinkUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=2000),
    AfterValidator(check_http_url),
]

KIND_DESCRIPTION = (
    "video — видео (файл или ссылка), lesson_scenario — сценарий урока, test — тест, "
    "own — собственный материал педагога, third_party_link — ссылка на ресурс платформы "
    "из каталога (§5.13)"
)
VISIBILITY_DESCRIPTION = (
    "course — только обучающимся курса (и их родителям), library — вся школа (библиотека); "
    "по умолчанию course, если указан курс или урок, иначе library"
)


class MaterialCreateForm(StrictModel):
    """The fields of ``multipart/form-data`` creating a material (files in ``files``)."""

    kind: MaterialKind = Field(description=KIND_DESCRIPTION)
    title: Title
    description: Description | None = None
    levels: list[Level] = Field(
        default=[],
        max_length=3,
        description="Уровни: primary (1–4), basic (5–9), secondary (10–11); по умолчанию — "
        "уровень курса",
    )
    subjects: list[Subject] = Field(
        default=[], max_length=MAX_TAGS, description="Предметы; по умолчанию — предмет курса"
    )
    course_id: uuid.UUID | None = Field(default=None, description="Курс (только свой)")
    lesson_id: uuid.UUID | None = Field(default=None, description="Урок курса")
    visibility: Visibility | None = Field(default=None, description=VISIBILITY_DESCRIPTION)
    url: LinkUrl | None = Field(
        default=None, description="Ссылка (для third_party_link и видео-ссылки)"
    )
    files: list[UploadFile] = Field(
        default=[],
        description="Файлы материала (кроме third_party_link; для видео — файл или ссылка)",
    )


class MaterialFilesForm(StrictModel):
    files: list[UploadFile] = Field(min_length=1, description="Добавляемые файлы")


class MaterialUpdate(StrictModel):
    """Changed fields only; ``null`` detaches the course or lesson, clears a description."""

    title: Title | None = None
    description: Description | None = None
    levels: list[Level] | None = Field(default=None, max_length=3)
    subjects: list[Subject] | None = Field(default=None, max_length=MAX_TAGS)
    course_id: uuid.UUID | None = None
    lesson_id: uuid.UUID | None = None
    visibility: Visibility | None = None
    url: LinkUrl | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> Self:
        for name in ("title", "levels", "subjects", "visibility", "url"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} не может быть null")
        return self


class MaterialFileRead(BaseModel):
    id: uuid.UUID = Field(description="Идентификатор файла")
    name: str = Field(description="Исходное имя файла")
    content_type: str
    size: int = Field(description="Размер, байт")
    sha256: str = Field(description="Хеш содержимого SHA-256")
    download_url: str = Field(description="Адрес для скачивания")


class MaterialRead(BaseModel):
    id: uuid.UUID
    kind: MaterialKind
    title: str
    description: str | None
    levels: list[Level]
    subjects: list[str]
    course_id: uuid.UUID | None
    lesson_id: uuid.UUID | None
    visibility: Visibility
    author_id: uuid.UUID
    status: MaterialStatus = Field(description="active или archived (удалён в архив)")
    url: str | None = Field(description="Ссылка (для ссылок), иначе null")
    platform: PlatformBrief | None = Field(description="Платформа каталога, куда ведёт ссылка")
    on_federal_list: bool | None = Field(
        description="Ссылка ведёт на платформу из федерального перечня ЭОР (на сегодня); "
        "null — материал-файл"
    )
    files: list[MaterialFileRead]
    version: int
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
