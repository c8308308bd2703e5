"""The routers of the journal service and the events it emits."""

from __future__ import annotations

from fastapi import APIRouter

from services.journal.archive import endpoints as archive
from services.journal.attendance import endpoints as attendance
from services.journal.diary import endpoints as diary
from services.journal.exchange import endpoints as exchange
from services.journal.marks import endpoints as marks
from services.journal.marks_csv import endpoints as marks_csv
from services.journal.periods import endpoints as periods
from services.journal.portfolio import endpoints as portfolio
from services.journal.records import endpoints as records
from services.journal.reports import endpoints as reports
from services.journal.term_marks import endpoints as term_marks

routers: list[APIRouter] = [
    periods.router,
    marks.router,
    marks_csv.router,
    attendance.router,
    records.router,
    term_marks.router,
    diary.router,
    portfolio.router,
    reports.router,
    archive.router,
    exchange.router,
]

EVENT_TYPES: list[str] = [
    "mark.created",
    "mark.updated",
    "mark.annulled",
    "attendance.recorded",
    "lesson_record.saved",
    "term_mark.set",
    "portfolio_item.created",
    "portfolio_item.confirmed",
    "portfolio_item.rejected",
    "academic_year.closed",
    "academic_year.reopened",
]
