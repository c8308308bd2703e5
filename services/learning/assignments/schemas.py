"""Schemas of assignments (LE-5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from services.common.types import SafeStr, StrictModel
from services.learning.hygiene.schemas import HygieneCheckRead

TargetKind = Literal["class", "group", "students"]
AssignmentStatus = Literal["draft", "scheduled", "published"]
DeliveryForm = Literal["in_person", "e_learning", "distance"]
Device = Literal["interactive_whiteboard", "interactive_panel", "pc", "laptop", "tablet"]

Title = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Instructions = Annotated[SafeStr, StringConstraints(max_length=20000)]
Alternative = Annotated[SafeStr, StringConstraints(strip_whitespace=True, max_length=5000)]
GroupName = Annotated[
    SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)
]

DATETIME_NOTE = (
    "Дата и время ISO 8601: со смещением (момент времени) или без него — тогда это "
    "местное время школы"
)


class ScreenUse(StrictModel):
    device: Device = Field(
        description="Устройство: interactive_whiteboard, interactive_panel, pc, laptop, tablet"
    )
    minutes: int = Field(ge=1, le=600, description="Сколько минут работы с устройством")


class TargetIn(StrictModel):
    kind: TargetKind = Field(
        default="class",
        description="class — все обучающиеся курса; group — именованная группа; "
        "students — отдельные обучающиеся",
    )
    group_name: GroupName | None = Field(default=None, description="Название группы (для group)")
    student_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=200,
        description="Обучающиеся курса (для group и students)",
    )

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.kind == "class":
            if self.student_ids or self.group_name:
                raise ValueError("Для всего класса не указывают ни группу, ни обучающихся")
        else:
            if not self.student_ids:
                raise ValueError("Укажите хотя бы одного обучающегося")
            if self.kind == "group" and not self.group_name:
                raise ValueError("Укажите название группы")
            if self.kind == "students" and self.group_name:
                raise ValueError("Название группы указывают только для kind=group")
        return self


class AssignmentCreate(StrictModel):
    course_id: uuid.UUID | None = Field(
        default=None, description="Курс; можно не указывать, если указан урок"
    )
    lesson_id: uuid.UUID | None = Field(default=None, description="Урок курса (необязательно)")
    title: Title = Field(description="Название задания")
    instructions: Instructions = Field(default="", description="Указания учителя (Рег. §1.4)")
    material_ids: list[uuid.UUID] = Field(
        default_factory=list, max_length=50, description="Учебные материалы (LE-4)"
    )
    target: TargetIn = Field(default_factory=TargetIn, description="Кому выдаётся задание")
    due_at: datetime = Field(description="Срок сдачи. " + DATETIME_NOTE)
    publish_at: datetime | None = Field(
        default=None,
        description="Время публикации (null — сразу). " + DATETIME_NOTE,
    )
    draft: bool = Field(default=False, description="Сохранить черновиком, не публикуя")
    delivery_form: DeliveryForm | None = Field(
        default=None,
        description="Форма реализации: in_person, e_learning, distance (по умолчанию — "
        "как у урока; для курса — distance для дистанционного курса, иначе e_learning)",
    )
    expected_screen_minutes: list[ScreenUse] = Field(
        default_factory=list,
        max_length=10,
        description="Ожидаемая работа с экранными устройствами при выполнении",
    )
    alternative: Alternative | None = Field(
        default=None,
        description="Очная или бумажная альтернатива для отказавшихся от ДОТ (LE-12)",
    )

    @model_validator(mode="after")
    def _course_or_lesson(self) -> Self:
        if self.course_id is None and self.lesson_id is None:
            raise ValueError("Укажите курс или урок")
        return self


class AssignmentUpdate(StrictModel):
    """Changes to an assignment not yet published; fields left out stay as they are."""

    title: Title | None = None
    instructions: Instructions | None = None
    material_ids: list[uuid.UUID] | None = Field(default=None, max_length=50)
    target: TargetIn | None = None
    due_at: datetime | None = Field(default=None, description="Срок сдачи. " + DATETIME_NOTE)
    delivery_form: DeliveryForm | None = None
    expected_screen_minutes: list[ScreenUse] | None = Field(default=None, max_length=10)
    alternative: Alternative | None = None

    @model_validator(mode="after")
    def _no_nulls(self) -> Self:
        nullable = {"alternative"}
        bad = sorted(
            name for name in self.model_fields_set - nullable if getattr(self, name) is None
        )
        if bad:
            raise ValueError("Эти поля не могут быть пустыми: " + ", ".join(bad))
        return self


class AssignmentPublish(StrictModel):
    publish_at: datetime | None = Field(
        default=None,
        description="Когда опубликовать (null или прошедшее время — сейчас). " + DATETIME_NOTE,
    )


class TargetRead(BaseModel):
    kind: TargetKind
    group_name: str | None
    student_ids: list[uuid.UUID] | None = Field(
        description="Обучающиеся группы или списка; для обучающихся и родителей — null"
    )


class AssignmentStats(BaseModel):
    targets: int = Field(description="Сколько обучающихся получили задание")
    submitted: int = Field(description="Сколько сдали работу (хотя бы одну версию)")
    late: int = Field(description="Последняя версия сдана после срока")
    reviewed: int = Field(description="Последняя версия проверена")
    returned: int = Field(description="Последняя версия возвращена на доработку")
    awaiting_review: int = Field(description="Последняя версия ждёт проверки")


class StudentWork(BaseModel):
    student_id: uuid.UUID
    submission_id: uuid.UUID | None = Field(description="Последняя версия работы или null")
    version: int | None
    received_at: datetime | None
    late: bool | None
    review_status: Literal["accepted", "returned"] | None = Field(
        description="Итог проверки последней версии; отметка и комментарий — в "
        "GET /submissions/{id}/review"
    )


class AssignmentRead(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    subject: str
    class_group_id: uuid.UUID
    lesson_id: uuid.UUID | None
    title: str
    instructions: str
    material_ids: list[uuid.UUID]
    target: TargetRead
    due_at: datetime = Field(description="Срок сдачи (UTC)")
    due_local: datetime = Field(description="Срок сдачи по времени школы")
    publish_at: datetime | None
    published_at: datetime | None
    status: AssignmentStatus
    delivery_form: DeliveryForm
    expected_screen_minutes: list[ScreenUse]
    alternative: str | None
    opted_out: bool | None = Field(
        default=None,
        description=(
            "При просмотре по обучающемуся: true — у него действует отказ от ЭО и ДОТ (§3.9) "
            "по курсу, задание он выполняет по альтернативе `alternative`; иначе null/false"
        ),
    )
    compliance: HygieneCheckRead = Field(
        description="Проверка ожидаемой работы с ЭСО перед публикацией (п. 2.5 Регламента)"
    )
    created_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
    stats: AssignmentStats | None = Field(
        default=None, description="Для педагогов и администрации: сдано и проверено"
    )
    work: StudentWork | None = Field(
        default=None, description="Работа обучающегося (при просмотре по обучающемуся)"
    )
