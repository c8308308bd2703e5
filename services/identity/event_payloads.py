"""Schemas of the payloads of identity's events, documented in the contract (GW-5).

They describe what ``services/identity/*/service.py`` put into ``emit(...)``; consumers
must ignore fields they do not know (new fields may be added, none removed).
"""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from services.common.event_docs import EventPayload


class IdentityPersonName(EventPayload):
    last_name: str = Field(description="Фамилия")
    first_name: str = Field(description="Имя")
    middle_name: str | None = Field(description="Отчество")


class IdentitySchoolPayload(EventPayload):
    """Школа создана или изменена (school.created, school.updated)."""

    id: uuid.UUID = Field(description="Школа")
    name: str = Field(description="Полное наименование")
    short_name: str = Field(description="Краткое наименование")
    timezone: str = Field(description="Часовой пояс школы (IANA), например Europe/Samara")
    region: str | None = Field(description="Регион")


class IdentityAcademicYearPayload(EventPayload):
    """Учебный год создан или изменён (academic_year.created, academic_year.updated)."""

    id: uuid.UUID = Field(description="Учебный год")
    name: str = Field(description="Название, например 2026/2027")
    starts_on: date = Field(description="Начало")
    ends_on: date = Field(description="Окончание")
    is_current: bool = Field(description="Текущий ли год")


class IdentityUserClassGroup(EventPayload):
    id: uuid.UUID = Field(description="Класс")
    name: str = Field(description="Название, например 7Б")
    grade: int = Field(description="Параллель")
    letter: str = Field(description="Литера")
    academic_year_id: uuid.UUID = Field(description="Учебный год")
    academic_year: str = Field(description="Название учебного года")
    is_current_year: bool = Field(description="Класс текущего учебного года")


class IdentityUserPayload(EventPayload):
    """Участник создан, изменён, отключён или снова включён (user.created, user.updated,
    user.deactivated, user.reactivated). Контактные данные в события не входят."""

    id: uuid.UUID = Field(description="Участник")
    username: str = Field(description="Логин")
    last_name: str = Field(description="Фамилия")
    first_name: str = Field(description="Имя")
    middle_name: str | None = Field(description="Отчество")
    roles: list[str] = Field(description="Роли: student, teacher, admin, staff, guardian")
    is_active: bool = Field(description="Может ли входить")
    class_groups: list[IdentityUserClassGroup] = Field(description="Классы ученика")
    birth_date: date | None = Field(default=None, description="Дата рождения (только у учеников)")
    trained_for_dot: bool | None = Field(
        default=None, description="Прошёл ли учитель обучение работе с ЭО и ДОТ (только у учителей)"
    )


class IdentityClassGroupPayload(EventPayload):
    """Класс создан или изменён (class_group.created, class_group.updated)."""

    id: uuid.UUID = Field(description="Класс")
    name: str = Field(description="Название, например 7Б")
    grade: int = Field(description="Параллель")
    letter: str = Field(description="Литера")
    level: str = Field(description="Уровень образования (НОО, ООО, СОО)")
    academic_year_id: uuid.UUID = Field(description="Учебный год")
    academic_year: str = Field(description="Название учебного года")
    is_current_year: bool = Field(description="Класс текущего учебного года")
    homeroom_teacher_id: uuid.UUID | None = Field(description="Классный руководитель")
    homeroom_teacher: IdentityPersonName | None = Field(description="ФИО классного руководителя")


class IdentityClassMembershipPayload(EventPayload):
    """Ученик зачислен в класс или выбыл из него (class_membership.added,
    class_membership.removed)."""

    id: uuid.UUID = Field(description="Членство в классе")
    class_group_id: uuid.UUID = Field(description="Класс")
    class_name: str = Field(description="Название класса")
    grade: int = Field(description="Параллель")
    letter: str = Field(description="Литера")
    academic_year_id: uuid.UUID = Field(description="Учебный год")
    academic_year: str = Field(description="Название учебного года")
    is_current_year: bool = Field(description="Класс текущего учебного года")
    student_id: uuid.UUID = Field(description="Ученик")
    student: IdentityPersonName = Field(description="ФИО ученика")


class IdentityGuardianshipPayload(EventPayload):
    """Связь родителя (законного представителя) и ребёнка создана или удалена
    (guardianship.created, guardianship.removed)."""

    id: uuid.UUID = Field(description="Связь")
    guardian_id: uuid.UUID = Field(description="Родитель (законный представитель)")
    student_id: uuid.UUID = Field(description="Ребёнок")
    relation: str = Field(description="Кем приходится, например мать")
    guardian: IdentityPersonName = Field(description="ФИО родителя")
    student: IdentityPersonName = Field(description="ФИО ребёнка")


class IdentityTeacherTrainingPayload(EventPayload):
    """Записано обучение учителя работе с ЭО и ДОТ (teacher_training.recorded)."""

    id: uuid.UUID = Field(description="Запись об обучении")
    teacher_id: uuid.UUID = Field(description="Учитель")
    teacher: IdentityPersonName = Field(description="ФИО учителя")
    program: str = Field(description="Программа")
    provider: str = Field(description="Организация")
    hours: int = Field(description="Объём, часов")
    completed_on: date = Field(description="Дата окончания")
    valid_until: date | None = Field(description="Действует до")
    trained_for_dot: bool = Field(description="Обучен ли учитель теперь (с учётом срока)")


class IdentityExternalIdPayload(EventPayload):
    """Внешний идентификатор назначен или снят (external_id.set, external_id.removed)."""

    id: uuid.UUID = Field(description="Запись о внешнем идентификаторе")
    entity_type: str = Field(description="Вид объекта: user, class_group, school …")
    entity_id: uuid.UUID = Field(description="Объект платформы")
    system: str = Field(description="Внешняя система: moya_shkola, sferum, esia, regional")
    value: str = Field(description="Идентификатор во внешней системе")


EVENT_PAYLOADS: dict[str, type[BaseModel]] = {
    "school.created": IdentitySchoolPayload,
    "school.updated": IdentitySchoolPayload,
    "academic_year.created": IdentityAcademicYearPayload,
    "academic_year.updated": IdentityAcademicYearPayload,
    "user.created": IdentityUserPayload,
    "user.updated": IdentityUserPayload,
    "user.deactivated": IdentityUserPayload,
    "user.reactivated": IdentityUserPayload,
    "class_group.created": IdentityClassGroupPayload,
    "class_group.updated": IdentityClassGroupPayload,
    "class_membership.added": IdentityClassMembershipPayload,
    "class_membership.removed": IdentityClassMembershipPayload,
    "guardianship.created": IdentityGuardianshipPayload,
    "guardianship.removed": IdentityGuardianshipPayload,
    "teacher_training.recorded": IdentityTeacherTrainingPayload,
    "external_id.set": IdentityExternalIdPayload,
    "external_id.removed": IdentityExternalIdPayload,
}
