"""Schemas of the school (tenant) and its academic years (ID-4, X-1)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any, Self
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from services.common.types import StrictModel
from services.identity.users.schemas import Text100, Text300, check_plain_text

_INN10 = (2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


def _control(digits: list[int], weights: tuple[int, ...]) -> int:
    return sum(d * w for d, w in zip(digits, weights, strict=False)) % 11 % 10


def check_inn(value: str) -> str:
    """An ИНН: 10 digits (organisation) or 12 (person), with valid control digits."""
    if not value.isdigit() or len(value) not in (10, 12):
        raise ValueError("ИНН состоит из 10 или 12 цифр")
    d = [int(ch) for ch in value]
    ok = (
        _control(d, _INN10) == d[9]
        if len(d) == 10
        else _control(d, _INN11) == d[10] and _control(d, _INN12) == d[11]
    )
    if not ok:
        raise ValueError("Неверные контрольные цифры ИНН")
    return value


def check_timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            "Неизвестный часовой пояс; укажите имя IANA, например Europe/Moscow"
        ) from None
    return value


YearName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=20),
    AfterValidator(check_plain_text),
]
TimeZone = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=64), AfterValidator(check_timezone)
]
Inn = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(check_inn)]


class SchoolRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    short_name: str
    timezone: str = Field(description="Часовой пояс школы (IANA): сроки и «тот же день» по нему")
    region: str | None
    inn: str | None


class SchoolUpdate(StrictModel):
    """Only the fields sent are changed; ``null`` clears region or ИНН."""

    name: Text300 | None = None
    short_name: Text100 | None = None
    timezone: TimeZone | None = None
    region: Text100 | None = None
    inn: Inn | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> Self:
        for name in ("name", "short_name", "timezone"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class AcademicYearRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    starts_on: date
    ends_on: date
    is_current: bool


def _dates_ordered(starts_on: date | None, ends_on: date | None) -> None:
    if starts_on is not None and ends_on is not None and starts_on >= ends_on:
        raise ValueError("Дата начала учебного года должна быть раньше даты окончания")


class AcademicYearCreate(StrictModel):
    name: YearName = Field(description="Например, 2026/2027")
    starts_on: date
    ends_on: date
    is_current: bool = Field(
        default=False, description="Сделать текущим (прежний текущий год перестанет им быть)"
    )

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        _dates_ordered(self.starts_on, self.ends_on)
        return self


class AcademicYearUpdate(StrictModel):
    name: YearName | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    is_current: bool | None = None

    @model_validator(mode="after")
    def _checks(self) -> Self:
        for name in ("name", "starts_on", "ends_on", "is_current"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        _dates_ordered(self.starts_on, self.ends_on)
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}
