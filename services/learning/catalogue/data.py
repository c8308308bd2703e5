"""Reference data of the catalogue (LE-4): the platforms of §5.13 and the federal list.

The platforms are the eleven resources of §5.13 of the regulation, named exactly as
written there. The regulation gives names only; the web addresses and domains below
are the platforms' public addresses, needed to recognise links into them. The last
three items of §5.13 (e-journal, cloud storage, e-mail) are kinds of resources rather
than particular sites: they have no domain, and a school adds its own e-journal or
storage as a school platform.

The federal list of approved e-resources is the one approved by the order of
04.10.2023 № 738 (§1.2). It is data, never code: an operator supplies entries (or a
later order, e.g. № 499 of 18.07.2024, which is unconfirmed) in a JSON file named by
``LEARNING_FEDERAL_LIST_PATH`` (see :func:`load_federal_list`). The built-in list has
the order and no entries: the regulation does not say which of the §5.13 platforms
the order includes, so none is marked federal until an operator's file says so.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

PlatformCategory = Literal[
    "information_system",
    "online_platform",
    "videoconferencing",
    "digital_resources",
    "e_journal",
    "cloud_services",
    "email",
]
CATEGORIES: tuple[str, ...] = PlatformCategory.__args__  # type: ignore[attr-defined]

REGULATION_CLAUSE = "§5.13"


@dataclass(frozen=True)
class PlatformSeed:
    """A platform of §5.13, as the global catalogue holds it."""

    code: str
    name: str
    category: str
    url: str | None = None
    domains: tuple[str, ...] = ()
    description: str | None = None


# §5.13, in the order of the regulation; names verbatim.
REGULATION_PLATFORMS: tuple[PlatformSeed, ...] = (
    PlatformSeed(
        code="moya_shkola",
        name="ФГИС «Моя школа»",
        category="information_system",
        url="https://myschool.edu.ru/",
        domains=("myschool.edu.ru",),
        description="Федеральная государственная информационная система (§1.9).",
    ),
    PlatformSeed(
        code="resh",
        name="Российская электронная школа",
        category="online_platform",
        url="https://resh.edu.ru/",
        domains=("resh.edu.ru",),
    ),
    PlatformSeed(
        code="uchi_ru",
        name="УЧИ.РУ",
        category="online_platform",
        url="https://uchi.ru/",
        domains=("uchi.ru",),
    ),
    PlatformSeed(
        code="globallab",
        name="ГлобалЛаб",
        category="online_platform",
        url="https://globallab.org/",
        domains=("globallab.org",),
    ),
    PlatformSeed(
        code="yaklass",
        name="ЯКласс",
        category="online_platform",
        url="https://www.yaklass.ru/",
        domains=("yaklass.ru",),
    ),
    PlatformSeed(
        code="sferum",
        name="Информационно коммуникационная образовательная платформа Сферум",
        category="videoconferencing",
        url="https://sferum.ru/",
        domains=("sferum.ru",),
        description="Консультирование в режимах онлайн и офлайн (§1.9).",
    ),
    PlatformSeed(
        code="cok_library",
        name="Библиотека цифрового образовательного контента",
        category="digital_resources",
        url="https://lib.myschool.edu.ru/",
        domains=("lib.myschool.edu.ru",),
    ),
    PlatformSeed(
        code="oblako_znaniy",
        name="Облако знаний",
        category="digital_resources",
        url="https://oblakoz.ru/",
        domains=("oblakoz.ru",),
    ),
    PlatformSeed(
        code="e_journal",
        name="электронный журнал",
        category="e_journal",
        description="Вид ресурса: конкретный электронный журнал школа добавляет в каталог сама.",
    ),
    PlatformSeed(
        code="cloud_storage",
        name="облачные хранилища информации",
        category="cloud_services",
        description="Вид ресурса: конкретное облачное хранилище школа добавляет в каталог сама.",
    ),
    PlatformSeed(
        code="email",
        name="электронная почта",
        category="email",
        description="Вид ресурса: ссылки на почтовые ящики в материалы не добавляются.",
    ),
)


# -- the federal list of approved e-resources (order № 738) ------------------------------


@dataclass(frozen=True)
class FederalOrder:
    """An order approving (a version of) the federal list."""

    number: str
    date: dt.date
    title: str
    valid_from: dt.date
    valid_to: dt.date | None = None
    confirmed: bool = True

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True)
class FederalEntry:
    """One approved e-resource: where it lives (domains) and when it is on the list."""

    code: str
    name: str
    provider: str | None
    domains: tuple[str, ...]
    order_number: str
    order_date: dt.date
    valid_from: dt.date
    valid_to: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def covers(self, domain: str) -> bool:
        """The entry covers a platform domain equal to or under one of its domains."""
        return any(domain == d or domain.endswith("." + d) for d in self.domains)


ORDER_738 = FederalOrder(
    number="№ 738",
    date=dt.date(2023, 10, 4),
    title=(
        "Об утверждении федерального перечня электронных образовательных ресурсов, "
        "допущенных к использованию при реализации имеющих государственную аккредитацию "
        "образовательных программ начального общего, основного общего, среднего общего "
        "образования"
    ),
    # The regulation gives the order's date only; the list is taken as valid from it.
    valid_from=dt.date(2023, 10, 4),
)

FEDERAL_ORDERS: tuple[FederalOrder, ...] = (ORDER_738,)
# No entries: the regulation does not say which resources the order lists.
FEDERAL_ENTRIES: tuple[FederalEntry, ...] = ()


@dataclass(frozen=True)
class FederalList:
    orders: tuple[FederalOrder, ...] = FEDERAL_ORDERS
    entries: tuple[FederalEntry, ...] = FEDERAL_ENTRIES

    def entries_for(self, domains: Iterable[str], day: dt.date) -> list[FederalEntry]:
        """The entries valid on ``day`` that cover any of the domains."""
        wanted = list(domains)
        return [e for e in self.entries if e.valid_on(day) and any(e.covers(d) for d in wanted)]


# -- the operator's file ---------------------------------------------------------------


class _OrderFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    number: str = Field(min_length=1, max_length=50)
    date: dt.date
    title: str = Field(min_length=1, max_length=1000)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    confirmed: bool = True


class _EntryFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=100)
    name: str = Field(min_length=1, max_length=500)
    provider: str | None = Field(default=None, max_length=500)
    domains: list[str] = Field(min_length=1)
    order_number: str
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class _ListFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    orders: list[_OrderFile] = []
    entries: list[_EntryFile] = []


class FederalListFileError(RuntimeError):
    """The operator's federal list file can't be used (the service refuses to start)."""


def normalise_domain(value: str) -> str:
    """A domain as compared everywhere: lower case, IDNA (punycode), no trailing dot."""
    text = value.strip().rstrip(".").lower()
    if not text or any(ch in text for ch in "/:@ ?#") or ".." in text:
        raise ValueError(f"not a domain name: {value!r}")
    try:
        return text.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise ValueError(f"not a domain name: {value!r}") from exc


def build_federal_list(
    extra_orders: Iterable[FederalOrder] = (), extra_entries: Iterable[FederalEntry] = ()
) -> FederalList:
    """The built-in list amended by an operator: orders and entries replace built-in
    ones with the same number / code."""
    orders = {o.number: o for o in FEDERAL_ORDERS}
    orders.update({o.number: o for o in extra_orders})
    entries = {e.code: e for e in FEDERAL_ENTRIES}
    entries.update({e.code: e for e in extra_entries})
    return FederalList(
        orders=tuple(sorted(orders.values(), key=lambda o: (o.date, o.number))),
        entries=tuple(sorted(entries.values(), key=lambda e: e.code)),
    )


def load_federal_list(path: Path | None) -> FederalList:
    """The federal list: built in, amended by the operator's JSON file when given.

    The file: ``{"orders": [{number, date, title, valid_from?, valid_to?, confirmed?}],
    "entries": [{code, name, provider?, domains: [...], order_number, valid_from?,
    valid_to?}]}``. An entry's dates default to its order's validity.
    """
    if path is None:
        return build_federal_list()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        parsed = _ListFile.model_validate(raw)
    except (OSError, ValueError, ValidationError) as exc:
        raise FederalListFileError(f"federal list file {path}: {exc}") from exc
    orders = {o.number: o for o in FEDERAL_ORDERS}
    for o in parsed.orders:
        orders[o.number] = FederalOrder(
            number=o.number,
            date=o.date,
            title=o.title,
            valid_from=o.valid_from or o.date,
            valid_to=o.valid_to,
            confirmed=o.confirmed,
        )
    entries: list[FederalEntry] = []
    for e in parsed.entries:
        order = orders.get(e.order_number)
        if order is None:
            raise FederalListFileError(
                f"federal list file {path}: entry {e.code!r} names unknown order {e.order_number!r}"
            )
        try:
            domains = tuple(dict.fromkeys(normalise_domain(d) for d in e.domains))
        except ValueError as exc:
            raise FederalListFileError(
                f"federal list file {path}: entry {e.code!r}: {exc}"
            ) from exc
        entries.append(
            FederalEntry(
                code=e.code,
                name=e.name,
                provider=e.provider,
                domains=domains,
                order_number=order.number,
                order_date=order.date,
                valid_from=e.valid_from or order.valid_from,
                valid_to=e.valid_to if e.valid_to is not None else order.valid_to,
            )
        )
    return build_federal_list(orders.values(), entries)
