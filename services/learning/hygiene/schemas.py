"""What a lesson or an assignment tells about its hygiene check (Reg §2.5, CO-2)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

# checked_ok: compliance found nothing; warnings: published with the violations listed;
# not_checked: compliance could not be asked and the school publishes anyway, marked;
# pending: uses screen devices but not published yet (a draft); not_required: no screen
# devices, nothing to check.
ComplianceStatus = Literal["checked_ok", "warnings", "not_checked", "pending", "not_required"]
HygienePolicy = Literal["block", "warn"]


class HygieneViolation(BaseModel):
    rule: str = Field(description="Идентификатор правила в сервисе compliance")
    set_code: str = Field(description="Код набора норм")
    set_version: int = Field(description="Версия набора норм")
    clause: str = Field(description="Пункт источника (СанПиН, СП, Положение, акт школы)")
    measure: str = Field(description="Что измерено: per_lesson, daily_home, continuous …")
    device: str | None = Field(description="Тип ЭСО, если правило о нём")
    limit: int = Field(description="Предел")
    actual: int = Field(description="Фактическое значение")
    unit: str = Field(description="Единица: min — минуты")
    severity: HygienePolicy = Field(
        description="block — не даёт опубликовать (при политике школы block), warn — предупреждение"
    )
    message: str = Field(description="Описание нарушения")


class HygieneCheckRead(BaseModel):
    status: ComplianceStatus = Field(
        description=(
            "checked_ok — нарушений нет; warnings — опубликовано с предупреждениями; "
            "not_checked — сервис проверки норм был недоступен, опубликовано без проверки "
            "(по настройке школы); pending — ещё не проверено (черновик); not_required — ЭСО "
            "не используются"
        )
    )
    violations: list[HygieneViolation] = Field(description="Нарушения норм (для warnings)")
    checked_at: datetime | None = Field(description="Когда проверено (или сделана попытка)")
    check_id: uuid.UUID | None = Field(description="Запись о проверке в истории compliance")
    reason: str | None = Field(
        default=None, description="Для not_checked: почему проверка не выполнена"
    )
