"""Reading a thematic plan (КТП) from a CSV or XLSX file, row by row (LE-2, §5.9).

Everything here is pure: decoding, the sheet, the header, each row's cells. The format
is documented in ``docs/ktp-import-format.md``. Every problem of every row is collected
with the row's line number in the file, so a teacher fixes the whole file in one go.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from services.common.errors import PayloadTooLarge, ProblemError
from services.learning.plans.schemas import MAX_HOURS, PlanRowError

CSV_TYPES = ("text/csv", "application/csv")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

MAX_REPORTED_ERRORS = 500
# Columns read from a sheet; КТП tables are narrow, the rest is ignored.
MAX_COLUMNS = 30
# An XLSX is a ZIP: refuse archives that unpack to far more than a plan can need.
MAX_XLSX_UNPACKED = 64 * 1024 * 1024
# Blank rows between the data are skipped, but not without end.
MAX_BLANK_ROWS = 1000

TITLE_MAX, SECTION_MAX, NOTES_MAX = 500, 300, 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_RU_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_INTEGER = re.compile(r"^(\d{1,6})\.?$")

# Canonical column → (Russian name used in messages, accepted header spellings).
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "position": ("№", ("№", "n", "no", "#", "номер", "№ п/п", "n п/п", "номер урока", "position")),
    "section": ("Раздел", ("раздел", "модуль", "раздел программы", "section")),
    "title": ("Тема", ("тема", "тема урока", "title", "topic")),
    "hours": (
        "Часы",
        ("часы", "часов", "кол-во часов", "количество часов", "число часов", "hours"),
    ),
    "date": ("Дата", ("дата", "дата проведения", "планируемая дата", "дата по плану", "date")),
    "notes": ("Примечание", ("примечание", "примечания", "notes")),
}
REQUIRED = ("title", "hours")


class PlanInvalid(ProblemError):
    status, code, title = 422, "thematic-plan-invalid", "Ошибка в файле КТП"

    def __init__(self, errors: Sequence[PlanRowError]) -> None:
        lines = sorted({e.line for e in errors})
        super().__init__(
            f"План не загружен: ошибок {len(errors)} в строках "
            + ", ".join(str(n) for n in lines[:20])
            + (" …" if len(lines) > 20 else "")
            + "; ничего не изменено",
            extra={
                "errors": [e.model_dump() for e in list(errors)[:MAX_REPORTED_ERRORS]],
                "errors_total": len(errors),
            },
        )


def file_error(message: str, code: str, line: int = 1) -> PlanInvalid:
    return PlanInvalid([PlanRowError(line=line, field="file", message=message, code=code)])


def too_many_rows(max_rows: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"В плане больше {max_rows} строк с темами; разделите файл", code="plan-too-many-rows"
    )


@dataclass
class PlanRow:
    line: int
    title: str
    hours: Decimal
    position: int | None = None
    section: str | None = None
    planned_date: date | None = None
    notes: str | None = None


@dataclass
class Errors:
    items: list[PlanRowError] = field(default_factory=list)

    def add(self, line: int, column: str, message: str, code: str = "invalid-value") -> None:
        self.items.append(PlanRowError(line=line, field=column, message=message, code=code))

    def __bool__(self) -> bool:
        return bool(self.items)


Record = tuple[int, list[Any]]


# -- reading the file -------------------------------------------------------------------


def _blank(values: Sequence[Any]) -> bool:
    return all(v is None or (isinstance(v, str) and not v.strip()) for v in values)


def read_csv(raw: bytes, max_rows: int) -> list[Record]:
    """Non-blank records of a CSV file with the line each starts on (header included)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise file_error(
            "Файл не в кодировке UTF-8: сохраните его как «CSV UTF-8»",
            "not-utf8",
            raw[: exc.start].count(b"\n") + 1,
        ) from None
    header_line = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = ";" if header_line.count(";") >= header_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[Record] = []
    previous_end = 0
    try:
        for values in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if _blank(values):
                continue
            records.append((start, list(values)))
            if len(records) > max_rows + 1:
                raise too_many_rows(max_rows)
    except csv.Error as exc:
        raise file_error(f"Файл CSV повреждён: {exc}", "malformed-csv", previous_end + 1) from None
    return records


def _zip_ok(raw: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError, OSError):
        raise file_error("Файл не является книгой XLSX", "malformed-xlsx") from None
    if unpacked > MAX_XLSX_UNPACKED:
        raise file_error("Книга XLSX слишком велика после распаковки", "xlsx-too-large")


def _sheet_rows(raw: bytes) -> Generator[tuple[Any, ...], None, None]:
    from openpyxl import load_workbook

    with warnings.catch_warnings():
        # Files saved by other programs often lack styles openpyxl expects: not our concern.
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        if hasattr(sheet, "reset_dimensions"):
            # Some programs write a wrong sheet size; read what is really there.
            sheet.reset_dimensions()
        yield from sheet.iter_rows(min_row=1, max_col=MAX_COLUMNS, values_only=True)
    finally:
        workbook.close()


def read_xlsx(raw: bytes, max_rows: int) -> list[Record]:
    """Non-blank rows of the first sheet with their row numbers (header included)."""
    if not raw.startswith(b"PK\x03\x04"):
        raise file_error("Файл не является книгой XLSX", "malformed-xlsx")
    _zip_ok(raw)
    records: list[Record] = []
    blank_run = 0
    rows = _sheet_rows(raw)
    try:
        for line, values in enumerate(rows, start=1):
            if _blank(values):
                blank_run += 1
                if blank_run > MAX_BLANK_ROWS and records:
                    break
                continue
            blank_run = 0
            records.append((line, list(values)))
            if len(records) > max_rows + 1:
                raise too_many_rows(max_rows)
    except ProblemError:
        raise
    except Exception:  # a damaged workbook may fail anywhere inside openpyxl
        raise file_error(
            "Не удалось прочитать книгу XLSX: файл повреждён", "malformed-xlsx"
        ) from None
    finally:
        with contextlib.suppress(Exception):
            rows.close()
    return records


# -- the header and the cells -----------------------------------------------------------


def _norm_header(value: Any) -> str:
    text = str(value if value is not None else "").strip().lower().replace("ё", "е")
    text = re.sub(r"\s+", " ", text)
    return text.rstrip(".:").strip()


_ALIASES = {_norm_header(alias): key for key, (_, aliases) in COLUMNS.items() for alias in aliases}


def column_map(line: int, header: Sequence[Any], errors: Errors) -> dict[str, int]:
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        key = _ALIASES.get(_norm_header(cell))
        if key is None:
            continue  # other columns of the teacher's table are ignored
        if key in found:
            errors.add(
                line, "header", f"Столбец «{COLUMNS[key][0]}» указан дважды", "duplicate-column"
            )
        found[key] = index
    for key in REQUIRED:
        if key not in found:
            errors.add(
                line, "header", f"Нет обязательного столбца «{COLUMNS[key][0]}»", "missing-column"
            )
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


def _check_text(line: int, column: str, value: str, max_length: int, errors: Errors) -> str | None:
    if _CONTROL.search(value):
        errors.add(line, column, "Текст содержит управляющие символы", "control-characters")
        return None
    if len(value) > max_length:
        errors.add(line, column, f"Не длиннее {max_length} символов", "too-long")
        return None
    return value


def parse_position(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if value >= 1 else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and value >= 1 else None
    match = _INTEGER.match(_text(value))
    if match is None or int(match.group(1)) < 1:
        return None
    return int(match.group(1))


def parse_hours(value: Any) -> Decimal | str:
    """The hours, or the Russian message of what is wrong."""
    if isinstance(value, bool):
        return "Ожидается число часов"
    if isinstance(value, int | float):
        number = Decimal(str(round(float(value), 6)))
    else:
        text = _text(value).replace(" ", "").replace(",", ".")
        if not text:
            return "Укажите число часов"
        try:
            number = Decimal(text)
        except InvalidOperation:
            return "Ожидается число часов, например 1 или 0,5"
    if not number.is_finite():
        return "Ожидается число часов, например 1 или 0,5"
    if number <= 0:
        return "Число часов должно быть больше нуля"
    if number > MAX_HOURS:
        return f"Число часов не больше {MAX_HOURS}"
    if number != number.quantize(Decimal("0.1")):
        return "Не больше одного знака после запятой"
    return number.quantize(Decimal("0.1"))


def parse_date(value: Any) -> date | str:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _text(value)
    iso, ru = _ISO_DATE.match(text), _RU_DATE.match(text)
    try:
        if iso:
            return date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
        if ru:
            return date(int(ru.group(3)), int(ru.group(2)), int(ru.group(1)))
    except ValueError:
        return "Такой даты нет в календаре"
    return "Ожидается дата ДД.ММ.ГГГГ или ГГГГ-ММ-ДД"


def parse_plan(records: Sequence[Record], year: tuple[date, date] | None) -> list[PlanRow]:
    """Rows in plan order (by № when given, else file order); raises :class:`PlanInvalid`."""
    if not records:
        raise file_error("Файл пуст", "empty-file")
    errors = Errors()
    header_line, header = records[0]
    columns = column_map(header_line, header, errors)
    if errors:
        raise PlanInvalid(errors.items)
    if len(records) == 1:
        raise file_error("В файле нет ни одной темы", "empty-plan", header_line)

    def cell(values: Sequence[Any], key: str) -> Any:
        index = columns.get(key)
        return values[index] if index is not None and index < len(values) else None

    rows: list[PlanRow] = []
    positions: dict[int, int] = {}
    for line, values in records[1:]:
        name = {key: COLUMNS[key][0] for key in COLUMNS}
        title = _check_text(line, name["title"], _text(cell(values, "title")), TITLE_MAX, errors)
        if title == "":
            errors.add(line, name["title"], "Укажите тему", "required")
        hours = parse_hours(cell(values, "hours"))
        if isinstance(hours, str):
            errors.add(line, name["hours"], hours)
        section_text = _text(cell(values, "section"))
        section = _check_text(line, name["section"], section_text, SECTION_MAX, errors)
        notes = _check_text(line, name["notes"], _text(cell(values, "notes")), NOTES_MAX, errors)

        position: int | None = None
        if "position" in columns:
            raw_position = cell(values, "position")
            position = parse_position(raw_position)
            if position is None:
                errors.add(line, name["position"], "Ожидается номер темы: целое число от 1")
            elif position in positions:
                errors.add(
                    line,
                    name["position"],
                    f"Номер {position} уже есть в строке {positions[position]}",
                    "duplicate-position",
                )
            else:
                positions[position] = line

        planned: date | None = None
        raw_date = cell(values, "date")
        if _text(raw_date):
            parsed = parse_date(raw_date)
            if isinstance(parsed, str):
                errors.add(line, name["date"], parsed)
            elif year is not None and not year[0] <= parsed <= year[1]:
                errors.add(
                    line,
                    name["date"],
                    f"Дата {parsed:%d.%m.%Y} вне учебного года курса "
                    f"({year[0]:%d.%m.%Y}–{year[1]:%d.%m.%Y})",
                    "date-outside-academic-year",
                )
            else:
                planned = parsed
        if title and not isinstance(hours, str):
            rows.append(
                PlanRow(
                    line=line,
                    title=title,
                    hours=hours,
                    position=position,
                    section=section or None,
                    planned_date=planned,
                    notes=notes or None,
                )
            )
    if errors:
        raise PlanInvalid(errors.items)
    if "position" in columns:
        rows.sort(key=lambda r: r.position or 0)
    return rows
