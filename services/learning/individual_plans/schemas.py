"""Schemas of individual plans (LE-11, §2.1, §5.6, §5.7)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from services.common.types import SafeStr, StrictModel

# SafeStr's check, applied after stripping and measuring the text
SAFE: Any = SafeStr.__metadata__[0]  # type: ignore[attr-defined]

PlanCategory = Literal["olympiad_preparation", "high_achiever", "absent_valid_reason", "part_time"]
CATEGORY_DOC = (
    "Категория обучающихся по п. 5.6 Положения: "
    "olympiad_preparation — обучающиеся, проходящие подготовку к участию в олимпиадах, "
    "конкурсах на заключительных этапах; "
    "high_achiever — обучающиеся с высокой степенью успешности в освоении программ; "
    "absent_valid_reason — обучающиеся, пропускающие учебные занятия по уважительной "
    "причине (болезнь, участие в соревнованиях, конкурсах); "
    "part_time — обучающиеся по очно-заочной форме обучения"
)

DocTitle = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SAFE
]
DocNumber = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SAFE
]
Notes = Annotated[str, StringConstraints(max_length=20_000), SAFE]
IdList = Annotated[list[uuid.UUID], Field(max_length=500)]


def _check_dates(valid_from: dt.date | None, valid_to: dt.date | None) -> None:
    if valid_from is not None and valid_to is not None and valid_to < valid_from:
        raise ValueError("Дата окончания плана раньше даты начала")


class PlanCreate(StrictModel):
    student_id: uuid.UUID = Field(description="Обучающийся")
    category: PlanCategory = Field(description=CATEGORY_DOC)
    basis_document_title: DocTitle | None = Field(
        default=None, description="Документ-основание, например «Приказ директора»"
    )
    basis_document_number: DocNumber = Field(description="Номер приказа-основания")
    basis_document_date: dt.date = Field(description="Дата приказа-основания")
    valid_from: dt.date = Field(description="Действует с")
    valid_to: dt.date = Field(description="Действует по (включительно)")
    tutor_id: uuid.UUID = Field(description="Ответственный педагог (тьютор)")
    course_ids: IdList = Field(
        default_factory=list, description="Курсы обучающегося, входящие в план"
    )
    online_course_ids: IdList = Field(
        default_factory=list, description="Онлайн-курсы школы, входящие в план"
    )
    assignment_ids: IdList = Field(
        default_factory=list, description="Задания по курсам обучающегося, входящие в план"
    )
    notes: Notes | None = Field(default=None, description="Примечания")

    @model_validator(mode="after")
    def _dates(self) -> Self:
        _check_dates(self.valid_from, self.valid_to)
        return self


# What the tutor may change; everything else is the admin's.
CONTENT_FIELDS = frozenset({"course_ids", "online_course_ids", "assignment_ids", "notes"})


class PlanUpdate(StrictModel):
    """Администратор меняет всё; ответственный педагог — состав плана и примечания."""

    category: PlanCategory | None = Field(default=None, description=CATEGORY_DOC)
    basis_document_title: DocTitle | None = Field(default=None, description="Документ-основание")
    basis_document_number: DocNumber | None = Field(default=None, description="Номер приказа")
    basis_document_date: dt.date | None = Field(default=None, description="Дата приказа")
    valid_from: dt.date | None = Field(default=None, description="Действует с")
    valid_to: dt.date | None = Field(default=None, description="Действует по")
    tutor_id: uuid.UUID | None = Field(default=None, description="Ответственный педагог")
    course_ids: IdList | None = Field(default=None, description="Курсы обучающегося")
    online_course_ids: IdList | None = Field(default=None, description="Онлайн-курсы школы")
    assignment_ids: IdList | None = Field(default=None, description="Задания")
    notes: Notes | None = Field(default=None, description="Примечания")

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in self.model_fields_set - {"basis_document_title", "notes"}:
            if getattr(self, name) is None:
                raise ValueError(f"Поле {name} не может быть пустым")
        _check_dates(self.valid_from, self.valid_to)
        return self


class BasisDocument(BaseModel):
    title: str | None
    number: str
    date: dt.date


class PlanRead(BaseModel):
    id: uuid.UUID
    student_id: uuid.UUID
    student_name: str | None = Field(description="ФИО обучающегося")
    category: PlanCategory = Field(description=CATEGORY_DOC)
    category_label: str = Field(description="Категория по п. 5.6 Положения, словами")
    basis_document: BasisDocument = Field(description="Приказ-основание")
    valid_from: dt.date
    valid_to: dt.date
    is_active: bool = Field(description="Действует сегодня (по часовому поясу школы)")
    tutor_id: uuid.UUID
    tutor_name: str | None = Field(description="ФИО ответственного педагога")
    course_ids: list[uuid.UUID]
    online_course_ids: list[uuid.UUID]
    assignment_ids: list[uuid.UUID]
    notes: str | None
    version: int
    created_at: datetime
    updated_at: datetime
