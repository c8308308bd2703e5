"""Schemas of consents, the personal-data access log and the data-subject export (ID-10)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal, Self

from pydantic import BaseModel, Field, model_validator

from services.common.types import StrictModel
from services.identity.guardianship.schemas import GuardianLink
from services.identity.training.schemas import TrainingRead
from services.identity.users.schemas import PersonBrief, Text100, Text500, UserFull

ConsentKind = Literal["processing", "publication"]
Purpose = Text500
Category = Text100
DocNumber = Text100


class ConsentCreate(StrictModel):
    subject_id: uuid.UUID = Field(description="Чьи персональные данные")
    kind: ConsentKind = Field(
        description="processing — на обработку (152-ФЗ ст. 9), publication — на распространение "
        "(ст. 10.1), отдельное согласие"
    )
    purpose: Purpose = Field(description="Цель обработки")
    data_categories: list[Category] = Field(
        min_length=1, max_length=50, description="Перечень персональных данных"
    )
    document_number: DocNumber | None = Field(default=None, description="Номер документа")
    given_on: date = Field(description="Дата согласия (не позже сегодняшней)")
    valid_until: date | None = Field(default=None, description="Срок действия, если ограничен")

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.valid_until is not None and self.valid_until <= self.given_on:
            raise ValueError("Срок действия согласия должен быть позже даты согласия")
        return self


class ConsentRead(BaseModel):
    id: uuid.UUID
    subject_id: uuid.UUID
    given_by_id: uuid.UUID = Field(description="Кто дал согласие или внёс его")
    kind: ConsentKind
    purpose: str
    data_categories: list[str]
    document_number: str | None
    given_on: date
    valid_until: date | None
    withdrawn_at: datetime | None
    withdrawn_by_id: uuid.UUID | None
    is_active: bool = Field(description="Не отозвано и не истекло (по часовому поясу школы)")
    created_at: datetime


class AccessLogEntry(BaseModel):
    id: uuid.UUID
    at: datetime
    action: str = Field(description="read — чтение, export — выгрузка")
    resource: str = Field(description="Что было прочитано: профиль, список, выгрузка …")
    actor_id: uuid.UUID
    actor: PersonBrief | None = Field(description="Кто читал")
    subject_id: uuid.UUID
    request_id: str | None


class ChildBrief(BaseModel):
    guardianship_id: uuid.UUID
    relation: str
    child: PersonBrief


class DataExport(BaseModel):
    """Everything identity holds on one person (152-ФЗ ст. 14)."""

    generated_at: datetime
    profile: UserFull
    guardians: list[GuardianLink]
    children: list[ChildBrief]
    dot_trainings: list[TrainingRead]
    consents: list[ConsentRead]
    access_log: list[AccessLogEntry]
