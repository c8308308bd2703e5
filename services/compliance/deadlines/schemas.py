"""Schemas of publication notices, the due-soon setting and the production calendar (CO-5)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from services.common.types import SafeStr, StrictModel

NoticeKind = Literal["dot_decision_next_year", "distance_only_program_info"]
NoticeState = Literal["pending", "due_soon", "late", "published_on_time", "published_late"]
NOTICE_STATES: tuple[NoticeState, ...] = (
    "pending",
    "due_soon",
    "late",
    "published_on_time",
    "published_late",
)
CalendarOrigin = Literal["bundled", "operator"]

_ACADEMIC_YEAR = re.compile(r"^(\d{4})/(\d{4})$")


def check_https_url(value: str) -> str:
    """An absolute ``https`` URL of a web page: a host, no credentials, no spaces."""
    if any(ch.isspace() for ch in value):
        raise ValueError("Адрес страницы не должен содержать пробелов")
    try:
        parts = urlsplit(value)
        host = parts.hostname
        port = parts.port
    except ValueError:
        raise ValueError("Некорректный адрес страницы") from None
    if parts.scheme.lower() != "https":
        raise ValueError("Адрес страницы на сайте школы должен начинаться с https://")
    if not host or "." not in host.strip("."):
        raise ValueError("В адресе страницы нет имени сайта")
    if parts.username is not None or parts.password is not None:
        raise ValueError("Адрес страницы не должен содержать логин или пароль")
    if port == 0:
        raise ValueError("Некорректный порт в адресе страницы")
    return value


def check_academic_year(value: str) -> str:
    match = _ACADEMIC_YEAR.match(value)
    if match is None or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValueError("Учебный год записывается как ГГГГ/ГГГГ, например 2026/2027")
    return value


def academic_year_start(value: str) -> int:
    """The first calendar year of ``2026/2027``."""
    return int(value[:4])


HttpsUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=10, max_length=2000),
    AfterValidator(check_https_url),
    Field(
        description="Адрес страницы на официальном сайте школы (только https)",
        examples=["https://school1.example.ru/sveden/education"],
    ),
]
AcademicYearName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=9),
    AfterValidator(check_academic_year),
    Field(
        description=(
            "Учебный год, о котором принято решение (для dot_decision_next_year обязателен), "
            "например 2026/2027"
        ),
        examples=["2026/2027"],
    ),
]
Title = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    Field(description="Что публикуется"),
]
ActNumber = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    Field(description="Номер локального акта (приказа), если есть"),
]
Notes = Annotated[
    SafeStr,
    StringConstraints(max_length=4000),
    Field(description="Примечания"),
]
DecisionDate = Annotated[
    date,
    Field(
        description=(
            "Дата решения (для dot_decision_next_year) или дата создания или изменения "
            "сведений о программе (для distance_only_program_info)"
        )
    ),
]
PublishedOn = Annotated[
    date,
    Field(description="Дата размещения на официальном сайте школы; не раньше даты решения"),
]


class NoticeCreate(StrictModel):
    kind: NoticeKind = Field(
        description=(
            "dot_decision_next_year — решение о применении ЭО и ДОТ в следующем учебном году "
            "(§4.5, срок — 1 мая текущего учебного года); distance_only_program_info — "
            "сведения о программах, реализуемых исключительно с ЭО и ДОТ (§4.6, ч. 3 "
            "ст. 29 273-ФЗ, срок — 10 рабочих дней)"
        )
    )
    title: Title
    decision_or_change_date: DecisionDate
    academic_year: AcademicYearName | None = None
    local_act_number: ActNumber | None = None
    notes: Notes | None = None
    url: HttpsUrl | None = None

    @model_validator(mode="after")
    def _academic_year_for_decision(self) -> Self:
        if self.kind == "dot_decision_next_year" and self.academic_year is None:
            raise ValueError(
                "Для решения о следующем учебном году укажите academic_year, например 2026/2027"
            )
        return self


class NoticeUpdate(StrictModel):
    """Only the fields sent are changed. The kind is fixed; a publication is recorded with
    ``POST …/publication`` and may then be corrected here (it can't be removed)."""

    title: Title | None = None
    decision_or_change_date: DecisionDate | None = None
    academic_year: AcademicYearName | None = None
    local_act_number: ActNumber | None = None
    notes: Notes | None = None
    url: HttpsUrl | None = None
    published_on: PublishedOn | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> Self:
        for name in ("title", "decision_or_change_date", "published_on"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class PublicationCreate(StrictModel):
    published_on: PublishedOn
    url: HttpsUrl


class NoticeRead(BaseModel):
    id: uuid.UUID
    kind: NoticeKind
    title: str
    decision_or_change_date: date
    academic_year: str | None
    local_act_number: str | None
    notes: str | None
    url: str | None
    published_on: date | None
    deadline: date = Field(description="Последний день срока размещения")
    deadline_rule: str = Field(description="Как рассчитан срок")
    legal_basis: str = Field(description="Основание срока")
    due_soon_from: date = Field(
        description="С этого дня неопубликованные сведения считаются «скоро срок» (due_soon)"
    )
    state: NoticeState = Field(
        description=(
            "pending — срок не близко; due_soon — до срока осталось не больше настроенного "
            "числа рабочих дней; late — срок прошёл, не опубликовано; published_on_time, "
            "published_late — опубликовано в срок или позже срока"
        )
    )
    as_of: date = Field(description="Дата, на которую вычислено состояние")
    created_at: datetime
    updated_at: datetime


class NoticeSummary(BaseModel):
    as_of: date = Field(description="Дата, на которую вычислены состояния")
    total: int
    pending: int
    due_soon: int
    late: int
    published_on_time: int
    published_late: int


class DeadlineSettingsRead(BaseModel):
    due_soon_working_days: int = Field(
        description="За сколько рабочих дней до срока сведения считаются «скоро срок»"
    )
    is_default: bool = Field(description="true — школа не задала своё значение")


class DeadlineSettingsUpdate(StrictModel):
    due_soon_working_days: int = Field(
        ge=1,
        le=20,
        strict=True,
        description="За сколько рабочих дней до срока сведения считаются «скоро срок», 1–20",
    )


# -- the production calendar -----------------------------------------------------------


class CalendarDayNote(BaseModel):
    date: dt.date
    note: str


class CalendarDayInput(StrictModel):
    date: dt.date
    note: Annotated[
        SafeStr,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
        Field(description="Название праздника или основание переноса"),
    ]


class CalendarMonth(BaseModel):
    month: int
    working_days: int
    non_working_days: int


class CalendarYearBrief(BaseModel):
    year: int
    source: str = Field(description="Источник данных года")
    provisional: bool = Field(
        description="true — постановление о переносе выходных не учтено (только ТК РФ ст. 112)"
    )
    origin: CalendarOrigin = Field(
        description="bundled — данные из поставки сервиса; operator — загружено оператором"
    )
    working_days: int
    non_working_days: int
    updated_at: datetime


class CalendarYearRead(CalendarYearBrief):
    months: list[CalendarMonth]
    holidays: list[CalendarDayNote] = Field(description="Нерабочие праздничные дни")
    days_off: list[CalendarDayNote] = Field(
        description="Дополнительные выходные (перенесённые) дни с понедельника по пятницу"
    )
    working_weekends: list[CalendarDayNote] = Field(
        description="Рабочие субботы и воскресенья (перенос выходного дня)"
    )


class CalendarYearPut(StrictModel):
    """The whole year as published: it replaces what the service holds for the year."""

    source: Annotated[
        SafeStr,
        StringConstraints(strip_whitespace=True, min_length=5, max_length=500),
        Field(description="Источник: реквизиты постановления о переносе выходных дней"),
    ]
    provisional: bool = Field(
        default=False, description="true — постановление ещё не принято или не учтено"
    )
    holidays: list[CalendarDayInput] = Field(
        min_length=1, max_length=40, description="Нерабочие праздничные дни (ТК РФ ст. 112 ч. 1)"
    )
    days_off: list[CalendarDayInput] = Field(
        default_factory=list,
        max_length=60,
        description="Дополнительные выходные дни с понедельника по пятницу (переносы)",
    )
    working_weekends: list[CalendarDayInput] = Field(
        default_factory=list,
        max_length=60,
        description="Субботы и воскресенья, объявленные рабочими днями",
    )


class WorkingDayDeadline(BaseModel):
    start: date = Field(description="День события (в срок не входит)")
    working_days: int
    deadline: date = Field(description="Последний рабочий день срока")
    rule: str
