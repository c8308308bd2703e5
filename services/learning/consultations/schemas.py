"""Schemas of consultations and bookings (LE-9, Reg §2.4)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime, time
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from services.common.types import SafeStr, StrictModel

# SafeStr's check, applied after stripping and measuring the text
SAFE: Any = SafeStr.__metadata__[0]  # type: ignore[attr-defined]

ConsultationFormat = Literal["online", "offline"]
SlotStatus = Literal["proposed", "approved", "cancelled"]
BookingStatus = Literal["booked", "cancelled"]


def check_https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("Ссылка на комнату должна быть адресом https://")
    if any(ch.isspace() for ch in value):
        raise ValueError("Ссылка не должна содержать пробелов")
    return value


def check_local_time(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("Время указывается по часовому поясу школы, без смещения")
    if value.second or value.microsecond:
        raise ValueError("Время указывается с точностью до минуты (ЧЧ:ММ)")
    return value


EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2199, 12, 31)


def check_schedule_date(value: dt.date) -> dt.date:
    if not EARLIEST <= value <= LATEST:
        raise ValueError("Дата консультации вне допустимого диапазона (2000–2199 годы)")
    return value


ScheduleDate = Annotated[dt.date, AfterValidator(check_schedule_date)]
HttpsUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=9, max_length=1000),
    AfterValidator(check_https_url),
]
Text100 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), SAFE
]
Text300 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SAFE
]
Text500 = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), SAFE
]
Notes = Annotated[str, StringConstraints(max_length=4000), SAFE]
LocalTime = Annotated[time, AfterValidator(check_local_time)]
Duration = Annotated[int, Field(ge=5, le=240, strict=True)]
Capacity = Annotated[int, Field(ge=1, le=1000, strict=True)]


class SlotCreate(StrictModel):
    """A consultation on the schedule: proposed by a teacher, or created by an admin."""

    teacher_id: uuid.UUID | None = Field(
        default=None,
        description=(
            "Педагог, проводящий консультацию. Педагог указывает себя или не указывает "
            "ничего; администратор указывает обязательно"
        ),
    )
    course_id: uuid.UUID | None = Field(
        default=None,
        description="Курс, по которому консультация (записаться могут только его обучающиеся)",
    )
    topic: Text300 | None = Field(default=None, description="Тема консультации")
    date: ScheduleDate = Field(description="Дата по часовому поясу школы")
    starts_at: LocalTime = Field(description="Время начала по часовому поясу школы, ЧЧ:ММ")
    duration_minutes: Duration = Field(description="Продолжительность, минут (5–240)")
    format: ConsultationFormat = Field(
        description="Формат: online — онлайн (нужна ссылка на комнату), offline — очно"
    )
    room_url: HttpsUrl | None = Field(
        default=None, description="Ссылка на видеокомнату (https://), например в «Сферуме»"
    )
    room: Text100 | None = Field(default=None, description="Кабинет для очной консультации")
    capacity: Capacity = Field(description="Число мест (не меньше 1)")
    notes: Notes | None = Field(default=None, description="Примечания для обучающихся")

    @model_validator(mode="after")
    def _place(self) -> Self:
        if self.format == "online" and self.room_url is None:
            raise ValueError("Для онлайн-консультации укажите ссылку на комнату (room_url)")
        if self.format == "offline" and self.room is None:
            raise ValueError("Для очной консультации укажите кабинет (room)")
        return self


class SlotUpdate(StrictModel):
    """Changes; the date, time and duration of an approved slot are changed by an admin."""

    course_id: uuid.UUID | None = Field(default=None, description="Курс или null")
    topic: Text300 | None = Field(default=None, description="Тема консультации")
    date: ScheduleDate | None = Field(default=None, description="Дата по часовому поясу школы")
    starts_at: LocalTime | None = Field(default=None, description="Время начала, ЧЧ:ММ")
    duration_minutes: Duration | None = Field(default=None, description="Продолжительность")
    format: ConsultationFormat | None = Field(default=None, description="online или offline")
    room_url: HttpsUrl | None = Field(default=None, description="Ссылка на комнату (https://)")
    room: Text100 | None = Field(default=None, description="Кабинет")
    capacity: Capacity | None = Field(
        default=None, description="Число мест (не меньше уже записавшихся)"
    )
    notes: Notes | None = Field(default=None, description="Примечания")

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in ("date", "starts_at", "duration_minutes", "format", "capacity"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} не может быть пустым")
        return self


class SlotCancel(StrictModel):
    reason: Text500 | None = Field(default=None, description="Причина отмены")


class MyBooking(BaseModel):
    booking_id: uuid.UUID
    student_id: uuid.UUID


class SlotRead(BaseModel):
    id: uuid.UUID
    teacher_id: uuid.UUID
    teacher_name: str | None = Field(description="ФИО педагога")
    course_id: uuid.UUID | None
    course_subject: str | None = Field(description="Предмет курса")
    topic: str | None
    date: dt.date = Field(description="Дата по часовому поясу школы")
    starts_at: time = Field(description="Время начала по часовому поясу школы")
    ends_at: time = Field(description="Время окончания по часовому поясу школы")
    starts_at_utc: datetime
    duration_minutes: int
    format: ConsultationFormat
    room_url: str | None
    room: str | None
    capacity: int
    booked: int = Field(description="Занято мест")
    seats_left: int = Field(description="Свободно мест")
    status: SlotStatus = Field(
        description="proposed — предложена педагогом, approved — утверждена, cancelled — отменена"
    )
    bookable: bool = Field(description="Можно записаться сейчас")
    notes: str | None
    approved_by: uuid.UUID | None
    approved_at: datetime | None
    cancelled_at: datetime | None
    cancel_reason: str | None
    my_bookings: list[MyBooking] = Field(
        description="Записи вызывающего (обучающегося или его детей для родителя)"
    )


class BookingCreate(StrictModel):
    student_id: uuid.UUID | None = Field(
        default=None,
        description="Обучающийся; обучающийся записывает себя, родитель — своего ребёнка",
    )


class BookingRead(BaseModel):
    id: uuid.UUID
    slot_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str | None = Field(description="ФИО обучающегося")
    status: BookingStatus = Field(description="booked — записан, cancelled — запись отменена")
    booked_by: uuid.UUID
    booked_at: datetime
    cancelled_by: uuid.UUID | None
    cancelled_at: datetime | None
