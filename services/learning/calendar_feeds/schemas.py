"""Schemas of calendar feeds (GW-5)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.common.types import StrictModel

FeedKind = Literal["student", "class", "teacher"]


class CalendarFeedCreate(StrictModel):
    kind: FeedKind = Field(
        description="student — расписание и сроки обучающегося, class — класса, teacher — педагога"
    )
    target_id: uuid.UUID | None = Field(
        default=None,
        description="Обучающийся, класс или педагог; для student и teacher по умолчанию — "
        "сам вызывающий",
    )


class CalendarFeedRead(BaseModel):
    id: uuid.UUID
    kind: FeedKind
    target_id: uuid.UUID
    title: str = Field(description="Название календаря")
    owner_id: uuid.UUID
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class CalendarFeedCreated(CalendarFeedRead):
    token: str = Field(description="Секрет ссылки: показывается один раз, не хранится")
    path: str = Field(description="Путь ленты: /api/v1/learning/ical/{token}.ics")
    url: str = Field(description="Полный адрес ленты для приложения-календаря")
