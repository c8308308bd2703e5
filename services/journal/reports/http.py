"""Answering with a generated file: media types, names and the OpenAPI description."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from fastapi import Response

from services.common.errors import AUTH_ERRORS, problem_responses
from services.journal.reports.pdf import PDF_MEDIA_TYPE
from services.journal.reports.xlsx import XLSX_MEDIA_TYPE

MEDIA_TYPES = {"xlsx": XLSX_MEDIA_TYPE, "pdf": PDF_MEDIA_TYPE, "json": "application/json"}


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 5987)."""
    fallback = (
        "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename).strip()
        or "file"
    )
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def file_response(
    content: bytes, fmt: str, filename: str, headers: dict[str, str] | None = None
) -> Response:
    return Response(
        content,
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": content_disposition(filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
            **(headers or {}),
        },
    )


def file_responses(fmt: str, *statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of an operation answering with a file."""
    return {
        200: {
            "description": "Файл (имя в Content-Disposition)",
            "content": {MEDIA_TYPES[fmt]: {"schema": {"type": "string", "format": "binary"}}},
        },
        **problem_responses(*AUTH_ERRORS, *statuses),
    }


def safe_name(text: str) -> str:
    """A file name from a title: no path separators or control characters."""
    cleaned = "".join(ch if ch.isprintable() and ch not in '/\\:*?"<>|' else " " for ch in text)
    return " ".join(cleaned.split())[:150] or "file"
