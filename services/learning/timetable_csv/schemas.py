"""Columns of the timetable CSV files and the import's answer (LE-3, GW-5, ID-9).

The formats are documented in ``docs/integration.md`` ("CSV formats").
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

EXPORT_COLUMNS: tuple[str, ...] = (
    "lesson_id",
    "course_id",
    "course_external_ids",
    "subject",
    "class",
    "subgroup",
    "date",
    "starts_at",
    "duration_minutes",
    "lesson_number",
    "organisational_form",
    "delivery_form",
    "support_mode",
    "room",
    "video_room_url",
    "teacher",
    "topic",
    "homework",
    "status",
)
IMPORT_COLUMNS: tuple[str, ...] = (
    "course_id",
    "course_external_system",
    "course_external_id",
    "date",
    "starts_at",
    "duration_minutes",
    "lesson_number",
    "organisational_form",
    "delivery_form",
    "support_mode",
    "room",
    "video_room_url",
    "homework",
)
IMPORT_REQUIRED: tuple[str, ...] = ("date", "starts_at")
MAX_IMPORT_ROWS = 5000


class TimetableImportResult(BaseModel):
    created: int = Field(description="Сколько уроков создано")
    lesson_ids: list[uuid.UUID] = Field(description="Созданные уроки, по строкам файла")
