from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, Field

from services.common.types import ReadModel, SafeStr, StrictModel

Level = Literal["school", "municipal", "regional", "federal", "international"]
Result = Literal["participant", "prize_winner", "winner"]
EventKind = Literal["olympiad", "contest", "conference", "competition", "other"]
ManualKind = Literal["achievement", "competency", "education_document", "course_certificate"]
Kind = Literal["achievement", "competency", "education_document", "course_certificate", "work"]
Status = Literal["proposed", "confirmed", "rejected"]


def _https(value: str) -> str:
    if not value.startswith("https://") or len(value) <= len("https://") or " " in value:
        raise ValueError("Ссылка на подтверждение должна начинаться с https://")
    return value


HttpsUrl = Annotated[SafeStr, AfterValidator(_https)]
Title = Annotated[SafeStr, Field(min_length=1, max_length=500)]
Text = Annotated[SafeStr, Field(max_length=5000)]


class _ItemBase(StrictModel):
    description: Text | None = Field(default=None, description="Описание")
    evidence_url: HttpsUrl | None = Field(
        default=None, max_length=1000, description="Ссылка на подтверждение (https://)"
    )


class AchievementCreate(_ItemBase):
    """Олимпиада, конкурс, конференция, соревнование."""

    kind: Literal["achievement"]
    title: Title = Field(description="Название мероприятия")
    event_kind: EventKind = Field(description="Вид мероприятия")
    level: Level = Field(description="Уровень: школьный … международный")
    result: Result = Field(description="Результат: участник, призёр, победитель")
    date: dt.date = Field(description="Дата мероприятия")
    organizer: Annotated[SafeStr, Field(max_length=500)] | None = Field(
        default=None, description="Организатор"
    )


class CompetencyCreate(_ItemBase):
    kind: Literal["competency"]
    title: Title = Field(description="Компетенция")
    date: dt.date | None = Field(default=None, description="Когда подтверждена")


class EducationDocumentCreate(_ItemBase):
    kind: Literal["education_document"]
    title: Title = Field(description="Вид документа (например, «Аттестат об основном общем …»)")
    number: Annotated[SafeStr, Field(min_length=1, max_length=100)] = Field(
        description="Серия и номер"
    )
    issued_on: dt.date = Field(description="Дата выдачи")
    issuer: Annotated[SafeStr, Field(min_length=1, max_length=500)] = Field(description="Кем выдан")


class CourseCertificateCreate(_ItemBase):
    """A certificate of an online course taken outside the platform."""

    kind: Literal["course_certificate"]
    title: Title = Field(description="Название онлайн-курса")
    number: Annotated[SafeStr, Field(min_length=1, max_length=100)] = Field(
        description="Номер сертификата"
    )
    issued_on: dt.date = Field(description="Дата выдачи")
    hours: int | None = Field(default=None, ge=1, le=10000, description="Объём, часов")
    issuer: Annotated[SafeStr, Field(max_length=500)] | None = Field(
        default=None, description="Кем выдан"
    )


PortfolioItemCreate = Annotated[
    AchievementCreate | CompetencyCreate | EducationDocumentCreate | CourseCertificateCreate,
    Field(discriminator="kind"),
]


class RejectRequest(StrictModel):
    reason: SafeStr = Field(min_length=1, max_length=1000, description="Причина отклонения")


class PortfolioItemRead(ReadModel):
    id: uuid.UUID
    student_id: uuid.UUID
    kind: Kind
    title: str
    description: str | None
    occurred_on: dt.date | None
    details: dict[str, Any] = Field(
        description=(
            "Поля вида: у достижения event_kind, level, result, organizer; у документа "
            "number, issued_on, issuer; у сертификата number, issued_on, hours, issuer; у "
            "работы subject, mark, comment, submitted_at, reviewed_at, text_excerpt, "
            "file_names"
        )
    )
    evidence_url: str | None
    status: Status
    source: str
    created_by: uuid.UUID | None
    created_at: dt.datetime
    decided_by: uuid.UUID | None
    decided_at: dt.datetime | None
    reject_reason: str | None


class PortfolioStudent(ReadModel):
    id: uuid.UUID
    full_name: str
    class_names: list[str]


class Portfolio(ReadModel):
    student: PortfolioStudent
    generated_at: dt.datetime
    items: list[PortfolioItemRead]
