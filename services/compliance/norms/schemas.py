"""Schemas of the screen-device norms: rule sets, checks and settings (CO-1, CO-2).

Device types, segment kinds, delivery forms, minutes, grades and ages are accepted as
plain values and judged by the engine, so that a wrong one gets a Russian message
naming the clause it is measured against (422) rather than a bare type error; the
allowed values are still documented in the contract. Only known values of the first
three ever get further than the engine, so they need no ``SafeStr`` check of their own
(a week of a whole school has thousands of them).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator
from pydantic.config import JsonDict

from services.common.types import SafeStr, StrictModel
from services.compliance.norms import engine
from services.compliance.norms.engine import (
    DELIVERY_FORMS,
    DEVICE_TYPES,
    MAX_MINUTES,
    MEASURES,
    SEGMENT_KINDS,
)

Ref = Annotated[SafeStr, StringConstraints(min_length=1, max_length=100)]
Code = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9.-]{1,62}[a-z0-9]$")]
Title = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Source = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
Clause = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Note = Annotated[SafeStr, StringConstraints(max_length=2000)]
Measure = Literal[
    "per_lesson",
    "daily_school",
    "daily_home",
    "continuous",
    "continuous_copying",
    "lesson_duration",
    "combined_daily",
]
Severity = Literal["block", "warn"]
DeliveryForm = Literal["in_person", "e_learning", "distance"]
ViolationMode = Literal["block", "warn"]
CheckKind = Literal["lesson", "class_day", "student_day", "school_week"]
CheckStatus = Literal["passed", "warned", "blocked"]

assert set(MEASURES) == set(Measure.__args__)  # type: ignore[attr-defined]

_MINUTES: JsonDict = {"minimum": 0, "maximum": MAX_MINUTES}


def _device_field(description: str, **kwargs: Any) -> Any:
    return Field(
        max_length=64,
        description=description,
        json_schema_extra={"enum": list(DEVICE_TYPES)},
        **kwargs,
    )


def _minutes_field(description: str) -> Any:
    return Field(strict=True, description=description, json_schema_extra=_MINUTES)


def _minutes_of(value: dt.time | None) -> int | None:
    return value.hour * 60 + value.minute if value is not None else None


# -- check requests -----------------------------------------------------------------------


class SegmentIn(StrictModel):
    """A stretch of work with one device type within a lesson."""

    device: str = _device_field("Тип ЭСО")
    minutes: int = _minutes_field("Минуты работы с устройством")
    kind: str = Field(
        default="viewing",
        max_length=32,
        description=(
            "Вид работы: viewing — просмотр, copying — списывание с экрана (СП 2.4.3648-20, "
            "п. 2.10.2), interactive — интерактивная работа"
        ),
        json_schema_extra={"enum": list(SEGMENT_KINDS)},
    )
    start_minute: int | None = Field(
        default=None,
        strict=True,
        description=(
            "Начало отрезка, минут от начала урока (для всех отрезков урока или ни для одного). "
            "Без него отрезки идут подряд в порядке списка; промежуток между отрезками "
            "прерывает непрерывную работу с экраном"
        ),
        json_schema_extra=_MINUTES,
    )

    def to_engine(self) -> engine.Segment:
        return engine.Segment(self.device, self.minutes, self.kind, self.start_minute)


class LessonIn(StrictModel):
    """A lesson as planned: its length, form and the screen work in order of use."""

    ref: Ref | None = Field(
        default=None,
        description="Идентификатор урока у вызывающего (например, id урока в learning)",
    )
    lesson_number: int | None = Field(
        default=None, ge=1, le=20, strict=True, description="Номер урока в дне (1 — первый)"
    )
    starts_at: dt.time | None = Field(default=None, description="Начало урока (время школы)")
    duration_minutes: int = Field(
        strict=True,
        description="Продолжительность урока, минут",
        json_schema_extra={"minimum": 1, "maximum": MAX_MINUTES},
    )
    delivery_form: str = Field(
        max_length=32,
        description="Форма: in_person — очно, e_learning — ЭО, distance — ДОТ",
        json_schema_extra={"enum": list(DELIVERY_FORMS)},
    )
    segments: list[SegmentIn] = Field(
        default_factory=list, max_length=50, description="Работа с ЭСО в порядке использования"
    )

    def to_engine(self) -> engine.Lesson:
        return engine.Lesson(
            duration=self.duration_minutes,
            delivery=self.delivery_form,
            segments=tuple(
                [engine.Segment(s.device, s.minutes, s.kind, s.start_minute) for s in self.segments]
            ),
            number=self.lesson_number,
            starts_at=_minutes_of(self.starts_at),
            ref=self.ref,
        )


_GRADE = Field(
    default=None,
    strict=True,
    description="Класс (1–11); либо age",
    json_schema_extra={"minimum": 1, "maximum": 11},
)
_AGE = Field(
    default=None,
    strict=True,
    description="Возраст детей дошкольной группы (5–7 лет); либо grade",
    json_schema_extra={"minimum": 5, "maximum": 7},
)
_SCHOOL = Field(
    default=None,
    description="Школа: обязательна для сервисов платформы; пользователь — только своя",
)
_DATE = Field(default=None, description="Дата (по умолчанию — сегодня по времени школы)")


class LessonPlanCheck(LessonIn):
    school_id: uuid.UUID | None = _SCHOOL
    grade: int | None = _GRADE
    age: int | None = _AGE
    class_group_id: uuid.UUID | None = Field(
        default=None,
        description="Класс из справочника (класс берётся из него, если grade не указан)",
    )
    date: dt.date | None = _DATE
    day_starts_at: dt.time | None = Field(
        default=None,
        description="Начало учебного дня: по нему и starts_at определяется час занятий (10–11 кл.)",
    )


class ClassDayCheck(StrictModel):
    school_id: uuid.UUID | None = _SCHOOL
    grade: int | None = _GRADE
    age: int | None = _AGE
    class_group_id: uuid.UUID | None = Field(default=None, description="Класс из справочника")
    date: dt.date | None = _DATE
    lessons: list[LessonIn] = Field(max_length=20, description="Уроки дня по порядку")


class HomeActivityIn(StrictModel):
    ref: Ref | None = Field(default=None, description="Идентификатор задания у вызывающего")
    device: str = _device_field("Тип ЭСО (дома нормированы pc, laptop, tablet)")
    minutes: int = _minutes_field("Ожидаемые минуты работы с устройством")


class StudentDayCheck(StrictModel):
    school_id: uuid.UUID | None = _SCHOOL
    grade: int | None = _GRADE
    age: int | None = _AGE
    student_id: uuid.UUID | None = Field(
        default=None, description="Обучающийся (класс берётся из справочника, если grade не указан)"
    )
    date: dt.date | None = _DATE
    lessons: list[LessonIn] = Field(default_factory=list, max_length=20)
    home: list[HomeActivityIn] = Field(
        default_factory=list, max_length=50, description="Домашние задания с ЭСО за этот день"
    )


class WeekDayIn(StrictModel):
    date: dt.date
    lessons: list[LessonIn] = Field(max_length=20)


class WeekClassIn(StrictModel):
    ref: Ref | None = Field(default=None, description="Метка класса у вызывающего, например «7Б»")
    class_group_id: uuid.UUID | None = None
    grade: int | None = _GRADE
    age: int | None = _AGE
    days: list[WeekDayIn] = Field(max_length=7)


class SchoolWeekCheck(StrictModel):
    school_id: uuid.UUID | None = _SCHOOL
    classes: list[WeekClassIn] = Field(min_length=1, max_length=200)


# -- check results ------------------------------------------------------------------------


class ViolationRead(BaseModel):
    rule_id: str = Field(description="Идентификатор правила")
    set_code: str = Field(description="Код набора норм")
    set_version: int = Field(description="Версия набора норм")
    set_kind: str = Field(description="federal, regulation, school или settings")
    clause: str = Field(description="Пункт источника")
    measure: str = Field(description="Что измерено (per_lesson, daily_school …)")
    device: str | None = Field(description="Тип ЭСО, если правило о нём")
    band: str = Field(description="Классы или возраст правила")
    limit: int = Field(description="Предел, который превышен")
    actual: int = Field(description="Фактическое значение")
    unit: str = Field(description="Единица: min — минуты")
    severity: Severity = Field(description="block — блокирует публикацию, warn — предупреждение")
    rule_severity: Severity = Field(description="Строгость правила до учёта режима школы")
    message: str
    class_index: int | None = None
    class_ref: str | None = None
    date: dt.date | None = None
    lesson_index: int | None = None
    lesson_ref: str | None = None


class RuleSetRef(BaseModel):
    id: uuid.UUID
    code: str
    version: int
    kind: str
    title: str


class DeviceTotals(BaseModel):
    school: dict[str, int] = Field(description="Минуты по типам ЭСО на уроках")
    home: dict[str, int] = Field(description="Минуты по типам ЭСО дома")
    combined: int = Field(description="Все ЭСО за день")


class CheckResult(BaseModel):
    check_id: uuid.UUID = Field(description="Запись о проверке в истории")
    kind: CheckKind
    school_id: uuid.UUID
    checked_on: dt.date = Field(description="Дата (для недели — первая дата)")
    status: CheckStatus
    blocking: bool = Field(description="Есть нарушение, блокирующее публикацию")
    violation_mode: ViolationMode = Field(
        description="Настройка школы на момент проверки; по ней learning блокирует публикацию "
        "или только предупреждает"
    )
    violation_count: int
    violations: list[ViolationRead]
    rule_sets: list[RuleSetRef] = Field(description="Версии наборов норм, по которым проверено")
    totals: DeviceTotals | None = None


# -- rule sets ----------------------------------------------------------------------------


class RuleIn(StrictModel):
    measure: Measure = Field(description="Что ограничивается")
    device: SafeStr | None = _device_field(
        "Тип ЭСО: обязателен для per_lesson, daily_school, daily_home; иначе не указывается",
        default=None,
    )
    grade_from: int | None = Field(default=None, strict=True)
    grade_to: int | None = Field(default=None, strict=True)
    age_from: int | None = Field(default=None, strict=True)
    age_to: int | None = Field(default=None, strict=True)
    hour: Literal[1, 2] | None = Field(
        default=None, description="Только для continuous: 1 — первый час занятий, 2 — второй"
    )
    delivery_forms: list[DeliveryForm] | None = Field(
        default=None, min_length=1, max_length=3, description="Только для этих форм проведения"
    )
    limit_minutes: int = Field(strict=True, ge=0, le=MAX_MINUTES)
    warn_above_minutes: int | None = Field(
        default=None,
        strict=True,
        ge=0,
        le=MAX_MINUTES,
        description="Мягкий порог: больше — предупреждение",
    )
    severity: Severity = "block"
    clause: Clause = Field(description="Пункт локального акта школы")


class RuleSetVersionCreate(StrictModel):
    effective_from: dt.date
    effective_to: dt.date | None = Field(default=None, description="Действует по (включительно)")
    source: Source = Field(description="Документ школы: приказ, номер, дата")
    note: Note | None = None
    rules: list[RuleIn] = Field(min_length=1, max_length=200)

    @model_validator(mode="after")
    def _period(self) -> Self:
        if self.effective_to is not None and self.effective_to < self.effective_from:
            raise ValueError("Дата окончания действия раньше даты начала")
        return self


class RuleSetCreate(RuleSetVersionCreate):
    code: Code = Field(description="Код набора: латиница в нижнем регистре, цифры, точка, дефис")
    title: Title
    description: Note | None = None


class RuleSetRetire(StrictModel):
    effective_to: dt.date | None = Field(
        default=None, description="Последний день действия (по умолчанию — сегодня)"
    )
    reason: Source | None = None


class RuleRead(BaseModel):
    id: str
    measure: str
    device: str | None
    band_kind: str = Field(description="grade — классы, age — возраст дошкольников")
    band_from: int
    band_to: int
    band_label: str
    hour: int | None
    delivery_forms: list[str] | None
    limit_minutes: int
    warn_above_minutes: int | None
    severity: Severity
    clause: str


class ApplicableRuleRead(RuleRead):
    set_code: str
    set_version: int
    set_kind: str


class RuleSetVersionSummary(BaseModel):
    id: uuid.UUID
    code: str
    version: int
    kind: str = Field(description="federal, regulation (встроенные) или school (набор школы)")
    title: str
    source: str
    status: Literal["active", "retired"]
    effective_from: dt.date | None
    effective_to: dt.date | None
    note: str | None
    built_in: bool
    rule_count: int
    created_at: dt.datetime | None = None
    retired_at: dt.datetime | None = None
    retire_reason: str | None = None


class RuleSetVersionRead(RuleSetVersionSummary):
    rules: list[RuleRead]


class RuleSetRead(BaseModel):
    code: str
    title: str
    kind: str
    built_in: bool
    description: str | None = None
    versions: list[RuleSetVersionSummary]


class ApplicableRules(BaseModel):
    date: dt.date
    grade: int | None
    age: int | None
    rules: list[ApplicableRuleRead]


# -- settings and history -----------------------------------------------------------------


class NormSettingsRead(BaseModel):
    violation_mode: ViolationMode
    combined_daily_limit_enabled: bool
    combined_daily_limit_minutes: int | None
    revision: int = Field(description="Номер редакции настроек (0 — не менялись)")
    updated_at: dt.datetime | None = None
    updated_by: uuid.UUID | None = None


class NormSettingsUpdate(StrictModel):
    violation_mode: ViolationMode = Field(
        description=(
            "Единственная настройка школы, решающая, блокирует ли нарушение норм публикацию "
            "урока или задания в learning: block — нарушение правила со строгостью block "
            "блокирует публикацию, warn — только предупреждает (learning следует ей)"
        )
    )
    combined_daily_limit_enabled: bool = Field(
        strict=True, description="Суммарный дневной лимит по всем ЭСО (правило школы)"
    )
    combined_daily_limit_minutes: int | None = Field(
        default=None, strict=True, ge=1, le=MAX_MINUTES, description="Лимит, минут в день"
    )

    @model_validator(mode="after")
    def _limit(self) -> Self:
        if self.combined_daily_limit_enabled and self.combined_daily_limit_minutes is None:
            raise ValueError("Укажите combined_daily_limit_minutes: лимит включён")
        return self


class CheckRunSummary(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: CheckKind
    checked_on: dt.date
    created_at: dt.datetime
    requested_by: uuid.UUID
    requested_by_service: bool
    status: CheckStatus
    violation_mode: ViolationMode
    violation_count: int
    rule_sets: list[RuleSetRef]
    subject: dict[str, Any]


class CheckRunRead(CheckRunSummary):
    violations: list[ViolationRead]
