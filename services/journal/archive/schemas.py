from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import Field

from services.common.types import ReadModel, SafeStr, StrictModel

RecordType = Literal["class_journal", "summary_sheet", "portfolio"]


class YearCloseRequest(StrictModel):
    reason: SafeStr | None = Field(default=None, max_length=1000, description="Основание")


class YearReopenRequest(StrictModel):
    order_number: SafeStr = Field(min_length=1, max_length=100, description="Номер приказа")
    order_date: dt.date = Field(description="Дата приказа")
    reason: SafeStr = Field(min_length=1, max_length=1000, description="Основание")


class YearChangeRead(ReadModel):
    action: str
    generation: int
    order_number: str | None
    order_date: dt.date | None
    reason: str | None
    by: uuid.UUID
    at: dt.datetime


class ArchiveFileRead(ReadModel):
    id: uuid.UUID
    generation: int
    record_type: str = Field(description="class_journal, summary_sheet или manifest")
    format: str = Field(description="xlsx, pdf или json")
    course_id: uuid.UUID | None
    class_group_id: uuid.UUID | None
    title: str
    size: int
    sha256: str
    retain_until: dt.date | None = Field(description="Хранить до (включительно)")
    created_at: dt.datetime


class YearClosure(ReadModel):
    academic_year_id: uuid.UUID
    name: str
    is_closed: bool
    closed_at: dt.datetime | None
    closed_by: uuid.UUID | None
    generation: int = Field(description="Номер последнего архива года (0 — архива нет)")
    changes: list[YearChangeRead]


class ArchiveListing(ReadModel):
    academic_year_id: uuid.UUID
    generation: int
    is_closed: bool
    files: list[ArchiveFileRead]


class RetentionRuleRead(ReadModel):
    record_type: RecordType
    title: str
    years: int
    source: str | None
    note: str | None
    is_default: bool = Field(description="Значение по умолчанию (школа его не меняла)")


class RetentionRuleWrite(StrictModel):
    record_type: RecordType
    years: int = Field(ge=1, le=100, description="Срок хранения, лет")
    title: SafeStr | None = Field(default=None, min_length=1, max_length=300)
    source: SafeStr | None = Field(default=None, max_length=500, description="Источник срока")
    note: SafeStr | None = Field(default=None, max_length=1000)


class RetentionRulesWrite(StrictModel):
    rules: list[RetentionRuleWrite] = Field(min_length=1, max_length=20)


class RetentionRules(ReadModel):
    items: list[RetentionRuleRead]
