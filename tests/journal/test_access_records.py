"""The access cells of attendance and lesson records are in test_attendance_records.py."""

from __future__ import annotations

COVERED: set[str] = {
    "journal_record_attendance",
    "journal_lesson_attendance",
    "journal_get_attendance",
    "journal_update_attendance",
    "journal_attendance_history",
    "journal_get_lesson_record",
    "journal_put_lesson_record",
    "journal_lesson_records_report",
}
