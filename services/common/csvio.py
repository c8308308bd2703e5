"""CSV exchange files: reading imports all-or-nothing with line numbers, writing exports.

The conventions are those of the roster import (``docs/csv-roster-format.md``) and of
``docs/integration.md`` ("CSV formats"): UTF-8 with or without a BOM, ``;`` or ``,``
told from the header line, standard quoting, a header line naming the columns (any
order, case-insensitive). An import first checks every row; if anything is wrong the
answer is 422 listing ``{line, field, message, code}`` per problem (the header is line
1) and nothing is stored. Exports are RFC 4180: ``,``, CRLF, UTF-8 without a BOM.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request, Response

from services.common.errors import PayloadTooLarge, ProblemError, UnsupportedMedia

MAX_REPORTED_ERRORS = 1000
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


@dataclass(frozen=True)
class CsvError:
    line: int
    field: str
    message: str
    code: str = "invalid-value"

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "field": self.field, "message": self.message, "code": self.code}


class CsvInvalid(ProblemError):
    """422: the file has errors; ``errors`` lists them with line numbers, nothing stored."""

    status, code, title = 422, "csv-invalid", "Ошибка проверки данных"

    def __init__(self, errors: Sequence[CsvError], *, code: str) -> None:
        ordered = sorted(errors, key=lambda e: (e.line, e.field))
        lines = sorted({e.line for e in ordered})
        super().__init__(
            f"Файл не загружен: ошибок {len(ordered)} в строках "
            + ", ".join(str(n) for n in lines[:20])
            + (" …" if len(lines) > 20 else "")
            + "; ничего не сохранено",
            code=code,
            extra={
                "errors": [e.as_dict() for e in ordered[:MAX_REPORTED_ERRORS]],
                "errors_total": len(ordered),
            },
        )


@dataclass
class Errors:
    items: list[CsvError] = field(default_factory=list)

    def add(self, line: int, column: str, message: str, code: str = "invalid-value") -> None:
        self.items.append(CsvError(line, column, message, code))

    def __bool__(self) -> bool:
        return bool(self.items)


@dataclass
class Record:
    """One data row: its file line and its cells by (lower-case) column name."""

    line: int
    cells: dict[str, str]

    def get(self, column: str) -> str:
        return self.cells.get(column, "").strip()


def require_csv(request: Request) -> None:
    """415 unless the body is declared ``text/csv`` in UTF-8."""
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    if media_type.strip().lower() != "text/csv":
        raise UnsupportedMedia(
            "Передайте файл с заголовком Content-Type: text/csv", code="csv-required"
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise UnsupportedMedia("Файл должен быть в кодировке UTF-8", code="csv-charset")


def read_table(
    raw: bytes,
    *,
    columns: Sequence[str],
    required: Sequence[str],
    max_rows: int,
    code: str,
) -> list[Record]:
    """The data rows of a CSV file, or :class:`CsvInvalid` for a broken file or header."""

    def fail(line: int, message: str, error_code: str, column: str = "file") -> CsvInvalid:
        return CsvInvalid([CsvError(line, column, message, error_code)], code=code)

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        message = "Файл не в кодировке UTF-8: сохраните его как «CSV UTF-8»"
        raise fail(line, message, "not-utf8") from None
    if not text.strip():
        raise fail(1, "Файл пуст", "empty-file")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[Record] = []
    errors = Errors()
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
            if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
                errors.add(
                    start,
                    "row",
                    f"В строке {len(values)} полей, а столбцов {len(header)}",
                    "extra-fields",
                )
            cells = dict(zip(header, values + [""] * (len(header) - len(values)), strict=False))
            for name, value in cells.items():
                if CONTROL.search(value):
                    errors.add(start, name, "Поле содержит управляющие символы")
            records.append(Record(start, cells))
            if len(records) > max_rows:
                raise PayloadTooLarge(
                    f"В файле больше {max_rows} строк с данными; разделите его на части",
                    code="csv-too-large",
                )
    except csv.Error as exc:
        raise fail(reader.line_num, f"Файл CSV повреждён: {exc}", "malformed-csv") from None
    if header is None:
        raise fail(1, "Файл пуст", "empty-file")
    seen: set[str] = set()
    for name in header:
        if name not in columns:
            errors.add(1, name or "?", f"Неизвестный столбец «{name}»", "unknown-column")
        elif name in seen:
            errors.add(1, name, f"Столбец «{name}» повторяется", "duplicate-column")
        seen.add(name)
    for name in required:
        if name not in seen:
            errors.add(1, name, f"Нет обязательного столбца «{name}»", "missing-column")
    if not records:
        errors.add(2, "file", "В файле нет строк с данными", "empty-file")
    if errors:
        raise CsvInvalid(errors.items, code=code)
    return records


def write_csv(columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    return out.getvalue().encode("utf-8")


def csv_response(columns: Sequence[str], rows: Iterable[Sequence[Any]], filename: str) -> Response:
    return Response(
        content=write_csv(columns, rows),
        media_type=CSV_MEDIA_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


CSV_REQUEST_BODY: dict[str, Any] = {
    "requestBody": {"required": True, "content": {"text/csv": {"schema": {"type": "string"}}}}
}
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Файл CSV (UTF-8, разделитель запятая)",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    }
}
