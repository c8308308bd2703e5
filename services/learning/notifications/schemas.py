"""Schemas of the notification outbox's HTTP views (LE-5, Reg §2.2)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

NotificationState = Literal["pending", "sent", "no_address", "failed"]
AttemptOutcome = Literal["sent", "deferred", "no_address", "failed", "retry_requested"]

SUBJECT_REF_PATTERN = r"^[a-z][a-z0-9_]*:[A-Za-z0-9_.\-]+$"
TOPIC_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$"


class NotificationAttemptRead(BaseModel):
    at: datetime = Field(description="Когда (UTC)")
    attempt_no: int = Field(description="Номер попытки отправки")
    outcome: AttemptOutcome = Field(
        description=(
            "Итог: sent — принято почтовым сервером, deferred — не удалось, будет повтор, "
            "no_address — нет адреса, failed — доставка прекращена, retry_requested — "
            "повтор запрошен вручную"
        )
    )
    error: str | None = Field(description="Причина неудачи")
    actor_id: uuid.UUID | None = Field(description="Кто запросил повтор вручную")


class NotificationStatus(BaseModel):
    """Delivery status of one copy, for the teacher who owns the subject and admins."""

    id: uuid.UUID
    topic: str = Field(description="Вид сообщения, например assignment.published")
    subject_ref: str = Field(description="О чём сообщение, например assignment:<id>")
    recipient_id: uuid.UUID = Field(description="Получатель")
    recipient_role: str = Field(description="Роль получателя: student или guardian")
    recipient_name: str | None = Field(description="ФИО получателя")
    on_behalf_of: uuid.UUID | None = Field(description="Обучающийся, о котором копия родителю")
    on_behalf_of_name: str | None = Field(description="ФИО этого обучающегося")
    subject: str = Field(description="Тема письма")
    state: NotificationState = Field(
        description=(
            "pending — ждёт отправки, sent — принято почтовым сервером, no_address — у "
            "получателя нет адреса электронной почты, failed — не доставлено (можно "
            "повторить)"
        )
    )
    attempts: int = Field(description="Сколько попыток отправки было")
    next_attempt_at: datetime | None = Field(description="Когда будет следующая попытка")
    last_attempt_at: datetime | None
    last_error: str | None = Field(description="Причина последней неудачи")
    sent_at: datetime | None = Field(description="Когда письмо принято почтовым сервером")
    created_at: datetime
    history: list[NotificationAttemptRead] = Field(description="История доставки")


class MyNotification(BaseModel):
    """A copy sent to the caller."""

    id: uuid.UUID
    topic: str = Field(description="Вид сообщения, например assignment.published")
    subject_ref: str = Field(description="О чём сообщение, например assignment:<id>")
    on_behalf_of: uuid.UUID | None = Field(description="Обучающийся, о котором копия родителю")
    subject: str = Field(description="Тема письма")
    body: str = Field(description="Текст письма")
    state: NotificationState = Field(description="Состояние доставки на электронную почту")
    sent_at: datetime | None = Field(description="Когда письмо принято почтовым сервером")
    created_at: datetime
