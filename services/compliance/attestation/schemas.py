"""Schemas of attestation procedures, identifications, violations and incidents (CO-6, ID-8)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    Field,
    StringConstraints,
    model_validator,
)

from services.common.types import SafeStr, StrictModel

AttestationKind = Literal["current_control", "interim_attestation", "final_attestation"]
IdentificationMethod = Literal["password_reauth", "one_time_code", "proctor"]
InformingChannel = Literal[
    "diary", "email", "class_meeting", "website", "messenger", "paper", "other"
]
ViolationKind = Literal[
    "identity_mismatch",
    "extraneous_person",
    "extraneous_device",
    "unauthorised_materials",
    "prompting",
    "left_camera_view",
    "camera_off",
    "other",
]
IncidentKind = Literal[
    "connection_lost", "platform_failure", "device_failure", "power_outage", "other"
]
IncidentOutcome = Literal["pending", "continued", "time_extended", "retake_scheduled", "cancelled"]

KIND_DOC = (
    "current_control — текущий контроль, interim_attestation — промежуточная аттестация, "
    "final_attestation — итоговая аттестация"
)
METHOD_DOC = (
    "Способ идентификации (§4.5, §4.8): password_reauth — повторный ввод пароля "
    "(подтверждение из POST /api/v1/identity/reauth), one_time_code — одноразовый код, "
    "выданный экзаменатором, proctor — визуальная проверка проктором (педагогом)"
)

Title = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    Field(description="Название мероприятия, например «Контрольная работа за I четверть»"),
]
ActNumber = Annotated[
    SafeStr,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    Field(description="Номер локального нормативного акта (приказа), §4.7"),
]
Procedure = Annotated[
    SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)
]
Note = Annotated[SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]


def _sane_date(value: date) -> date:
    if not 2000 <= value.year <= 2100:
        raise ValueError("Дата должна быть в пределах 2000–2100 годов")
    return value


def _sane_instant(value: datetime) -> datetime:
    if not 2000 <= value.year <= 2100:
        raise ValueError("Время должно быть в пределах 2000–2100 годов")
    return value


def _evidence_url(value: str) -> str:
    if any(ch.isspace() for ch in value):
        raise ValueError("Ссылка не должна содержать пробелов")
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        raise ValueError("Некорректная ссылка на доказательство") from None
    if parts.scheme.lower() not in ("https", "http") or not host:
        raise ValueError("Ссылка на доказательство должна начинаться с https:// или http://")
    if parts.username is not None or parts.password is not None:
        raise ValueError("Ссылка не должна содержать логин или пароль")
    return value


SchoolDate = Annotated[date, AfterValidator(_sane_date)]
Instant = Annotated[AwareDatetime, AfterValidator(_sane_instant)]
EvidenceUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=10, max_length=2000),
    AfterValidator(_evidence_url),
    Field(
        description="Ссылка на файл или запись доказательства (видео, снимок экрана)",
        examples=["https://disk.school.example.ru/attestation/7b/violation-1.mp4"],
    ),
]
Duration = Annotated[int, Field(ge=1, le=600, strict=True, description="Продолжительность, минут")]


# -- events -------------------------------------------------------------------------------


class EventCreate(StrictModel):
    title: Title
    kind: AttestationKind = Field(description=KIND_DOC)
    course_id: uuid.UUID | None = Field(
        default=None, description="Курс (сервис learning); класс берётся из курса"
    )
    class_group_id: uuid.UUID | None = Field(
        default=None, description="Класс — для мероприятия всего класса без курса"
    )
    held_on: SchoolDate = Field(description="Дата проведения (по часовому поясу школы)")
    starts_at: time | None = Field(default=None, description="Время начала, ЧЧ:ММ")
    duration_minutes: Duration | None = None
    local_act_number: ActNumber
    local_act_date: SchoolDate = Field(
        description="Дата локального акта; не позже даты мероприятия (§4.7)"
    )
    identification_method: IdentificationMethod = Field(description=METHOD_DOC)
    condition_control: Procedure = Field(
        description=(
            "Порядок использования сервиса контроля условий проведения в целях фиксации "
            "нарушений (§4.8)"
        )
    )
    technical_problems_procedure: Procedure = Field(
        description=("Порядок действий обучающихся и проводящего при технических проблемах (§4.8)")
    )
    results_location: Procedure = Field(
        description="Где и когда обучающиеся узнают результаты (§4.8)"
    )

    @model_validator(mode="after")
    def _target(self) -> Self:
        if self.course_id is None and self.class_group_id is None:
            raise ValueError("Укажите курс (course_id) или класс (class_group_id)")
        return self


class EventUpdate(StrictModel):
    """Only the fields given are changed; the course and class are fixed."""

    title: Title | None = None
    kind: AttestationKind | None = Field(default=None, description=KIND_DOC)
    held_on: SchoolDate | None = None
    starts_at: time | None = None
    duration_minutes: Duration | None = None
    local_act_number: ActNumber | None = None
    local_act_date: SchoolDate | None = None
    identification_method: IdentificationMethod | None = Field(default=None, description=METHOD_DOC)
    condition_control: Procedure | None = None
    technical_problems_procedure: Procedure | None = None
    results_location: Procedure | None = None

    def changes(self) -> dict[str, object]:
        data = self.model_dump(exclude_unset=True)
        required = (
            "title",
            "kind",
            "held_on",
            "local_act_number",
            "local_act_date",
            "identification_method",
            "condition_control",
            "technical_problems_procedure",
            "results_location",
        )
        for name in required:
            if name in data and data[name] is None:
                raise ValueError(name)
        return data


class InformingCreate(StrictModel):
    informed_on: SchoolDate = Field(description="Когда обучающиеся были проинформированы")
    channel: InformingChannel = Field(
        description=(
            "Как: diary — электронный дневник, email, class_meeting — классный час или "
            "собрание, website — сайт школы, messenger — мессенджер (Сферум), paper — под "
            "подпись, other"
        )
    )
    description: Note = Field(
        description="О чём проинформированы: порядок проведения и где смотреть результаты"
    )


class InformingRead(BaseModel):
    id: uuid.UUID
    informed_on: date
    channel: str
    description: str
    recorded_by: uuid.UUID
    created_at: datetime


class EventRead(BaseModel):
    id: uuid.UUID
    title: str
    kind: AttestationKind
    course_id: uuid.UUID | None
    class_group_id: uuid.UUID
    class_name: str | None = Field(description="Класс, например 7Б")
    subject: str | None
    held_on: date
    starts_at: str | None = Field(description="Время начала, ЧЧ:ММ")
    duration_minutes: int | None
    local_act_number: str
    local_act_date: date
    identification_method: IdentificationMethod
    condition_control: str
    technical_problems_procedure: str
    results_location: str
    informings: list[InformingRead] = Field(
        description="Как и когда обучающиеся были проинформированы (§4.8)"
    )
    version: int
    created_at: datetime
    updated_at: datetime


# -- identification -----------------------------------------------------------------------


class CodeIssue(StrictModel):
    student_id: uuid.UUID = Field(description="Обучающийся, которому выдаётся код")


class CodeIssued(BaseModel):
    event_id: uuid.UUID
    student_id: uuid.UUID
    code: str = Field(description="Одноразовый код: показывается один раз и не хранится")
    expires_at: datetime
    max_attempts: int = Field(description="Сколько раз можно ввести код")


class PasswordReauthIn(StrictModel):
    method: Literal["password_reauth"]
    proof: str = Field(
        min_length=1,
        max_length=4096,
        description="Подтверждение из POST /api/v1/identity/reauth (действует несколько минут)",
    )


class OneTimeCodeIn(StrictModel):
    method: Literal["one_time_code"]
    code: Annotated[
        SafeStr, StringConstraints(strip_whitespace=True, min_length=1, max_length=32)
    ] = Field(description="Код, выданный экзаменатором")


class ProctorIn(StrictModel):
    method: Literal["proctor"]
    student_id: uuid.UUID = Field(description="Обучающийся, личность которого проверена")
    note: Note | None = Field(
        default=None, description="Как проверено, например «сверено с фото в личном деле»"
    )


IdentificationIn = Annotated[
    PasswordReauthIn | OneTimeCodeIn | ProctorIn, Field(discriminator="method")
]


class IdentificationRead(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str | None
    method: IdentificationMethod
    identified_at: datetime
    identified_by: uuid.UUID = Field(
        description="Кто идентифицировал: экзаменатор (код), проктор или сам обучающийся (пароль)"
    )
    identified_by_name: str | None
    recorded_by: uuid.UUID
    note: str | None


class ParticipantRead(BaseModel):
    student_id: uuid.UUID
    student_name: str | None
    identified: bool
    identified_at: datetime | None
    method: IdentificationMethod | None
    code_issued: bool = Field(description="Есть действующий одноразовый код")


# -- violations and incidents -------------------------------------------------------------


class ViolationCreate(StrictModel):
    student_id: uuid.UUID | None = Field(
        default=None, description="Обучающийся, если нарушение его"
    )
    occurred_at: Instant = Field(description="Время нарушения")
    kind: ViolationKind = Field(description="Вид нарушения")
    description: Note = Field(description="Что произошло")
    evidence_url: EvidenceUrl | None = None
    evidence_text: Note | None = Field(
        default=None, description="Доказательство текстом (например, протокол проктора)"
    )

    @model_validator(mode="after")
    def _evidence(self) -> Self:
        if self.evidence_url is None and self.evidence_text is None:
            raise ValueError(
                "Укажите доказательство: ссылку (evidence_url) или текст (evidence_text)"
            )
        return self


class ViolationRead(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    student_id: uuid.UUID | None
    occurred_at: datetime
    kind: str
    description: str
    evidence_url: str | None
    evidence_text: str | None
    recorded_by: uuid.UUID
    recorded_by_name: str | None
    created_at: datetime


OUTCOME_DOC = (
    "Итог: pending — решение не принято, continued — продолжено, time_extended — время "
    "продлено, retake_scheduled — назначена пересдача (укажите retake_on), cancelled — "
    "результат аннулирован"
)


class IncidentCreate(StrictModel):
    student_id: uuid.UUID | None = Field(
        default=None, description="Обучающийся, если проблема у него"
    )
    occurred_at: Instant = Field(description="Время технической проблемы")
    kind: IncidentKind = Field(description="Вид технической проблемы")
    description: Note = Field(description="Что произошло")
    outcome: IncidentOutcome = Field(default="pending", description=OUTCOME_DOC)
    retake_on: SchoolDate | None = Field(default=None, description="Дата пересдачи")
    outcome_note: Note | None = None


class IncidentUpdate(StrictModel):
    outcome: IncidentOutcome = Field(description=OUTCOME_DOC)
    retake_on: SchoolDate | None = Field(default=None, description="Дата пересдачи")
    outcome_note: Note | None = None


class IncidentRead(BaseModel):
    id: uuid.UUID
    event_id: uuid.UUID
    student_id: uuid.UUID | None
    occurred_at: datetime
    kind: str
    description: str
    outcome: IncidentOutcome
    retake_on: date | None
    outcome_note: str | None
    recorded_by: uuid.UUID
    created_at: datetime
    updated_at: datetime
