"""The access cells of term marks and the diary are in test_term_marks_diary.py."""

from __future__ import annotations

COVERED: set[str] = {
    "journal_list_term_marks",
    "journal_set_term_mark",
    "journal_term_mark_history",
    "journal_student_diary",
}
