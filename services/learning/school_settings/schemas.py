"""Schemas of a school's learning settings.

Times are local to the school and travel as ``"HH:MM"`` strings both ways (no seconds,
no offset): an OpenAPI ``format: time`` would demand an offset (RFC 3339).
"""

from __future__ import annotations

import re
from datetime import datetime, time
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from services.common.types import StrictModel

ComplianceUnreachable = Literal["refuse", "mark_unchecked"]

HH_MM_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
_HH_MM = re.compile(HH_MM_PATTERN)


def _parse_hh_mm(value: Any) -> time:
    if isinstance(value, time):  # from the database
        return value
    if not isinstance(value, str) or not _HH_MM.match(value):
        raise ValueError(
            "Время указывается по часовому поясу школы в формате ЧЧ:ММ, например 18:00"
        )
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _hh_mm(value: time) -> str:
    return value.strftime("%H:%M")


LocalTime = Annotated[
    time,
    BeforeValidator(_parse_hh_mm),
    PlainSerializer(_hh_mm, return_type=str),
    WithJsonSchema({"type": "string", "pattern": HH_MM_PATTERN, "examples": ["18:00"]}),
]

DAY_END_DOC = (
    "Конец учебного дня по часовому поясу школы, ЧЧ:ММ: работы, поступившие до него, "
    "проверяются в тот же день (п. 2.3 Регламента)"
)
UNREACHABLE_DOC = (
    "Если сервис проверки норм недоступен при публикации: refuse — не публиковать (503), "
    "mark_unchecked — публиковать с отметкой «не проверено»"
)
EMAIL_DOC = "Дублировать задания на электронную почту обучающихся и родителей (п. 2.2 Регламента)"


class SchoolSettingsUpdate(StrictModel):
    school_day_ends_at: LocalTime = Field(description=DAY_END_DOC)
    compliance_unreachable: ComplianceUnreachable = Field(description=UNREACHABLE_DOC)
    email_copies_enabled: bool = Field(description=EMAIL_DOC)


class SchoolSettingsRead(BaseModel):
    school_day_ends_at: LocalTime = Field(description=DAY_END_DOC)
    compliance_unreachable: ComplianceUnreachable = Field(description=UNREACHABLE_DOC)
    email_copies_enabled: bool = Field(description=EMAIL_DOC)
    is_default: bool = Field(
        description="Настройки не сохранялись: действуют значения по умолчанию"
    )
    updated_at: datetime | None
