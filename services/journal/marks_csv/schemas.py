"""Columns of the marks CSV files and the import's answer (JO-2, GW-5, ID-9).

The formats are documented in ``docs/integration.md`` ("CSV formats").
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

EXPORT_COLUMNS: tuple[str, ...] = (
    "mark_id",
    "date",
    "lesson_id",
    "student_id",
    "student_external_ids",
    "last_name",
    "first_name",
    "middle_name",
    "value",
    "control_type",
    "weight",
    "comment",
    "source",
)
IMPORT_COLUMNS: tuple[str, ...] = (
    "student_id",
    "student_external_system",
    "student_external_id",
    "date",
    "lesson_id",
    "value",
    "control_type",
    "weight",
    "comment",
)
IMPORT_REQUIRED: tuple[str, ...] = ("value",)
MAX_IMPORT_ROWS = 5000


class MarksImportResult(BaseModel):
    created: int = Field(description="Сколько отметок выставлено")
    mark_ids: list[uuid.UUID] = Field(description="Созданные отметки, по строкам файла")
