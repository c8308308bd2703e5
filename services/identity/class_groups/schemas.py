"""Schemas of class groups and their students (ID-4, ID-9)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from services.common.types import StrictModel
from services.identity.external_ids.schemas import ExternalIdRef
from services.identity.users.schemas import PersonBrief

Level = Literal["primary", "basic", "secondary"]
_LETTER = re.compile(r"^[А-ЯЁ]$")


def check_letter(value: str) -> str:
    if not _LETTER.match(value):
        raise ValueError("Буква класса — одна буква кириллицы, например Б")
    return value


def level_of(grade: int) -> Level:
    """НОО 1–4, ООО 5–9, СОО 10–11."""
    if grade <= 4:
        return "primary"
    if grade <= 9:
        return "basic"
    return "secondary"


Grade = Annotated[int, Field(ge=1, le=11, strict=True, description="Параллель, 1–11")]
Letter = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True),
    AfterValidator(check_letter),
    Field(description="Буква кириллицы, например Б"),
]


class ClassGroupRead(BaseModel):
    id: uuid.UUID
    name: str = Field(description="Например, 7Б")
    grade: int
    letter: str
    level: Level = Field(description="primary (1–4), basic (5–9), secondary (10–11)")
    academic_year_id: uuid.UUID
    academic_year: str
    is_current_year: bool
    homeroom_teacher: PersonBrief | None
    student_count: int
    external_ids: list[ExternalIdRef]


class ClassGroupCreate(StrictModel):
    academic_year_id: uuid.UUID | None = Field(
        default=None, description="Учебный год; по умолчанию текущий"
    )
    grade: Grade
    letter: Letter
    homeroom_teacher_id: uuid.UUID | None = Field(
        default=None, description="Классный руководитель: педагог этой школы"
    )


class ClassGroupUpdate(StrictModel):
    """Only the fields sent are changed; ``homeroom_teacher_id: null`` removes the teacher."""

    grade: Grade | None = None
    letter: Letter | None = None
    homeroom_teacher_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> Self:
        for name in ("grade", "letter"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class MembershipCreate(StrictModel):
    student_id: uuid.UUID


class MembershipRead(BaseModel):
    id: uuid.UUID
    class_group_id: uuid.UUID
    student_id: uuid.UUID
    created_at: datetime
