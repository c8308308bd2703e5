"""What the journal reports show, as plain values (JO-8).

The builders in :mod:`services.journal.reports.service` fill these from the database;
the renderers (:mod:`.xlsx`, :mod:`.pdf`) turn them into files off the event loop.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

DELIVERY_FORMS = {
    "in_person": "очно",
    "e_learning": "с применением ЭО",
    "distance": "с применением ДОТ",
}

PORTFOLIO_KINDS = {
    "achievement": "Достижения",
    "competency": "Компетенции",
    "education_document": "Документы об образовании",
    "course_certificate": "Сертификаты онлайн-курсов",
    "work": "Работы с рецензиями и отметками",
}
LEVELS = {
    "school": "школьный",
    "municipal": "муниципальный",
    "regional": "региональный",
    "federal": "всероссийский",
    "international": "международный",
}
RESULTS = {"participant": "участник", "prize_winner": "призёр", "winner": "победитель"}
EVENT_KINDS = {
    "olympiad": "олимпиада",
    "contest": "конкурс",
    "conference": "конференция",
    "competition": "соревнование",
    "other": "мероприятие",
}


def ru_date(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day else ""


def ru_number(value: float | None) -> str:
    return f"{value:.2f}".replace(".", ",") if value is not None else ""


@dataclass(frozen=True)
class LessonColumn:
    id: uuid.UUID
    date: date
    number: int | None
    topic: str
    recorded: bool
    delivery_form: str
    homework: str | None


@dataclass
class JournalRow:
    student_id: uuid.UUID
    name: str
    cells: list[str]
    # marks not tied to one of the listed lessons: "5 (12.11)"
    outside: str
    average: float | None
    weighted_average: float | None
    term_marks: list[str]


@dataclass
class JournalReport:
    school: str
    class_name: str
    subject: str
    teachers: list[str]
    year: str
    label: str
    starts: date
    ends: date
    lessons: list[LessonColumn]
    rows: list[JournalRow]
    term_columns: list[str]
    generated_at: datetime

    @property
    def title(self) -> str:
        return f"{self.class_name} — {self.subject}, {self.label}"


@dataclass
class SummaryRow:
    student_id: uuid.UUID
    name: str
    # per subject, aligned with SummaryReport.sub_columns: averages are numbers
    values: dict[str, list[float | str | None]]


@dataclass
class SummaryReport:
    school: str
    class_name: str
    year: str
    label: str
    subjects: list[str]
    sub_columns: list[str]
    rows: list[SummaryRow]
    generated_at: datetime

    @property
    def title(self) -> str:
        return f"Сводная ведомость успеваемости {self.class_name}, {self.label}"


@dataclass
class PortfolioEntry:
    kind: str
    title: str
    occurred_on: date | None
    description: str | None
    details: dict[str, Any]
    evidence_url: str | None


@dataclass
class PortfolioDocument:
    school: str
    student: str
    classes: list[str]
    generated_at: datetime
    entries: list[PortfolioEntry] = field(default_factory=list)
