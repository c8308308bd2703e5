"""Schemas of user accounts (ID-1, ID-2, ID-4, ID-7, ID-9).

A user is shown at one of two levels, told apart by ``profile``: ``full`` (everything,
to the person, their guardians, the administration) or ``brief`` (names, roles, class;
no birth date, e-mail, phone, login or external ids — what a teacher sees of others).
The field validators here are shared with the CSV roster import.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from services.common.types import StrictModel
from services.identity.external_ids.schemas import ExternalIdRef

Role = Literal["student", "teacher", "admin", "staff", "guardian"]
ROLE_NAMES: tuple[str, ...] = ("student", "teacher", "admin", "staff", "guardian")

_USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"]{1,64}@[^@\s<>()\[\],;:\"]+\.[^@\s<>()\[\],;:\"]{2,}$")
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{4,30}$")
EARLIEST_BIRTH_DATE = date(1900, 1, 1)


def check_plain_text(value: str) -> str:
    """What ``SafeStr`` checks, for types that strip and measure the text first."""
    if any(ord(ch) < 32 and ch not in "\t\n\r" for ch in value):
        raise ValueError("Строка содержит управляющие символы")
    return value


def check_username(value: str) -> str:
    if not _USERNAME.match(value):
        raise ValueError(
            "Логин: от 3 до 64 символов — латинские буквы, цифры, точка, дефис, "
            "подчёркивание; начинается с буквы или цифры"
        )
    return value


def check_email(value: str) -> str:
    check_plain_text(value)
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("Некорректный адрес электронной почты")
    return value


def check_phone(value: str) -> str:
    if not _PHONE.match(value):
        raise ValueError("Телефон: цифры, пробелы, скобки и дефисы, можно начать с +")
    return value


def check_birth_date(value: date) -> date:
    if value > date.today():
        raise ValueError("Дата рождения не может быть в будущем")
    if value < EARLIEST_BIRTH_DATE:
        raise ValueError("Дата рождения слишком ранняя")
    return value


def check_roles(value: list[str]) -> list[str]:
    unknown = [r for r in value if r not in ROLE_NAMES]
    if unknown:
        raise ValueError("Неизвестные роли: " + ", ".join(unknown))
    if not value:
        raise ValueError("Укажите хотя бы одну роль")
    return sorted(set(value))


# Constraints first, then the checks: lengths are measured after stripping.
Text100 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(check_plain_text),
]
Text300 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(check_plain_text),
]
Text500 = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(check_plain_text),
]
Username = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(check_username)]
PersonName = Text100
Email = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(check_email)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(check_phone)]
BirthDate = Annotated[date, AfterValidator(check_birth_date)]
Roles = Annotated[
    list[Role],
    Field(min_length=1, max_length=5, description="Роли: student, teacher, admin, staff, guardian"),
    AfterValidator(check_roles),
]


class ClassRef(BaseModel):
    """A class group a student belongs to."""

    id: uuid.UUID
    name: str = Field(description="Например, 7Б")
    grade: int
    letter: str
    academic_year_id: uuid.UUID
    academic_year: str = Field(description="Название учебного года, например 2026/2027")
    is_current_year: bool


class PersonBrief(BaseModel):
    """Just who a person is: for links (guardians, homeroom teacher, access log)."""

    id: uuid.UUID
    last_name: str
    first_name: str
    middle_name: str | None
    is_active: bool


class UserBrief(BaseModel):
    profile: Literal["brief"] = "brief"
    id: uuid.UUID
    last_name: str
    first_name: str
    middle_name: str | None
    roles: list[str]
    is_active: bool
    class_groups: list[ClassRef] = Field(description="Классы обучающегося по учебным годам")
    trained_for_dot: bool | None = Field(
        description="Для педагога: есть действующее обучение ЭО/ДОТ (ID-7); иначе null"
    )


class UserFull(BaseModel):
    profile: Literal["full"] = "full"
    id: uuid.UUID
    username: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date | None
    email: str | None
    phone: str | None
    roles: list[str]
    is_active: bool
    must_change_password: bool
    deactivated_at: datetime | None
    created_at: datetime
    class_groups: list[ClassRef] = Field(description="Классы обучающегося по учебным годам")
    trained_for_dot: bool | None = Field(
        description="Для педагога: есть действующее обучение ЭО/ДОТ (ID-7); иначе null"
    )
    external_ids: list[ExternalIdRef]


UserView = Annotated[UserBrief | UserFull, Field(discriminator="profile")]


class UserCreate(StrictModel):
    username: Username = Field(description="Логин: латиница, цифры, . _ -; 3–64 символа")
    last_name: PersonName
    first_name: PersonName
    middle_name: PersonName | None = None
    birth_date: BirthDate | None = None
    email: Email | None = None
    phone: Phone | None = None
    roles: Roles


_REQUIRED_ON_UPDATE = ("last_name", "first_name", "roles")


class UserUpdate(StrictModel):
    """Only the fields sent are changed; ``null`` clears an optional field."""

    last_name: PersonName | None = None
    first_name: PersonName | None = None
    middle_name: PersonName | None = None
    birth_date: BirthDate | None = None
    email: Email | None = None
    phone: Phone | None = None
    roles: Roles | None = None

    @model_validator(mode="after")
    def _required_not_null(self) -> Self:
        for name in _REQUIRED_ON_UPDATE:
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} нельзя очистить")
        return self

    def changes(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self.model_fields_set}


class UserCreated(BaseModel):
    user: UserFull
    initial_password: str = Field(
        description="Одноразовый пароль: показывается один раз, при первом входе его нужно сменить"
    )


class PasswordIssued(BaseModel):
    user_id: uuid.UUID
    username: str
    initial_password: str = Field(
        description="Новый одноразовый пароль: показывается один раз, при входе его нужно сменить"
    )
