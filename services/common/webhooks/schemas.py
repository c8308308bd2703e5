"""Request and response bodies of ``/api/v1/<service>/webhooks``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from services.common.types import ReadModel, SafeStr, StrictModel

WebhookUrl = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, min_length=8, max_length=2000),
    Field(description="Адрес приёмника (https://…), на который отправляются события"),
]
EventTypePattern = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
]
EventTypes = Annotated[
    list[EventTypePattern],
    Field(
        max_length=100,
        description=(
            "Типы событий (например `user.created`) или шаблоны `префикс.*` "
            "(`mark.*`); пустой список — все события сервиса"
        ),
    ),
]
Description = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, max_length=500),
    Field(description="Описание подписки (для кого, зачем)"),
]
DeliveryStatus = Literal["pending", "delivered", "dead"]


class WebhookCreate(StrictModel):
    url: WebhookUrl
    event_types: EventTypes = Field(default_factory=list)
    description: Description | None = None
    active: bool = Field(default=True, description="Отправлять ли события")


class WebhookUpdate(StrictModel):
    url: WebhookUrl | None = None
    event_types: EventTypes | None = None
    description: Description | None = None
    active: bool | None = Field(default=None, description="Отправлять ли события")


class WebhookRead(ReadModel):
    id: uuid.UUID = Field(description="Идентификатор подписки")
    school_id: uuid.UUID = Field(description="Школа")
    url: str = Field(description="Адрес приёмника")
    event_types: list[str] = Field(description="Типы событий; пустой список — все")
    description: str | None = Field(description="Описание")
    active: bool = Field(description="Отправляются ли события")
    previous_secret_until: datetime | None = Field(
        description="До какого времени доставки подписываются и прежним секретом (после смены)"
    )
    created_at: datetime = Field(description="Когда создана")
    updated_at: datetime = Field(description="Когда изменена")


class WebhookWithSecret(WebhookRead):
    secret: str = Field(
        description=(
            "Секрет подписи (whsec_…). Показывается один раз — при создании и при смене "
            "секрета; сохраните его у приёмника"
        )
    )


class WebhookDeliveryRead(ReadModel):
    id: uuid.UUID = Field(description="Идентификатор доставки — заголовок webhook-id")
    subscription_id: uuid.UUID = Field(description="Подписка")
    event_id: uuid.UUID = Field(description="Идентификатор события в ленте изменений")
    event_type: str = Field(description="Тип события")
    status: DeliveryStatus = Field(
        description=(
            "pending — ожидает отправки или повтора; delivered — приёмник ответил 2xx; "
            "dead — попытки исчерпаны (список недоставленных)"
        )
    )
    attempts: int = Field(description="Сколько попыток сделано с последнего запуска")
    next_attempt_at: datetime = Field(description="Когда следующая попытка (для pending)")
    last_status_code: int | None = Field(description="HTTP-код последней попытки")
    last_error: str | None = Field(description="Ошибка последней попытки")
    delivered_at: datetime | None = Field(description="Когда доставлено")
    created_at: datetime = Field(description="Когда создана доставка")


class WebhookAttemptRead(ReadModel):
    number: int = Field(description="Номер попытки")
    trigger: Literal["auto", "manual"] = Field(
        description="auto — по расписанию повторов; manual — после запроса повторной доставки"
    )
    started_at: datetime = Field(description="Начало попытки")
    status_code: int | None = Field(description="HTTP-код ответа приёмника")
    error: str | None = Field(description="Ошибка соединения или ответа")
    duration_ms: int = Field(description="Длительность, мс")


class WebhookDeliveryDetail(WebhookDeliveryRead):
    body: str = Field(description="Тело запроса (JSON), как оно отправляется")
    attempt_log: list[WebhookAttemptRead] = Field(description="Журнал попыток, по порядку")
