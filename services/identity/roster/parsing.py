"""Reading and checking a CSV roster file row by row (ID-1 … ID-4, ID-9).

Everything here is pure: decoding, the separator, the header, each row's fields.
Checks against the database (logins taken, classes, children) are in ``service``.
The format is documented in ``docs/csv-roster-format.md``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from services.common.errors import PayloadTooLarge, ProblemError
from services.identity.external_ids.schemas import EXTERNAL_SYSTEMS
from services.identity.roster.schemas import COLUMNS, REQUIRED_COLUMNS, RosterError
from services.identity.users.schemas import (
    check_birth_date,
    check_email,
    check_roles,
    check_username,
)

# Enough to fix a file in one go without an enormous answer.
MAX_REPORTED_ERRORS = 1000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RU_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_CLASS = re.compile(r"^(\d{1,2})\s*([А-ЯЁа-яё])$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class RosterInvalid(ProblemError):
    status, code, title = 422, "roster-invalid", "Ошибка проверки данных"

    def __init__(self, errors: Sequence[RosterError]) -> None:
        shown = list(errors)[:MAX_REPORTED_ERRORS]
        lines = sorted({e.line for e in errors})
        super().__init__(
            f"Файл не загружен: ошибок {len(errors)} в строках "
            + ", ".join(str(n) for n in lines[:20])
            + (" …" if len(lines) > 20 else "")
            + "; ничего не сохранено",
            extra={
                "errors": [e.model_dump() for e in shown],
                "errors_total": len(errors),
            },
        )


@dataclass
class Row:
    line: int
    username: str = ""
    last_name: str = ""
    first_name: str = ""
    middle_name: str | None = None
    birth_date: date | None = None
    email: str | None = None
    roles: list[str] = field(default_factory=list)
    class_name: str | None = None
    guardian_of: list[str] = field(default_factory=list)
    external_system: str | None = None
    external_id: str | None = None
    # every (system, value) of the row: the pair columns and the per-system columns
    externals: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Errors:
    items: list[RosterError] = field(default_factory=list)

    def add(self, line: int, column: str, message: str, code: str = "invalid-value") -> None:
        self.items.append(RosterError(line=line, field=column, message=message, code=code))

    def __bool__(self) -> bool:
        return bool(self.items)


# -- reading the file -------------------------------------------------------------------


def decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RosterInvalid(
            [
                RosterError(
                    line=line,
                    field="file",
                    message="Файл не в кодировке UTF-8: сохраните его как «CSV UTF-8»",
                    code="not-utf8",
                )
            ]
        ) from None
    if not text.strip():
        raise RosterInvalid(
            [RosterError(line=1, field="file", message="Файл пуст", code="empty-file")]
        )
    return text


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read_rows(text: str, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data records with the file line each one starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    previous_end = 0
    try:
        for values in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if header is None:
                header = [v.strip().lower() for v in values]
                continue
            records.append((start, values))
            if len(records) > max_rows:
                raise PayloadTooLarge(
                    f"В файле больше {max_rows} строк с данными; разделите его на части",
                    code="roster-too-large",
                )
    except csv.Error as exc:
        raise RosterInvalid(
            [
                RosterError(
                    line=reader.line_num,
                    field="file",
                    message=f"Файл CSV повреждён: {exc}",
                    code="malformed-csv",
                )
            ]
        ) from None
    if header is None:
        raise RosterInvalid(
            [RosterError(line=1, field="file", message="Файл пуст", code="empty-file")]
        )
    return header, records


def check_header(header: list[str]) -> Errors:
    errors = Errors()
    seen: set[str] = set()
    for name in header:
        if name not in COLUMNS:
            errors.add(1, name or "?", f"Неизвестный столбец «{name}»", "unknown-column")
        elif name in seen:
            errors.add(1, name, f"Столбец «{name}» повторяется", "duplicate-column")
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.add(1, name, f"Нет обязательного столбца «{name}»", "missing-column")
    return errors


# -- one row ----------------------------------------------------------------------------


def _text(
    value: str, line: int, column: str, errors: Errors, *, required: bool, max_length: int
) -> str | None:
    value = value.strip()
    if not value:
        if required:
            errors.add(line, column, "Обязательное поле не заполнено", "missing")
        return None
    if _CONTROL.search(value):
        errors.add(line, column, "Поле содержит управляющие символы")
        return None
    if len(value) > max_length:
        errors.add(line, column, f"Не длиннее {max_length} символов", "too-long")
        return None
    return value


def _checked(
    value: str | None, check: Callable[[str], str], line: int, column: str, errors: Errors
) -> str | None:
    if value is None:
        return None
    try:
        return check(value)
    except ValueError as exc:
        errors.add(line, column, str(exc))
        return None


def parse_date(value: str) -> date:
    try:
        if _ISO_DATE.match(value):
            parsed = date.fromisoformat(value)
        elif match := _RU_DATE.match(value):
            day, month, year = (int(part) for part in match.groups())
            parsed = date(year, month, day)
        else:
            raise ValueError
    except ValueError:
        raise ValueError("Дата: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, например 2013-03-01") from None
    return check_birth_date(parsed)


def parse_row(line: int, header: list[str], values: list[str], errors: Errors) -> Row:
    if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
        errors.add(
            line, "row", f"В строке {len(values)} полей, а столбцов {len(header)}", "extra-fields"
        )
    cells = dict(zip(header, values + [""] * (len(header) - len(values)), strict=False))
    row = Row(line=line)

    def text(column: str, *, required: bool = False, max_length: int = 100) -> str | None:
        return _text(
            cells.get(column, ""), line, column, errors, required=required, max_length=max_length
        )

    row.username = (
        _checked(text("username", required=True), check_username, line, "username", errors) or ""
    )
    row.last_name = text("last_name", required=True) or ""
    row.first_name = text("first_name", required=True) or ""
    row.middle_name = text("middle_name")
    birth = text("birth_date", max_length=10)
    if birth is not None:
        try:
            row.birth_date = parse_date(birth)
        except ValueError as exc:
            errors.add(line, "birth_date", str(exc))
    row.email = _checked(text("email", max_length=254), check_email, line, "email", errors)
    roles_text = text("roles", required=True, max_length=100)
    if roles_text is not None:
        names = [r.strip().lower() for r in roles_text.split("|") if r.strip()]
        try:
            row.roles = check_roles(names)
        except ValueError as exc:
            errors.add(line, "roles", str(exc))
    class_text = text("class", max_length=10)
    if class_text is not None:
        match = _CLASS.match(class_text)
        if match is None or not 1 <= int(match.group(1)) <= 11:
            errors.add(line, "class", "Класс: параллель 1–11 и буква кириллицы, например 7Б")
        elif "student" not in row.roles:
            errors.add(line, "class", "Класс указывается только для обучающегося (роль student)")
        else:
            row.class_name = f"{int(match.group(1))}{match.group(2).upper()}"
    children_text = text("guardian_of", max_length=1000)
    if children_text is not None:
        names = [c.strip() for c in children_text.split("|") if c.strip()]
        if "guardian" not in row.roles:
            errors.add(line, "guardian_of", "Детей указывают только для родителя (роль guardian)")
        for name in names:
            if _checked(name, check_username, line, "guardian_of", errors) is not None:
                row.guardian_of.append(name)
    system = text("external_system", max_length=32)
    value = text("external_id", max_length=200)
    if system is not None and system not in EXTERNAL_SYSTEMS:
        errors.add(line, "external_system", "Внешняя система: " + ", ".join(EXTERNAL_SYSTEMS))
    elif (system is None) != (value is None):
        missing = "external_id" if value is None else "external_system"
        errors.add(line, missing, "external_system и external_id заполняются вместе", "missing")
    else:
        row.external_system, row.external_id = system, value
        if system is not None and value is not None:
            row.externals.append((system, value))
    for name in EXTERNAL_SYSTEMS:
        column = f"external_id_{name}"
        value = text(column, max_length=200)
        if value is None:
            continue
        if any(s == name for s, _ in row.externals):
            errors.add(
                line, column, f"Идентификатор системы {name} указан дважды", "duplicate-external-id"
            )
        else:
            row.externals.append((name, value))
    return row
