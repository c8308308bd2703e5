"""Schemas of a school's learning settings."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field

from services.common.types import StrictModel

ComplianceUnreachable = Literal["refuse", "mark_unchecked"]


def _local_minutes(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("Время указывается по часовому поясу школы, без смещения")
    if value.second or value.microsecond:
        raise ValueError("Время указывается с точностью до минуты (ЧЧ:ММ)")
    return value


LocalTime = Annotated[time, AfterValidator(_local_minutes)]

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
    school_day_ends_at: time = Field(description=DAY_END_DOC)
    compliance_unreachable: ComplianceUnreachable = Field(description=UNREACHABLE_DOC)
    email_copies_enabled: bool = Field(description=EMAIL_DOC)
    is_default: bool = Field(
        description="Настройки не сохранялись: действуют значения по умолчанию"
    )
    updated_at: datetime | None
