"""XLSX rendering of the journal and the summary sheet (JO-8), with openpyxl.

Marks stay text (``"5"``, ``"зачёт"``, ``"н"``); averages are numbers with two decimals
so a spreadsheet can compute with them.
"""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.journal.reports.data import JournalReport, SummaryReport, ru_date

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=13)
_THIN = Side(style="thin", color="999999")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(vertical="top", wrap_text=True)
_AVERAGE_FORMAT = "0.00"


def _save(wb: Workbook) -> bytes:
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _header(ws: Worksheet, row: int, values: list[str]) -> None:
    for col, value in enumerate(values, start=1):
        cell = ws.cell(row=row, column=col, value=value)
        cell.font = _BOLD
        cell.alignment = _CENTER
        cell.border = _BOX


def render_journal_xlsx(report: JournalReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Журнал"
    ws["A1"] = f"Журнал: {report.title}"
    ws["A1"].font = _TITLE
    ws["A2"] = f"{report.school}. Педагог(и): {', '.join(report.teachers) or '—'}"
    ws["A3"] = f"Период: {ru_date(report.starts)} — {ru_date(report.ends)}"
    head = ["№", "Обучающийся"]
    head += [lesson.date.strftime("%d.%m") for lesson in report.lessons]
    head += ["Вне уроков", "Ср. балл", "Ср. взвеш.", *report.term_columns]
    _header(ws, 5, head)
    first_lesson_col = 3
    for n, row in enumerate(report.rows, start=1):
        r = 5 + n
        values: list[float | str | None] = [n, row.name, *row.cells, row.outside]
        values += [row.average, row.weighted_average, *row.term_marks]
        for col, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=col, value=value if value != "" else None)
            cell.border = _BOX
            if col >= first_lesson_col:
                cell.alignment = _CENTER
        avg_col = first_lesson_col + len(report.lessons) + 1
        ws.cell(row=r, column=avg_col).number_format = _AVERAGE_FORMAT
        ws.cell(row=r, column=avg_col + 1).number_format = _AVERAGE_FORMAT
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 32
    for col in range(first_lesson_col, len(head) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 7
    ws.column_dimensions[get_column_letter(first_lesson_col + len(report.lessons))].width = 18
    ws.freeze_panes = "C6"

    topics = wb.create_sheet("Темы уроков")
    topics["A1"] = f"Темы уроков: {report.title}"
    topics["A1"].font = _TITLE
    _header(topics, 3, ["Дата", "№ урока", "Тема урока", "Форма проведения", "Домашнее задание"])
    for n, lesson in enumerate(report.lessons, start=4):
        topic = lesson.topic if lesson.recorded else f"{lesson.topic} (по плану; запись не сделана)"
        values2: list[float | str | None] = [
            ru_date(lesson.date),
            lesson.number,
            topic.strip(),
            lesson.delivery_form,
            lesson.homework,
        ]
        for col, value in enumerate(values2, start=1):
            cell = topics.cell(row=n, column=col, value=value)
            cell.border = _BOX
            cell.alignment = _WRAP
    for letter, width in zip("ABCDE", (12, 9, 60, 20, 50), strict=True):
        topics.column_dimensions[letter].width = width
    topics.freeze_panes = "A4"
    return _save(wb)


def render_summary_xlsx(report: SummaryReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Сводная ведомость"
    ws["A1"] = report.title
    ws["A1"].font = _TITLE
    ws["A2"] = f"{report.school}. Средний балл — средневзвешенный за период."
    width = len(report.sub_columns)
    _header(ws, 4, ["№", "Обучающийся"])
    _header(ws, 5, ["", ""])
    ws.merge_cells(start_row=4, start_column=1, end_row=5, end_column=1)
    ws.merge_cells(start_row=4, start_column=2, end_row=5, end_column=2)
    for i, subject in enumerate(report.subjects):
        col = 3 + i * width
        cell = ws.cell(row=4, column=col, value=subject)
        cell.font = _BOLD
        cell.alignment = _CENTER
        cell.border = _BOX
        if width > 1:
            ws.merge_cells(start_row=4, start_column=col, end_row=4, end_column=col + width - 1)
        for j, sub in enumerate(report.sub_columns):
            c = ws.cell(row=5, column=col + j, value=sub)
            c.font = _BOLD
            c.alignment = _CENTER
            c.border = _BOX
    for n, row in enumerate(report.rows, start=1):
        r = 5 + n
        ws.cell(row=r, column=1, value=n).border = _BOX
        ws.cell(row=r, column=2, value=row.name).border = _BOX
        for i, subject in enumerate(report.subjects):
            for j, value in enumerate(row.values.get(subject, [])):
                cell = ws.cell(row=r, column=3 + i * width + j, value=value)
                cell.border = _BOX
                cell.alignment = _CENTER
                if isinstance(value, float):
                    cell.number_format = _AVERAGE_FORMAT
    ws.column_dimensions["A"].width = 4
    ws.column_dimensions["B"].width = 32
    for col in range(3, 3 + width * len(report.subjects)):
        ws.column_dimensions[get_column_letter(col)].width = 9
    ws.freeze_panes = "C6"
    return _save(wb)
