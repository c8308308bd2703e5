"""Schemas of the payloads of journal's events, documented in the contract (GW-5).

They describe what ``services/journal/*/service.py`` put into ``emit(...)``; consumers
must ignore fields they do not know (new fields may be added, none removed).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from pydantic import BaseModel, Field

from services.common.event_docs import EventPayload


class JournalMarkPayload(EventPayload):
    """Отметка выставлена, изменена или аннулирована (mark.created, mark.updated,
    mark.annulled). Изменения отметок журналируются; аннулированная остаётся в истории."""

    id: uuid.UUID = Field(description="Отметка")
    course_id: uuid.UUID = Field(description="Курс (предмет класса)")
    lesson_id: uuid.UUID | None = Field(description="Урок, если отметка за урок")
    student_id: uuid.UUID = Field(description="Ученик")
    value: str = Field(description="Значение по шкале школы, например 5 или зачёт")
    control_type: str = Field(description="Вид контроля, например current_control")
    weight: float = Field(description="Вес отметки")
    date: dt.date = Field(description="Дата отметки")
    comment: str | None = Field(description="Комментарий учителя")
    source: str = Field(description="Откуда: manual, review, quiz, csv-import …")
    status: str = Field(description="active или annulled")
    annul_reason: str | None = Field(description="Причина аннулирования")
    version: int = Field(description="Версия записи")


class JournalAttendancePayload(EventPayload):
    """Посещаемость ученика на уроке записана (attendance.recorded)."""

    id: uuid.UUID = Field(description="Запись о посещаемости")
    lesson_id: uuid.UUID = Field(description="Урок")
    course_id: uuid.UUID = Field(description="Курс")
    student_id: uuid.UUID = Field(description="Ученик")
    date: dt.date = Field(description="Дата урока")
    status: str = Field(description="absent, present, late …")
    reason: str | None = Field(description="Причина отсутствия")
    comment: str | None = Field(description="Комментарий")
    version: int = Field(description="Версия записи")


class JournalLessonRecordPayload(EventPayload):
    """Запись урока в журнале сохранена: тема, форма проведения, домашнее задание
    (lesson_record.saved)."""

    id: uuid.UUID = Field(description="Запись урока")
    lesson_id: uuid.UUID = Field(description="Урок")
    course_id: uuid.UUID = Field(description="Курс")
    date: dt.date = Field(description="Дата урока")
    topic_id: uuid.UUID | None = Field(description="Тема КТП")
    topic_title: str = Field(description="Тема урока")
    delivery_form: str = Field(description="Фактическая форма проведения")
    planned_delivery_form: str = Field(description="Запланированная форма")
    held_as_planned: bool = Field(description="Проведён ли урок в запланированной форме")
    homework: str | None = Field(description="Домашнее задание")
    version: int = Field(description="Версия записи")


class JournalTermMarkPayload(EventPayload):
    """Итоговая отметка за период или год выставлена (term_mark.set)."""

    id: uuid.UUID = Field(description="Итоговая отметка")
    course_id: uuid.UUID = Field(description="Курс")
    student_id: uuid.UUID = Field(description="Ученик")
    period_id: uuid.UUID | None = Field(description="Период; пусто — годовая")
    academic_year_id: uuid.UUID = Field(description="Учебный год")
    value: str = Field(description="Значение")
    average: float | None = Field(description="Среднее текущих отметок")
    weighted_average: float | None = Field(description="Средневзвешенное")
    version: int = Field(description="Версия записи")


class JournalPortfolioItemPayload(EventPayload):
    """Запись портфолио создана, подтверждена или отклонена (portfolio_item.created,
    portfolio_item.confirmed, portfolio_item.rejected)."""

    id: uuid.UUID = Field(description="Запись портфолио")
    student_id: uuid.UUID = Field(description="Ученик")
    kind: str = Field(description="Вид достижения")
    title: str = Field(description="Название")
    description: str | None = Field(description="Описание")
    occurred_on: dt.date | None = Field(description="Дата")
    details: dict[str, Any] | None = Field(description="Подробности по виду достижения")
    evidence_url: str | None = Field(description="Ссылка на подтверждение")
    status: str = Field(description="proposed, confirmed или rejected")
    source: str = Field(description="Откуда запись")
    created_by: uuid.UUID | None = Field(description="Кто создал")
    decided_by: uuid.UUID | None = Field(description="Кто подтвердил или отклонил")
    decided_at: dt.datetime | None = Field(description="Когда решено")
    reject_reason: str | None = Field(description="Причина отклонения")


class JournalYearClosedPayload(EventPayload):
    """Учебный год закрыт: журнал заархивирован и доступен только для чтения
    (academic_year.closed)."""

    academic_year_id: uuid.UUID = Field(description="Учебный год")
    name: str = Field(description="Название года")
    starts_on: dt.date = Field(description="Начало")
    ends_on: dt.date = Field(description="Окончание")
    generation: int = Field(description="Номер закрытия (после переоткрытия растёт)")
    closed_at: dt.datetime | None = Field(description="Когда закрыт")
    closed_by: uuid.UUID = Field(description="Кто закрыл")
    reason: str | None = Field(description="Основание")
    files: int = Field(description="Файлов в архиве")
    manifest_sha256: str = Field(description="SHA-256 описи архива")


class JournalYearReopenedPayload(EventPayload):
    """Закрытый учебный год переоткрыт по приказу (academic_year.reopened)."""

    academic_year_id: uuid.UUID = Field(description="Учебный год")
    generation: int = Field(description="Номер закрытия, которое отменено")
    order_number: str | None = Field(description="Номер приказа")
    order_date: dt.date = Field(description="Дата приказа")
    reason: str | None = Field(description="Основание")
    reopened_by: uuid.UUID = Field(description="Кто переоткрыл")


EVENT_PAYLOADS: dict[str, type[BaseModel]] = {
    "mark.created": JournalMarkPayload,
    "mark.updated": JournalMarkPayload,
    "mark.annulled": JournalMarkPayload,
    "attendance.recorded": JournalAttendancePayload,
    "lesson_record.saved": JournalLessonRecordPayload,
    "term_mark.set": JournalTermMarkPayload,
    "portfolio_item.created": JournalPortfolioItemPayload,
    "portfolio_item.confirmed": JournalPortfolioItemPayload,
    "portfolio_item.rejected": JournalPortfolioItemPayload,
    "academic_year.closed": JournalYearClosedPayload,
    "academic_year.reopened": JournalYearReopenedPayload,
}
