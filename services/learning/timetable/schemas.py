"""Schemas of the timetable: weekly templates and lessons (LE-3; §1.7, §1.8, §1.9, §5.10)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime, time
from typing import Annotated, Any, Literal, Self, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    Strict,
    StringConstraints,
    model_validator,
)

from services.common.types import StrictModel
from services.learning.courses.schemas import (
    NO_CONTROL,
    HttpsUrlStr,
    Level,
    PersonRef,
    text_only,
)
from services.learning.hygiene.schemas import HygieneCheckRead
from services.learning.models.courses import (
    DELIVERY_FORMS,
    DEVICE_TYPES,
    DEVICE_USE_KINDS,
    ORGANISATIONAL_FORMS,
    SUPPORT_MODES,
)

# §1.7: урок, лекция, семинар, практическое занятие, лабораторная работа, контрольная
# работа, самостоятельная работа, консультация, научно-исследовательская работа,
# текущий контроль, промежуточная аттестация.
OrganisationalForm = Literal[
    "lesson",
    "lecture",
    "seminar",
    "practical",
    "laboratory",
    "test_work",
    "independent_work",
    "consultation",
    "research",
    "current_control",
    "interim_attestation",
]
# §1.8: тестирование онлайн, изучение материала онлайн, консультации онлайн,
# предоставление методических материалов, сопровождение офлайн.
SupportMode = Literal[
    "online_testing",
    "online_study",
    "online_consultation",
    "methodical_materials",
    "offline_support",
]
DeliveryForm = Literal["in_person", "e_learning", "distance"]
DeviceType = Literal["interactive_whiteboard", "interactive_panel", "pc", "laptop", "tablet"]
DeviceUseKind = Literal["viewing", "copying", "interactive"]
LessonStatus = Literal["scheduled", "cancelled"]

# The Literal types above are the models' tuples, spelled out for the contract.
assert get_args(OrganisationalForm) == ORGANISATIONAL_FORMS
assert get_args(SupportMode) == SUPPORT_MODES
assert get_args(DeliveryForm) == DELIVERY_FORMS
assert get_args(DeviceType) == DEVICE_TYPES
assert get_args(DeviceUseKind) == DEVICE_USE_KINDS

MAX_DURATION = 240
MAX_DEVICE_SEGMENTS = 20


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise ValueError("Время урока — местное время школы, без часового пояса")
    if value.second or value.microsecond:
        raise ValueError("Время в формате ЧЧ:ММ")
    return value


def _hh_mm(value: time) -> str:
    return value.strftime("%H:%M")


LocalTime = Annotated[
    time,
    BeforeValidator(text_only),
    AfterValidator(_wall_clock),
    Field(description="Местное время школы, ЧЧ:ММ", examples=["09:00"]),
]
TimeOut = Annotated[time, PlainSerializer(_hh_mm, return_type=str)]
LocalDate = Annotated[
    dt.date, BeforeValidator(text_only), Field(description="Дата по календарю школы, ГГГГ-ММ-ДД")
]
Duration = Annotated[
    int, Strict(), Field(ge=5, le=MAX_DURATION, description="Продолжительность, минут")
]
LessonNumber = Annotated[int, Strict(), Field(ge=1, le=20, description="Номер урока в дне")]
Weekday = Annotated[int, Strict(), Field(ge=1, le=7, description="День недели: 1 — пн … 7 — вс")]
Room = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100), NO_CONTROL
]
Homework = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), NO_CONTROL]
# LE-12: the in-person or paper alternative for students with a §3.9 opt-out.
Alternative = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), NO_CONTROL]
Reason = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), NO_CONTROL
]


class DeviceUse(StrictModel):
    """A segment of planned screen-device use (§5.10, СанПиН 1.2.3685-21)."""

    device: DeviceType = Field(description="Электронное средство обучения")
    minutes: int = Field(strict=True, ge=1, le=MAX_DURATION, description="Минут работы")
    kind: DeviceUseKind = Field(description="Как используется: просмотр, списывание, работа")


Devices = Annotated[
    list[DeviceUse],
    Field(
        max_length=MAX_DEVICE_SEGMENTS,
        description="Плановое использование ЭСО по отрезкам; сумма минут — не больше урока",
    ),
]


class _Slot(StrictModel):
    organisational_form: OrganisationalForm = Field(
        default="lesson", description="Организационная форма (§1.7)"
    )
    delivery_form: DeliveryForm = Field(
        default="in_person", description="Очно, электронное обучение или ДОТ"
    )
    support_mode: SupportMode | None = Field(default=None, description="Режим сопровождения (§1.8)")
    devices: Devices = Field(default_factory=list)
    room: Room | None = Field(default=None, description="Кабинет")
    video_room_url: HttpsUrlStr | None = Field(
        default=None, description="Ссылка на видеокомнату (например, Сферум), только https"
    )
    alternative: Alternative | None = Field(
        default=None,
        description=(
            "Очная или бумажная альтернатива для обучающихся с отказом от ЭО и ДОТ (§3.9, "
            "LE-12); обязательна для урока с формой e_learning или distance, если среди "
            "обучающихся курса есть отказавшиеся"
        ),
    )


class TemplateCreate(_Slot):
    weekday: Weekday
    starts_at: LocalTime
    duration_minutes: Duration = 40
    lesson_number: LessonNumber | None = None


class TemplateUpdate(StrictModel):
    """Only the fields sent are changed; lessons already generated stay as they are."""

    weekday: Weekday | None = None
    starts_at: LocalTime | None = None
    duration_minutes: Duration | None = None
    lesson_number: LessonNumber | None = None
    organisational_form: OrganisationalForm | None = None
    delivery_form: DeliveryForm | None = None
    support_mode: SupportMode | None = None
    devices: Devices | None = None
    room: Room | None = None
    video_room_url: HttpsUrlStr | None = None
    alternative: Alternative | None = Field(
        default=None, description="Альтернатива для отказавшихся от ЭО и ДОТ; null — убрать"
    )

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in (
            "weekday",
            "starts_at",
            "duration_minutes",
            "organisational_form",
            "delivery_form",
            "devices",
        ):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class TemplateRead(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    weekday: int
    starts_at: TimeOut
    duration_minutes: int
    lesson_number: int | None
    organisational_form: OrganisationalForm
    delivery_form: DeliveryForm
    support_mode: SupportMode | None
    devices: list[DeviceUse]
    room: str | None
    video_room_url: str | None
    alternative: str | None = Field(description="Альтернатива для отказавшихся от ЭО и ДОТ")
    created_at: datetime
    updated_at: datetime


class GenerateRequest(StrictModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=False)

    date_from: LocalDate = Field(alias="from", description="Первый день, ГГГГ-ММ-ДД")
    date_to: LocalDate = Field(alias="to", description="Последний день, ГГГГ-ММ-ДД")

    @model_validator(mode="after")
    def _order(self) -> Self:
        if self.date_to < self.date_from:
            raise ValueError("Дата to раньше даты from")
        return self


class GenerateResult(BaseModel):
    date_from: dt.date = Field(
        serialization_alias="from", description="С какого дня (в учебном году)"
    )
    date_to: dt.date = Field(serialization_alias="to", description="По какой день (в учебном году)")
    created: int = Field(description="Создано уроков")
    skipped: int = Field(description="Пропущено: урок этого шаблона на эту дату уже есть")
    lesson_ids: list[uuid.UUID]


class LessonCreate(_Slot):
    date: LocalDate
    starts_at: LocalTime
    duration_minutes: Duration = 40
    lesson_number: LessonNumber | None = None
    topic_id: uuid.UUID | None = Field(default=None, description="Тема из плана (КТП) курса")
    homework: Homework | None = None


class LessonUpdate(StrictModel):
    """Only the fields sent are changed; ``null`` clears an optional field."""

    topic_id: uuid.UUID | None = None
    homework: Homework | None = None
    organisational_form: OrganisationalForm | None = None
    delivery_form: DeliveryForm | None = None
    support_mode: SupportMode | None = None
    devices: Devices | None = None
    room: Room | None = None
    video_room_url: HttpsUrlStr | None = None
    lesson_number: LessonNumber | None = None
    alternative: Alternative | None = Field(
        default=None,
        description=(
            "Очная или бумажная альтернатива для обучающихся с отказом от ЭО и ДОТ (§3.9, "
            "LE-12); null — убрать"
        ),
    )

    @model_validator(mode="after")
    def _not_null(self) -> Self:
        for name in ("organisational_form", "delivery_form", "devices"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        if not self.model_fields_set:
            raise ValueError("Не передано ни одного поля")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class LessonMove(StrictModel):
    date: LocalDate = Field(description="Новая дата")
    starts_at: LocalTime
    duration_minutes: Duration | None = None
    lesson_number: LessonNumber | None = None
    room: Room | None = None


class LessonSubstitute(StrictModel):
    substitute_teacher_id: uuid.UUID | None = Field(
        description="Педагог школы, который проведёт урок; null — отменить замену"
    )


class LessonCancel(StrictModel):
    reason: Reason = Field(description="Причина отмены")


class LessonCourse(BaseModel):
    id: uuid.UUID
    subject: str
    class_group_id: uuid.UUID
    class_name: str | None
    grade: int
    level: Level
    subgroup: str | None


class TopicBrief(BaseModel):
    id: uuid.UUID
    position: int
    title: str


class LessonRead(BaseModel):
    id: uuid.UUID
    course: LessonCourse
    date: dt.date
    starts_at: TimeOut = Field(description="Местное время школы, ЧЧ:ММ")
    starts_at_utc: datetime
    duration_minutes: int
    lesson_number: int | None
    topic: TopicBrief | None
    organisational_form: OrganisationalForm
    delivery_form: DeliveryForm
    support_mode: SupportMode | None
    devices: list[DeviceUse]
    screen_minutes: int = Field(description="Всего минут работы с ЭСО")
    video_room_url: str | None
    room: str | None
    status: LessonStatus
    cancel_reason: str | None
    teachers: list[PersonRef] = Field(description="Педагоги курса")
    teacher: PersonRef | None = Field(description="Кто проводит урок (с учётом замены)")
    substitute_teacher: PersonRef | None
    moved_from_date: dt.date | None = Field(description="Исходная дата перенесённого урока")
    moved_from_starts_at: TimeOut | None
    homework: str | None
    alternative: str | None = Field(
        description="Очная или бумажная альтернатива для отказавшихся от ЭО/ДОТ (LE-12)"
    )
    opted_out: bool | None = Field(
        default=None,
        description=(
            "В расписании обучающегося (и его родителя): true — у обучающегося действует "
            "отказ от ЭО и ДОТ (§3.9) по этому курсу, урок с ЭО или ДОТ он проходит по "
            "альтернативе `alternative`, ссылка на видеокомнату ему не выдаётся; в других "
            "представлениях — null"
        ),
    )
    template_id: uuid.UUID | None
    version: int
    compliance: HygieneCheckRead = Field(
        description="Проверка норм работы с ЭСО перед публикацией (п. 2.5 Регламента)"
    )


class TimetableRead(BaseModel):
    date_from: dt.date = Field(serialization_alias="from")
    date_to: dt.date = Field(serialization_alias="to")
    timezone: str = Field(description="Часовой пояс школы: даты и время уроков — в нём")
    lessons: list[LessonRead]
