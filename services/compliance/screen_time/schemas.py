"""Schemas of actual screen time (CO-3): reports of usage intervals, days and alerts.

Device types and the interval's times are accepted as plain values and judged by the
service, so that a wrong one gets a Russian message (422) naming what is wrong rather
than a bare type error; the allowed values are still documented in the contract.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.types import StrictModel
from services.compliance.norms.engine import DEVICE_TYPES, MAX_MINUTES

ScreenContext = Literal["school", "home"]
ContextSource = Literal["reported", "timetable"]
LimitMeasure = Literal["daily_school", "daily_home", "combined_daily"]

MAX_INTERVALS = 10_000


class IntervalIn(StrictModel):
    """One stretch of work of a student on one device."""

    student_id: uuid.UUID | None = Field(
        default=None,
        description="Обучающийся; обучающийся, сообщающий о себе, может не указывать",
    )
    device: str = Field(
        max_length=64,
        description=(
            "Тип ЭСО: interactive_whiteboard, interactive_panel, pc, laptop, tablet "
            "(СанПиН 1.2.3685-21, табл. 6.8)"
        ),
        json_schema_extra={"enum": list(DEVICE_TYPES)},
    )
    started_at: dt.datetime = Field(description="Начало работы, с часовым поясом (ISO 8601)")
    ended_at: dt.datetime | None = Field(
        default=None, description="Окончание работы, с часовым поясом; либо minutes"
    )
    minutes: int | None = Field(
        default=None,
        strict=True,
        description="Продолжительность в минутах (1–1440); либо ended_at",
        json_schema_extra={"minimum": 1, "maximum": MAX_MINUTES},
    )
    context: ScreenContext | None = Field(
        default=None,
        description=(
            "Где: school — в школе, home — дома (включая досуг). Не указано — определяется "
            "по расписанию: время внутри урока класса обучающегося — school, иначе home"
        ),
    )


class ScreenTimeReport(StrictModel):
    school_id: uuid.UUID | None = Field(
        default=None,
        description="Школа: обязательна для сервисов платформы; пользователь — только своя",
    )
    intervals: list[IntervalIn] = Field(
        min_length=1,
        max_length=MAX_INTERVALS,
        description="Интервалы работы с ЭСО (пакетом; повторная отправка не удваивает время)",
    )


class DeviceUsage(BaseModel):
    device: str = Field(description="Тип ЭСО")
    context: ScreenContext = Field(description="school — в школе, home — дома")
    seconds: int = Field(description="Секунд за день")
    minutes: int = Field(description="Полных минут за день")


class LimitStatus(BaseModel):
    measure: LimitMeasure = Field(
        description=(
            "daily_school — суммарно в день в школе, daily_home — суммарно в день дома "
            "(включая досуг), combined_daily — все ЭСО за день (лимит школы)"
        )
    )
    device: str = Field(description="Тип ЭСО или all для суммарного лимита школы")
    used_seconds: int = Field(description="Использовано, секунд")
    used_minutes: int = Field(description="Использовано, полных минут")
    limit_minutes: int = Field(description="Норма, минут в день")
    percent: int = Field(description="Доля нормы, % (округлено вниз)")
    threshold_reached: Literal[80, 100] | None = Field(
        description="Достигнутый порог оповещения: 80 или 100 % нормы"
    )
    rule_id: str = Field(description="Правило, по которому измерено")
    set_code: str = Field(description="Набор норм")
    set_version: int = Field(description="Версия набора норм")
    clause: str = Field(description="Пункт источника")


class StudentDay(BaseModel):
    student_id: uuid.UUID
    date: dt.date = Field(description="День по времени школы")
    timezone: str = Field(description="Часовой пояс школы")
    grade: int | None = Field(description="Класс обучающегося (по нему выбраны нормы)")
    class_group_id: uuid.UUID | None = Field(description="Класс из справочника")
    total_minutes: int = Field(description="Всего за день, полных минут")
    usage: list[DeviceUsage] = Field(description="Время по типам ЭСО и месту")
    limits: list[LimitStatus] = Field(description="Дневные нормы действующих наборов и их доля")


class AlertRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    student_id: uuid.UUID
    class_group_id: uuid.UUID | None
    date: dt.date = Field(validation_alias="day", description="День по времени школы")
    device: str = Field(description="Тип ЭСО или all для суммарного лимита школы")
    measure: LimitMeasure
    threshold: Literal[80, 100] = Field(description="Порог: 80 или 100 % нормы")
    used_minutes: int
    limit_minutes: int
    rule_id: str
    set_code: str
    set_version: int
    clause: str
    created_at: dt.datetime


class IntervalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    device: str
    context: ScreenContext
    context_source: ContextSource = Field(
        description="reported — указано отправителем, timetable — определено по расписанию"
    )
    started_at: dt.datetime
    ended_at: dt.datetime
    seconds: int


class StudentDayDetail(StudentDay):
    intervals: list[IntervalRead] = Field(description="Интервалы дня (слитые)")
    alerts: list[AlertRead] = Field(description="Оповещения дня")


class ReportResult(BaseModel):
    intervals_received: int = Field(description="Интервалов в запросе")
    seconds_added: int = Field(
        description="Добавлено новых секунд (уже учтённое время не считается повторно)"
    )
    days: list[StudentDay] = Field(description="Итоги затронутых дней")
    alerts: list[AlertRead] = Field(description="Оповещения, созданные этим запросом")
