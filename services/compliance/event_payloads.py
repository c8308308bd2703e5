"""Schemas of the payloads of compliance's events, documented in the contract (GW-5).

They describe what ``services/compliance/*`` put into ``emit(...)``: the deadline rules
(``deadlines/rules.py``), the norms (``norms/service.py``), the opt-outs
(``optouts/service.py``, consumed by learning: ``services/learning/optouts/feed.py``),
the screen-time alerts (``screen_time/alerts.py``) and attestation
(``attestation/service.py``, ``attestation/identification.py``); consumers must ignore
fields they do not know (new fields may be added, none removed).
"""

from __future__ import annotations

import datetime as dt
import uuid

from pydantic import BaseModel, Field

from services.common.event_docs import EventPayload

# -- publication deadlines ------------------------------------------------------------------


class ComplianceNoticePayload(EventPayload):
    """Сведения для публикации на сайте школы созданы, изменены, опубликованы или удалены
    (compliance_notice.created, compliance_notice.updated, compliance_notice.published,
    compliance_notice.deleted). Событие несёт сведения целиком; при пересчёте сроков
    (изменились календарь или настройка школы) тоже приходит compliance_notice.updated."""

    id: uuid.UUID = Field(description="Сведения для публикации")
    school_id: uuid.UUID = Field(description="Школа")
    kind: str = Field(
        description="Вид: dot_decision_next_year — решение о применении ЭО и ДОТ в следующем "
        "учебном году (§4.5), distance_only_program_info — сведения о программах только с ЭО "
        "и ДОТ (§4.6)"
    )
    title: str = Field(description="Название")
    decision_or_change_date: dt.date = Field(description="Дата решения или изменения")
    academic_year: str | None = Field(description="Учебный год решения, например 2026/2027")
    local_act_number: str | None = Field(description="Номер локального акта")
    notes: str | None = Field(description="Примечания")
    url: str | None = Field(description="Адрес страницы на сайте школы")
    published_on: dt.date | None = Field(description="Дата публикации; пусто — не опубликовано")
    deadline: dt.date = Field(description="Последний день срока публикации")
    due_soon_from: dt.date = Field(description="С какого дня срок считается подходящим")
    legal_basis: str = Field(description="Основание срока (пункт Положения, закон)")
    published_on_time: bool | None = Field(
        description="Опубликовано ли в срок; пусто — ещё не опубликовано"
    )
    changed: list[str] | None = Field(
        default=None,
        description="Изменившиеся поля (только в compliance_notice.updated)",
    )


# -- screen-device norms --------------------------------------------------------------------


class ComplianceNormRule(EventPayload):
    id: str = Field(description="Идентификатор правила")
    measure: str = Field(
        description="Что ограничивается: per_lesson, daily_school, daily_home, continuous, "
        "continuous_copying, lesson_duration, combined_daily"
    )
    device: str | None = Field(description="Тип ЭСО, если правило о нём")
    band_kind: str = Field(description="grade — классы, age — возраст дошкольников")
    band_from: int = Field(description="Начало диапазона классов или возраста")
    band_to: int = Field(description="Конец диапазона классов или возраста")
    band_label: str = Field(description="Диапазон словами")
    hour: int | None = Field(description="Для continuous: 1 — первый час занятий, 2 — второй")
    delivery_forms: list[str] | None = Field(
        description="Только для этих форм проведения: in_person, e_learning, distance"
    )
    limit_minutes: int = Field(description="Предел, минут")
    warn_above_minutes: int | None = Field(description="Мягкий порог, минут")
    severity: str = Field(description="block — блокирует публикацию, warn — предупреждение")
    clause: str = Field(description="Пункт локального акта школы")


class ComplianceNormRuleSetVersionPayload(EventPayload):
    """Версия набора норм школы создана или выведена из действия
    (norm_rule_set.version_created, norm_rule_set.version_retired). Событие несёт версию
    целиком, с правилами."""

    school_id: uuid.UUID = Field(description="Школа")
    rule_set_id: uuid.UUID = Field(description="Набор норм")
    id: uuid.UUID = Field(description="Версия набора")
    code: str = Field(description="Код набора")
    version: int = Field(description="Номер версии")
    kind: str = Field(description="Вид набора: school — набор школы")
    title: str = Field(description="Название набора")
    source: str = Field(description="Документ школы: приказ, номер, дата")
    status: str = Field(description="active или retired")
    effective_from: dt.date = Field(description="Действует с")
    effective_to: dt.date | None = Field(description="Действует по (включительно)")
    note: str | None = Field(description="Примечание")
    built_in: bool = Field(description="Встроенный ли набор (для наборов школы — нет)")
    rule_count: int = Field(description="Число правил")
    created_at: dt.datetime = Field(description="Когда создана")
    retired_at: dt.datetime | None = Field(description="Когда выведена из действия")
    retire_reason: str | None = Field(description="Основание вывода из действия")
    rules: list[ComplianceNormRule] = Field(description="Правила версии")


class ComplianceNormSettingsPayload(EventPayload):
    """Настройки норм школы изменены (norm_settings.updated)."""

    school_id: uuid.UUID = Field(description="Школа")
    violation_mode: str = Field(
        description="block — нарушение блокирует публикацию в learning, warn — только предупреждает"
    )
    combined_daily_limit_enabled: bool = Field(
        description="Включён ли суммарный дневной лимит по всем ЭСО"
    )
    combined_daily_limit_minutes: int | None = Field(description="Суммарный дневной лимит, минут")
    revision: int = Field(description="Номер редакции настроек")
    updated_at: dt.datetime = Field(description="Когда изменены")
    updated_by: uuid.UUID = Field(description="Кто изменил")


# -- opt-outs -------------------------------------------------------------------------------


class ComplianceOptOutDocument(EventPayload):
    number: str | None = Field(description="Номер заявления")
    date: dt.date = Field(description="Дата заявления")


class ComplianceOptOutRegistration(EventPayload):
    number: str = Field(description="Номер регистрации в журнале входящих документов школы")
    date: dt.date = Field(description="Дата регистрации")
    registered_by: uuid.UUID | None = Field(description="Кто зарегистрировал")


class ComplianceOptOutPayload(EventPayload):
    """Заявление об отказе от ЭО и ДОТ (§3.9) подано, зарегистрировано или отозвано
    (optout.submitted, optout.registered, optout.withdrawn). Событие несёт заявление
    целиком: по нему learning обеспечивает отказ, не обращаясь к compliance; более старая
    версия не отменяет более новую."""

    id: uuid.UUID = Field(description="Заявление")
    student_id: uuid.UUID = Field(description="Обучающийся")
    student_name: str = Field(description="ФИО обучающегося (пусто, если неизвестно)")
    class_group_id: uuid.UUID = Field(description="Класс обучающегося на дату подачи")
    class_group_ids: list[uuid.UUID] = Field(description="Классы, к которым относится отказ")
    class_name: str | None = Field(description="Название класса")
    grade: int = Field(description="Параллель (5–11)")
    level: str = Field(description="Уровень образования: basic или secondary")
    course_ids: list[uuid.UUID] | None = Field(
        description="Курсы, от ЭО и ДОТ по которым отказ; пусто — вся программа класса"
    )
    status: str = Field(description="submitted, registered или withdrawn")
    filed_by: uuid.UUID = Field(description="Кто подал")
    filed_by_role: str = Field(description="guardian — родитель, student — сам обучающийся")
    filed_on: dt.date = Field(description="Дата подачи")
    document: ComplianceOptOutDocument = Field(description="Заявление как документ")
    registration: ComplianceOptOutRegistration | None = Field(
        description="Регистрация школой; пусто — не зарегистрировано"
    )
    effective_from: dt.date | None = Field(description="Действует с (задаётся при регистрации)")
    effective_to: dt.date | None = Field(description="Действует по (задаётся при отзыве)")
    legal_basis: str = Field(description="Основание: пункт Положения")
    version: int = Field(description="Версия заявления")


# -- screen time ----------------------------------------------------------------------------


class ComplianceScreenTimeAlertPayload(EventPayload):
    """Обучающийся использовал 80 % или 100 % дневной нормы работы с ЭСО
    (screen_time.alert). Одно оповещение на ученика, день, устройство, норму и порог."""

    id: uuid.UUID = Field(description="Оповещение")
    school_id: uuid.UUID = Field(description="Школа")
    student_id: uuid.UUID = Field(description="Обучающийся")
    student_name: str | None = Field(description="ФИО обучающегося")
    class_group_id: uuid.UUID | None = Field(description="Класс, по которому выбраны нормы")
    class_name: str | None = Field(description="Название класса")
    grade: int | None = Field(description="Параллель")
    date: dt.date = Field(description="День")
    device: str = Field(description="Тип ЭСО; all — все ЭСО вместе")
    device_name: str = Field(description="Тип ЭСО словами")
    measure: str = Field(description="Норма: daily_school, daily_home или combined_daily")
    context: str = Field(description="Где: school — в школе, home — дома, all — за день всего")
    threshold: int = Field(description="Достигнутый порог, %: 80 или 100")
    used_minutes: int = Field(description="Использовано, минут")
    limit_minutes: int = Field(description="Норма, минут")
    rule_id: str = Field(description="Правило")
    set_code: str = Field(description="Код набора норм")
    set_version: int = Field(description="Версия набора норм")
    clause: str = Field(description="Пункт источника нормы")
    created_at: dt.datetime = Field(description="Когда поднято")


# -- attestation ----------------------------------------------------------------------------


class ComplianceAttestationEventPayload(EventPayload):
    """Мероприятие аттестации с применением ЭО и ДОТ создано или изменено
    (attestation_event.created, attestation_event.updated)."""

    id: uuid.UUID = Field(description="Мероприятие")
    title: str = Field(description="Название")
    kind: str = Field(
        description="current_control — текущий контроль, interim_attestation — промежуточная "
        "аттестация, final_attestation — итоговая аттестация"
    )
    course_id: uuid.UUID | None = Field(description="Курс; пусто — мероприятие класса")
    class_group_id: uuid.UUID = Field(description="Класс")
    subject: str | None = Field(description="Предмет курса")
    held_on: dt.date = Field(description="Дата проведения")
    starts_at: str | None = Field(description="Время начала по времени школы, ЧЧ:ММ")
    duration_minutes: int | None = Field(description="Продолжительность, минут")
    local_act_number: str = Field(description="Номер локального акта (§4.7)")
    local_act_date: dt.date = Field(description="Дата локального акта")
    identification_method: str = Field(
        description="Способ идентификации: password_reauth, one_time_code или proctor"
    )
    condition_control: str = Field(description="Как контролируются условия проведения (§4.8)")
    technical_problems_procedure: str = Field(
        description="Порядок действий при технических проблемах (§4.8)"
    )
    results_location: str = Field(description="Где обучающиеся увидят результаты (§4.8)")
    version: int = Field(description="Версия записи")
    changed: list[str] | None = Field(
        default=None,
        description="Изменившиеся поля (только в attestation_event.updated)",
    )


class ComplianceAttestationInformingPayload(EventPayload):
    """Записано информирование обучающихся о порядке аттестации и о том, где будут
    результаты (attestation_informing.recorded)."""

    id: uuid.UUID = Field(description="Запись об информировании")
    event_id: uuid.UUID = Field(description="Мероприятие")
    informed_on: dt.date = Field(description="Когда проинформированы")
    channel: str = Field(
        description="Как: diary, email, class_meeting, website, messenger, paper, other"
    )
    description: str = Field(description="Описание")
    recorded_by: uuid.UUID = Field(description="Кто записал")


class ComplianceAttestationIdentificationPayload(EventPayload):
    """Обучающийся идентифицирован перед мероприятием аттестации
    (attestation_identification.recorded)."""

    id: uuid.UUID = Field(description="Запись об идентификации")
    event_id: uuid.UUID = Field(description="Мероприятие")
    course_id: uuid.UUID | None = Field(description="Курс мероприятия")
    class_group_id: uuid.UUID = Field(description="Класс мероприятия")
    student_id: uuid.UUID = Field(description="Обучающийся")
    method: str = Field(description="Способ: password_reauth, one_time_code или proctor")
    identified_at: dt.datetime = Field(description="Когда идентифицирован")
    identified_by: uuid.UUID = Field(
        description="Кто идентифицировал: выдавший код, проктор или сам обучающийся"
    )
    recorded_by: uuid.UUID = Field(description="Кто записал")


class ComplianceAttestationViolationPayload(EventPayload):
    """Записано нарушение условий проведения аттестации (attestation_violation.recorded)."""

    id: uuid.UUID = Field(description="Нарушение")
    event_id: uuid.UUID = Field(description="Мероприятие")
    student_id: uuid.UUID | None = Field(description="Обучающийся, если нарушение его")
    occurred_at: dt.datetime = Field(description="Когда произошло")
    kind: str = Field(description="Вид нарушения, например extraneous_person")
    description: str = Field(description="Что произошло")
    evidence_url: str | None = Field(description="Ссылка на доказательство")
    evidence_text: str | None = Field(description="Доказательство текстом")
    recorded_by: uuid.UUID = Field(description="Кто записал")


class ComplianceAttestationIncidentPayload(EventPayload):
    """Техническая проблема при аттестации записана или изменён её итог
    (attestation_incident.recorded, attestation_incident.updated)."""

    id: uuid.UUID = Field(description="Техническая проблема")
    event_id: uuid.UUID = Field(description="Мероприятие")
    student_id: uuid.UUID | None = Field(description="Обучающийся, если проблема у него")
    occurred_at: dt.datetime = Field(description="Когда произошла")
    kind: str = Field(
        description="Вид: connection_lost, platform_failure, device_failure, power_outage, other"
    )
    description: str = Field(description="Что произошло")
    outcome: str = Field(
        description="Итог: pending, continued, time_extended, retake_scheduled, cancelled"
    )
    retake_on: dt.date | None = Field(description="Дата пересдачи")
    outcome_note: str | None = Field(description="Пояснение к итогу")
    recorded_by: uuid.UUID = Field(description="Кто записал")


EVENT_PAYLOADS: dict[str, type[BaseModel]] = {
    "compliance_notice.created": ComplianceNoticePayload,
    "compliance_notice.updated": ComplianceNoticePayload,
    "compliance_notice.published": ComplianceNoticePayload,
    "compliance_notice.deleted": ComplianceNoticePayload,
    "norm_rule_set.version_created": ComplianceNormRuleSetVersionPayload,
    "norm_rule_set.version_retired": ComplianceNormRuleSetVersionPayload,
    "norm_settings.updated": ComplianceNormSettingsPayload,
    "optout.submitted": ComplianceOptOutPayload,
    "optout.registered": ComplianceOptOutPayload,
    "optout.withdrawn": ComplianceOptOutPayload,
    "screen_time.alert": ComplianceScreenTimeAlertPayload,
    "attestation_event.created": ComplianceAttestationEventPayload,
    "attestation_event.updated": ComplianceAttestationEventPayload,
    "attestation_informing.recorded": ComplianceAttestationInformingPayload,
    "attestation_identification.recorded": ComplianceAttestationIdentificationPayload,
    "attestation_violation.recorded": ComplianceAttestationViolationPayload,
    "attestation_incident.recorded": ComplianceAttestationIncidentPayload,
    "attestation_incident.updated": ComplianceAttestationIncidentPayload,
}
