from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import Field

from services.common.types import ReadModel, SafeStr, StrictModel


class PeriodBounds(StrictModel):
    starts_on: date
    ends_on: date


class PeriodsConfig(StrictModel):
    academic_year_id: uuid.UUID
    kind: Literal["quarter", "half_year"] = Field(description="Четверти или полугодия")
    periods: list[PeriodBounds] = Field(min_length=2, max_length=4)


class PeriodRead(ReadModel):
    id: uuid.UUID
    academic_year_id: uuid.UUID
    kind: str
    number: int
    name: str
    starts_on: date
    ends_on: date
    is_closed: bool
    closed_at: datetime | None


class CloseRequest(StrictModel):
    reason: SafeStr | None = Field(default=None, max_length=1000)


class ReopenRequest(StrictModel):
    order_number: SafeStr = Field(min_length=1, max_length=100, description="Номер приказа")
    order_date: date = Field(description="Дата приказа")
    reason: SafeStr = Field(min_length=1, max_length=1000, description="Основание")


class PeriodChangeRead(ReadModel):
    action: str
    order_number: str | None
    order_date: date | None
    reason: str | None
    by: uuid.UUID
    at: datetime


class PeriodList(ReadModel):
    items: list[PeriodRead]


class PeriodHistory(ReadModel):
    period: PeriodRead
    changes: list[PeriodChangeRead]
