"""The ``eo-daily-v1`` daily package, as integrators receive it (GW-5, ID-9).

Every person, class and course is a reference with the platform's ``id`` and its
``external_ids`` (``{"moya_shkola": "…", "regional": "…"}``); with ``external_system``
given, ``key`` is the id in that system (null when the object has none there).
Documented in ``docs/integration.md`` ("Daily exchange package").
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field


class RefV1(BaseModel):
    id: uuid.UUID
    key: str | None = Field(default=None, description="Идентификатор в выбранной внешней системе")
    external_ids: dict[str, str] = Field(description="Идентификаторы во внешних системах")
    name: str | None = Field(default=None, description="ФИО, название класса или предмета")


class AttendanceV1(BaseModel):
    student: RefV1
    status: str = Field(description="absent — отсутствовал («н»), present — присутствовал")
    reason: str | None = Field(description="Причина отсутствия")


class MarkV1(BaseModel):
    id: uuid.UUID
    student: RefV1
    value: str = Field(description="Отметка по шкале школы")
    numeric_value: float | None
    control_type: str = Field(description="current_control, interim_attestation, final_attestation")
    weight: float
    comment: str | None


class LessonV1(BaseModel):
    id: uuid.UUID
    course: RefV1 = Field(description="Курс (предмет класса или подгруппы)")
    subject: str
    subgroup: str | None
    class_group: RefV1
    teacher: RefV1 | None = Field(description="Кто провёл урок (с учётом замены)")
    starts_at: str = Field(description="Местное время начала, ЧЧ:ММ")
    starts_at_utc: datetime | None
    duration_minutes: int
    lesson_number: int | None
    status: str = Field(description="scheduled или cancelled")
    planned_delivery_form: str = Field(description="По расписанию: in_person, e_learning, distance")
    delivery_form: str = Field(description="Фактически (по записи об уроке, иначе по расписанию)")
    topic: str | None = Field(description="Тема урока (по записи, иначе по плану)")
    homework: str | None
    recorded: bool = Field(description="Учитель внёс запись об уроке в журнал")
    attendance: list[AttendanceV1]
    marks: list[MarkV1]


class SchoolV1(BaseModel):
    id: uuid.UUID
    name: str
    short_name: str | None
    region: str | None
    timezone: str


class DailyPackageV1(BaseModel):
    format: Literal["eo-daily-v1"] = "eo-daily-v1"
    school: SchoolV1
    date: date
    generated_at: datetime
    external_system: str | None = Field(description="Система, чьи идентификаторы даны в key")
    lessons: list[LessonV1]
    marks_without_lesson: list[MarkV1] = Field(
        description="Отметки этого дня, не привязанные к уроку (например, за работу)"
    )
    unmapped: int = Field(
        description="Сколько ссылок без идентификатора в выбранной внешней системе"
    )
