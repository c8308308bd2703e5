"""Schemas of the opt-out students of a course (LE-12)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field


class OptOutStudentRead(BaseModel):
    id: uuid.UUID = Field(description="Обучающийся")
    name: str = Field(description="Фамилия, имя, отчество")
    optout_id: uuid.UUID = Field(description="Заявление в сервисе compliance")
    effective_from: date = Field(description="С какой даты действует отказ")
    effective_to: date | None = Field(description="Дата отзыва заявления или null")
    scope: Literal["program", "courses"] = Field(
        description="program — отказ по всей программе класса; courses — по отдельным курсам"
    )


class CourseOptOutStudents(BaseModel):
    course_id: uuid.UUID
    on: date = Field(description="Дата, на которую составлен список")
    needs_alternative: bool = Field(
        description="true — уроки и задания с ЭО или ДОТ этого курса требуют альтернативы"
    )
    students: list[OptOutStudentRead]
