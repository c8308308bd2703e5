"""Schemas of the flags on ЭО/ДОТ lessons of teachers without DOT training (CO-7)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import BaseModel, Field

FlagReason = Literal["no_training", "training_expired", "unknown_teacher"]


class UntrainedLessonFlag(BaseModel):
    lesson_id: uuid.UUID
    date: dt.date
    starts_at: str = Field(description="Начало, ЧЧ:ММ по времени школы")
    duration_minutes: int
    delivery_form: str = Field(description="distance — ДОТ, e_learning — ЭО")
    course_id: uuid.UUID
    subject: str
    class_group_id: uuid.UUID
    class_name: str | None
    teacher_id: uuid.UUID
    teacher_name: str | None
    reason: FlagReason = Field(
        description=(
            "no_training — обучение ЭО/ДОТ не записано, training_expired — срок обучения "
            "истёк к дате урока, unknown_teacher — педагог не найден в справочнике"
        )
    )
    training_valid_until: dt.date | None


class UntrainedLessonFlags(BaseModel):
    date_from: dt.date
    date_to: dt.date
    lessons: int = Field(description="Уроков с флагом")
    teachers: int = Field(description="Разных педагогов без подготовки")
    items: list[UntrainedLessonFlag]
