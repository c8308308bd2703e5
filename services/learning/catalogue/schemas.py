"""Schemas of the platform catalogue and the federal list (LE-4, §5.13, §1.2)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from services.common.types import Name, SafeStr, StrictModel
from services.learning.catalogue.data import PlatformCategory, normalise_domain

PlatformScope = Literal["global", "school"]


def check_http_url(value: str) -> str:
    """An absolute http(s) address with a host and no credentials in it."""
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise ValueError("Адрес не должен содержать пробелы и управляющие символы")
    try:
        parts = urlsplit(value)
        port = parts.port  # raises on a malformed port
    except ValueError:
        raise ValueError("Адрес не распознан") from None
    del port
    if parts.scheme.lower() not in ("http", "https"):
        raise ValueError("Адрес должен начинаться с https:// или http://")
    if not parts.hostname:
        raise ValueError("В адресе нет имени сайта")
    if parts.username is not None or parts.password is not None:
        raise ValueError("Адрес не должен содержать имя пользователя или пароль")
    try:
        normalise_domain(parts.hostname)
    except ValueError:
        raise ValueError("Имя сайта в адресе недопустимо") from None
    return value


def _check_domain(value: str) -> str:
    try:
        return normalise_domain(value)
    except ValueError:
        raise ValueError(f"Недопустимое доменное имя: {value}") from None


HttpUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    AfterValidator(check_http_url),
]
Domain = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=253),
    AfterValidator(_check_domain),
]
PlatformCode = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{1,63}$"),
    Field(description="Код платформы: латиница в нижнем регистре, цифры, «_» и «-»"),
]
Description = Annotated[SafeStr, StringConstraints(max_length=2000)]


class FederalOrderRead(BaseModel):
    number: str = Field(description="Номер приказа, например «№ 738»")
    date: dt.date = Field(description="Дата приказа")
    title: str
    valid_from: dt.date = Field(description="Перечень действует с")
    valid_to: dt.date | None = Field(description="Перечень действует по (null — без срока)")
    confirmed: bool = Field(description="Сведения о приказе подтверждены оператором")
    valid: bool = Field(description="Действует на дату проверки")


class FederalEntryRead(BaseModel):
    code: str = Field(description="Код записи перечня")
    name: str = Field(description="Наименование электронного образовательного ресурса")
    provider: str | None = Field(description="Правообладатель (поставщик)")
    domains: list[str] = Field(description="Домены, на которых размещён ресурс")
    order_number: str = Field(description="Номер приказа об утверждении перечня")
    order_date: dt.date = Field(description="Дата приказа")
    valid_from: dt.date
    valid_to: dt.date | None
    valid: bool = Field(description="Запись действует на дату проверки")


class PlatformRead(BaseModel):
    id: uuid.UUID
    code: str
    name: str = Field(description="Наименование (для платформ §5.13 — как в Положении)")
    category: PlatformCategory
    url: str | None = Field(description="Адрес платформы")
    domains: list[str] = Field(description="Домены: ссылка на них или их поддомены ведёт сюда")
    description: str | None
    scope: PlatformScope = Field(
        description="global — каталог §5.13 (общий), school — платформа, добавленная школой"
    )
    source_clause: str | None = Field(description="Пункт Положения, например «§5.13»")
    position: int
    is_active: bool
    on_federal_list: bool = Field(
        description="Входит в федеральный перечень ЭОР (приказ № 738) на дату проверки"
    )
    federal_entries: list[FederalEntryRead] = Field(
        description="Действующие на дату проверки записи перечня, покрывающие домены"
    )
    checked_on: dt.date = Field(description="Дата проверки по федеральному перечню")


class PlatformBrief(BaseModel):
    """The platform a link points into, as materials show it."""

    id: uuid.UUID
    code: str
    name: str
    url: str | None
    scope: PlatformScope
    on_federal_list: bool = Field(description="Входит в федеральный перечень ЭОР сегодня")


class PlatformCreate(StrictModel):
    code: PlatformCode
    name: Name = Field(description="Наименование")
    category: PlatformCategory = Field(description="Вид ресурса (§1.6)")
    url: HttpUrl | None = Field(default=None, description="Адрес платформы")
    domains: list[Domain] = Field(
        min_length=1, max_length=20, description="Домены платформы (ссылки в материалах)"
    )
    description: Description | None = None


class PlatformUpdate(StrictModel):
    name: Name | None = None
    category: PlatformCategory | None = None
    url: HttpUrl | None = None
    domains: list[Domain] | None = Field(default=None, min_length=1, max_length=20)
    description: Description | None = None
    is_active: bool | None = Field(default=None, description="false — убрать из каталога")

    @model_validator(mode="after")
    def _required_not_null(self) -> Self:
        for name in ("name", "category", "domains", "is_active"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"Поле {name} не может быть null")
        return self


class ResolvedUrl(BaseModel):
    url: str
    host: str = Field(description="Имя сайта из адреса (в IDNA)")
    platform: PlatformRead | None = Field(description="Платформа каталога или null — вне каталога")
    on_federal_list: bool = Field(description="Платформа входит в федеральный перечень ЭОР")
