"""The shape of the composed "today" view (GW-4), as pydantic models.

The view is built from these models (so what the gateway sends is what the contract
says) and their JSON schema goes into the gateway's part of the merged OpenAPI
document (:func:`gateway.openapi.gateway_spec`).

Every part of the view is a *section* with a ``status``: ``ok``; ``unavailable`` — the
service that owns the part is down, failed or did not answer within the time budget
(``detail`` says which, in Russian); ``error`` — the service refused (for example the
caller may not see it), ``detail`` is its message. ``partial`` at the top is true when
any section is not ``ok``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal

from pydantic import BaseModel, Field

SectionStatus = Literal["ok", "unavailable", "error"]
_STATUS_DOC = (
    "ok — данные получены; unavailable — сервис недоступен, ответил ошибкой или не уложился "
    "в отведённое время; error — сервис отказал (причина в detail)"
)


class TodaySection(BaseModel):
    status: SectionStatus = Field(description=_STATUS_DOC)
    service: str = Field(description="Сервис, из которого берётся эта часть")
    detail: str | None = Field(default=None, description="Почему части нет (по-русски)")


class TodayPerson(BaseModel):
    id: uuid.UUID
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None


class TodayLesson(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    subject: str
    class_name: str | None = Field(description="Класс, например 7Б")
    date: dt.date
    starts_at: str = Field(description="Начало по времени школы, ЧЧ:ММ")
    duration_minutes: int
    lesson_number: int | None
    status: str = Field(description="scheduled или cancelled")
    cancel_reason: str | None
    topic: str | None = Field(description="Тема урока из плана")
    organisational_form: str = Field(description="Организационная форма (§1.7)")
    delivery_form: str = Field(description="in_person — очно, e_learning — ЭО, distance — ДОТ")
    support_mode: str | None
    room: str | None = Field(description="Кабинет")
    video_room_url: str | None = Field(description="Ссылка на видеокомнату")
    alternative: str | None = Field(
        description="Очная или бумажная альтернатива для отказавшихся от ЭО/ДОТ (LE-12)"
    )
    homework: str | None
    screen_minutes: int = Field(description="Плановые минуты работы с ЭСО")
    teacher: str | None = Field(description="Кто проводит урок (с учётом замены)")


class TodayLessonsSection(TodaySection):
    items: list[TodayLesson] = Field(default_factory=list, description="Уроки дня по времени")


class TodayAssignment(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    subject: str
    title: str
    lesson_id: uuid.UUID | None
    due_at: dt.datetime = Field(description="Срок сдачи (UTC)")
    due_local: dt.datetime = Field(description="Срок сдачи по времени школы")
    delivery_form: str
    alternative: str | None = Field(description="Альтернатива для отказавшихся от ДОТ")
    expected_screen_minutes: int = Field(description="Ожидаемые минуты работы с ЭСО")
    submitted: bool = Field(description="Работа сдана (хотя бы одна версия)")
    late: bool | None = Field(description="Последняя версия сдана после срока")
    review_status: str | None = Field(
        description="accepted — принята, returned — возвращена на доработку, null — не проверена"
    )


class TodayAssignmentsSection(TodaySection):
    due_from: dt.date | None = Field(default=None, description="Сроки с этой даты")
    due_to: dt.date | None = Field(default=None, description="Сроки по эту дату")
    items: list[TodayAssignment] = Field(
        default_factory=list, description="Задания со сроком в этом окне, ближайшие первыми"
    )


class TodayMark(BaseModel):
    id: uuid.UUID
    course_id: uuid.UUID
    subject: str | None = Field(description="Предмет (если сервис learning ответил)")
    lesson_id: uuid.UUID | None
    value: str
    control_type: str
    weight: float
    date: dt.date = Field(description="Дата отметки")
    comment: str | None = Field(description="Комментарий педагога (отзыв)")
    source: str = Field(description="Откуда отметка: журнал, проверка работы, тест")
    created_at: dt.datetime
    updated_at: dt.datetime


class TodayMarksSection(TodaySection):
    since: dt.datetime | None = Field(default=None, description="Отметки с этого момента")
    items: list[TodayMark] = Field(
        default_factory=list, description="Отметки и отзывы, выставленные или изменённые с since"
    )


class TodayScreenLimit(BaseModel):
    measure: str = Field(
        description="daily_school — в школе, daily_home — дома (включая досуг), "
        "combined_daily — все ЭСО за день (лимит школы)"
    )
    device: str = Field(description="Тип ЭСО или all")
    used_minutes: int
    limit_minutes: int
    left_minutes: int = Field(description="Осталось до нормы, минут (не меньше 0)")
    percent: int = Field(description="Доля нормы, %")
    clause: str = Field(description="Пункт источника нормы")


class TodayScreenUsage(BaseModel):
    device: str
    context: str = Field(description="school — в школе, home — дома")
    minutes: int


class TodayScreenTimeSection(TodaySection):
    used_minutes: int | None = Field(default=None, description="Использовано сегодня, минут")
    left_minutes: int | None = Field(
        default=None,
        description="Осталось сегодня до ближайшей дневной нормы, минут (null — норм нет)",
    )
    usage: list[TodayScreenUsage] = Field(
        default_factory=list, description="Время по типам ЭСО и месту"
    )
    limits: list[TodayScreenLimit] = Field(
        default_factory=list, description="Дневные нормы и сколько до каждой осталось"
    )


class TodayStudentSections(BaseModel):
    lessons: TodayLessonsSection
    assignments: TodayAssignmentsSection
    marks: TodayMarksSection
    screen_time: TodayScreenTimeSection


class TodayStudentBlock(BaseModel):
    student: TodayPerson
    sections: TodayStudentSections


class TodayGuardianBlock(TodaySection):
    children: list[TodayStudentBlock] = Field(
        default_factory=list, description="По одному блоку на каждого связанного ребёнка"
    )


class TodayWorkToReview(BaseModel):
    submission_id: uuid.UUID
    assignment_id: uuid.UUID
    assignment_title: str
    course_id: uuid.UUID
    subject: str
    student_id: uuid.UUID
    student_name: str | None
    received_at: dt.datetime
    received_local: dt.datetime = Field(description="Когда получена, по времени школы")
    review_due_at: dt.datetime
    review_due_local: dt.datetime = Field(description="Проверить до (Рег. §2.3)")
    state: str = Field(description="pending — срок не наступил, unreviewed — срок прошёл")


class TodayReviewsSection(TodaySection):
    items: list[TodayWorkToReview] = Field(
        default_factory=list,
        description="Работы, полученные сегодня и вчера и ещё не проверенные, по сроку проверки",
    )


class TodayPlanViolation(BaseModel):
    message: str
    clause: str = Field(description="Пункт источника нормы")
    set_code: str
    severity: str = Field(description="block — блокирует публикацию, warn — предупреждение")
    device: str | None
    limit: int
    actual: int


class TodayPlanWarning(BaseModel):
    lesson_id: uuid.UUID
    subject: str
    class_name: str | None
    starts_at: str
    check_id: uuid.UUID | None = Field(description="Проверка в истории сервиса compliance")
    status: str = Field(
        description="warnings — опубликован с предупреждениями; warned или blocked — итог "
        "проверки сейчас; not_checked — проверить не удалось (причина в detail части)"
    )
    blocking: bool
    violations: list[TodayPlanViolation]


class TodayComplianceSection(TodaySection):
    checked_lessons: int = Field(default=0, description="Сколько уроков с ЭСО или ДОТ проверено")
    items: list[TodayPlanWarning] = Field(
        default_factory=list,
        description="Уроки дня с нарушениями норм ЭСО или не проверенные по ним",
    )


class TodayTeacherSections(BaseModel):
    lessons: TodayLessonsSection
    reviews: TodayReviewsSection
    compliance: TodayComplianceSection


class TodayTeacherBlock(BaseModel):
    teacher: TodayPerson
    sections: TodayTeacherSections


class TodayView(BaseModel):
    """«Сегодня»: всё для главного экрана одним запросом."""

    date: dt.date = Field(description="День по календарю школы")
    timezone: str = Field(description="Часовой пояс школы (IANA)")
    generated_at: dt.datetime
    since: dt.datetime = Field(description="С какого момента показаны новые отметки")
    partial: bool = Field(description="Какая-то часть не получена (см. status частей)")
    unavailable_services: list[str] = Field(
        description="Сервисы, которые не ответили или ответили ошибкой"
    )
    student: TodayStudentBlock | None = Field(description="Для обучающегося: его день")
    guardian: TodayGuardianBlock | None = Field(description="Для родителя: день каждого ребёнка")
    teacher: TodayTeacherBlock | None = Field(description="Для педагога: его день")


def openapi_schemas() -> dict[str, Any]:
    """Component schemas of the view (``#/components/schemas/<Name>``)."""
    schema = TodayView.model_json_schema(ref_template="#/components/schemas/{model}")
    defs: dict[str, Any] = schema.pop("$defs", {})
    return {"TodayView": schema, **defs}
