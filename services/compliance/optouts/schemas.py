"""Schemas of opt-out applications under §3.9 (CO-4)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from services.common.types import SafeStr, StrictModel

OptOutStatus = Literal["submitted", "registered", "withdrawn"]
FilerRole = Literal["guardian", "student"]

DocumentNumber = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=50),
    Field(description="Номер документа, например «15» или «вх-2026/15»"),
]
Comment = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, max_length=2000),
    Field(description="Комментарий (попадает в историю заявления)"),
]
SaneDate = Annotated[date, Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))]

CLAUSE = "§3.9 Положения о применении ЭО и ДОТ"


class OptOutCreate(StrictModel):
    student_id: uuid.UUID = Field(
        description="Обучающийся: свой ребёнок (родитель) или сам заявитель (обучающийся 18+)"
    )
    document_date: SaneDate = Field(
        description="Дата заявления (ГГГГ-ММ-ДД); не позже сегодняшнего дня по времени школы"
    )
    document_number: DocumentNumber | None = None
    course_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=50,
        description=(
            "Курсы, по которым заявлен отказ; пусто — вся образовательная программа класса "
            "(кроме курсов, реализуемых только с ЭО и ДОТ: на них отказ не распространяется, "
            "§3.9)"
        ),
    )
    reason: Annotated[
        SafeStr,
        StringConstraints(strip_whitespace=True, max_length=4000),
        Field(description="Текст или основание заявления (необязательно)"),
    ] = ""


class OptOutRegister(StrictModel):
    registration_number: DocumentNumber = Field(
        description="Номер регистрации заявления в журнале входящих документов школы"
    )
    registered_on: SaneDate | None = Field(
        default=None,
        description=(
            "Дата регистрации; по умолчанию сегодня. Не раньше даты заявления и не позже "
            "сегодняшнего дня"
        ),
    )
    effective_from: SaneDate | None = Field(
        default=None,
        description=(
            "С какой даты школа обучает без ЭО и ДОТ; по умолчанию — дата регистрации. Не "
            "раньше даты заявления и не позже чем через год после регистрации"
        ),
    )
    comment: Comment | None = None


class OptOutWithdraw(StrictModel):
    comment: Comment | None = None


class PersonBrief(BaseModel):
    id: uuid.UUID
    name: str = Field(description="Фамилия Имя Отчество; пусто, если человек не найден")


class ClassBrief(BaseModel):
    id: uuid.UUID
    name: str | None = Field(description="Название класса, например 7Б")
    grade: int


class DocumentRead(BaseModel):
    number: str | None
    date: date


class RegistrationRead(BaseModel):
    number: str
    date: date
    registered_by: uuid.UUID


class HistoryEntry(BaseModel):
    at: datetime
    actor_id: uuid.UUID
    actor_role: str = Field(description="guardian, student, admin или staff")
    from_status: OptOutStatus | None = Field(description="null — подача заявления")
    to_status: OptOutStatus
    comment: str | None


class OptOutRead(BaseModel):
    id: uuid.UUID
    student: PersonBrief
    class_group: ClassBrief
    level: Literal["basic", "secondary"] = Field(
        description="Уровень программы: basic — ООО (5–9), secondary — СОО (10–11)"
    )
    course_ids: list[uuid.UUID] | None = Field(
        description="Курсы, по которым заявлен отказ; null — вся программа класса"
    )
    status: OptOutStatus
    filed_by: PersonBrief
    filed_by_role: FilerRole
    filed_on: date
    document: DocumentRead
    reason: str | None
    registration: RegistrationRead | None
    effective_from: date | None = Field(description="С этой даты действует (после регистрации)")
    effective_to: date | None = Field(description="Дата отзыва; с неё отказ больше не действует")
    legal_basis: str = Field(description="Пункт положения")
    history: list[HistoryEntry]
    created_at: datetime
    updated_at: datetime


class OptOutStudent(BaseModel):
    """A student learning without ЭО and ДОТ: what a teacher needs to prepare alternatives."""

    optout_id: uuid.UUID
    student: PersonBrief
    class_group: ClassBrief
    course_ids: list[uuid.UUID] | None = Field(
        description="Курсы, по которым действует отказ; null — вся программа класса"
    )
    effective_from: date
    effective_to: date | None
