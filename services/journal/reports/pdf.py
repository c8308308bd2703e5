"""PDF rendering of the journal, the summary sheet and the portfolio (JO-7, JO-8).

Text is set in DejaVu Sans, vendored in ``fonts/`` (Bitstream Vera licence, see
``fonts/LICENSE``) and embedded in every file, so Cyrillic renders the same on any
machine; see docs/decisions/0006-reportlab.md.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from services.journal.reports.data import (
    EVENT_KINDS,
    LEVELS,
    PORTFOLIO_KINDS,
    RESULTS,
    JournalReport,
    PortfolioDocument,
    PortfolioEntry,
    SummaryReport,
    ru_date,
    ru_number,
)

PDF_MEDIA_TYPE = "application/pdf"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
FONT_BOLD = "DejaVuSans-Bold"

_lock = threading.Lock()
_registered = False

# landscape A4 less 10 mm margins: the width left for a table
_LANDSCAPE_WIDTH = landscape(A4)[0] - 20 * mm
_PORTRAIT_WIDTH = A4[0] - 30 * mm
_NUMBER_W = 7 * mm
_NAME_W = 55 * mm
_CELL_W = 9 * mm


def register_fonts() -> None:
    """Register the vendored fonts with reportlab once per process."""
    global _registered
    with _lock:
        if _registered:
            return
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_DIR / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONT_DIR / "DejaVuSans-Bold.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD)
        _registered = True


def _style(size: float, *, bold: bool = False, leading: float | None = None) -> ParagraphStyle:
    register_fonts()
    return ParagraphStyle(
        f"s{size}{bold}",
        fontName=FONT_BOLD if bold else FONT,
        fontSize=size,
        leading=leading or size * 1.25,
    )


def _p(text: object, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text or "")).replace("\n", "<br/>"), style)


def _grid_style(header_rows: int = 1, size: float = 7) -> TableStyle:
    return TableStyle(
        [
            ("FONTNAME", (0, 0), (-1, -1), FONT),
            ("FONTNAME", (0, 0), (-1, header_rows - 1), FONT_BOLD),
            ("FONTSIZE", (0, 0), (-1, -1), size),
            ("LEADING", (0, 0), (-1, -1), size * 1.2),
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#EEEEEE")),
            ("ALIGN", (2, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
            ("LEFTPADDING", (0, 0), (-1, -1), 2),
            ("RIGHTPADDING", (0, 0), (-1, -1), 2),
        ]
    )


def _build(story: list[Flowable], *, title: str, page: tuple[float, float]) -> bytes:
    register_fonts()
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=page,
        leftMargin=10 * mm if page[0] > page[1] else 15 * mm,
        rightMargin=10 * mm if page[0] > page[1] else 15 * mm,
        topMargin=10 * mm,
        bottomMargin=10 * mm,
        title=title,
        creator="Платформа ЭО и ДОТ",
    )
    doc.build(story)
    return buffer.getvalue()


def _table(data: list[list[Any]], widths: list[float], style: TableStyle, repeat: int) -> Table:
    return Table(data, colWidths=widths, repeatRows=repeat, style=style, hAlign="LEFT")


def _chunks(count: int, size: int) -> list[range]:
    if count == 0:
        return [range(0)]
    return [range(i, min(i + size, count)) for i in range(0, count, size)]


# -- the journal ---------------------------------------------------------------------------


def render_journal_pdf(report: JournalReport) -> bytes:
    h1, small, cell = _style(12, bold=True), _style(8), _style(7)
    story: list[Flowable] = [
        _p(f"Журнал: {report.title}", h1),
        _p(
            f"{report.school}. Педагог(и): {', '.join(report.teachers) or '—'}. "
            f"Период: {ru_date(report.starts)} — {ru_date(report.ends)}.",
            small,
        ),
        Spacer(1, 3 * mm),
    ]
    per_page = max(1, int((_LANDSCAPE_WIDTH - _NUMBER_W - _NAME_W) // _CELL_W))
    blocks = _chunks(len(report.lessons), per_page)
    for b, block in enumerate(blocks):
        head = ["№", "Обучающийся", *(report.lessons[i].date.strftime("%d.%m") for i in block)]
        data: list[list[Any]] = [head]
        for n, row in enumerate(report.rows, start=1):
            data.append([n, _p(row.name, cell), *(row.cells[i] for i in block)])
        widths = [_NUMBER_W, _NAME_W, *([_CELL_W] * len(block))]
        story.append(_table(data, widths, _grid_style(), 1))
        if b < len(blocks) - 1:
            story.append(PageBreak())
    story += [Spacer(1, 4 * mm), _p("Итоги периода", _style(10, bold=True)), Spacer(1, 2 * mm)]
    head_style = _style(7, bold=True)
    head = ["№", "Обучающийся", "Вне уроков", "Ср. балл", "Ср. взвеш.", *report.term_columns]
    data = [[_p(h, head_style) for h in head]]
    for n, row in enumerate(report.rows, start=1):
        data.append(
            [
                n,
                _p(row.name, cell),
                _p(row.outside, cell),
                ru_number(row.average),
                ru_number(row.weighted_average),
                *row.term_marks,
            ]
        )
    widths = [_NUMBER_W, _NAME_W, 60 * mm, 16 * mm, 16 * mm]
    widths += [18 * mm] * len(report.term_columns)
    story.append(_table(data, widths, _grid_style(), 1))

    story += [PageBreak(), _p(f"Темы уроков: {report.title}", h1), Spacer(1, 3 * mm)]
    data = [["Дата", "№", "Тема урока", "Форма проведения", "Домашнее задание"]]
    for lesson in report.lessons:
        topic = lesson.topic if lesson.recorded else f"{lesson.topic} (по плану; запись не сделана)"
        data.append(
            [
                ru_date(lesson.date),
                lesson.number or "",
                _p(topic.strip(), cell),
                _p(lesson.delivery_form, cell),
                _p(lesson.homework, cell),
            ]
        )
    topics = _table(
        data, [20 * mm, 8 * mm, 120 * mm, 32 * mm, _LANDSCAPE_WIDTH - 180 * mm], _grid_style(), 1
    )
    topics.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "LEFT")]))
    story.append(topics)
    return _build(story, title=f"Журнал: {report.title}", page=landscape(A4))


# -- the summary sheet ----------------------------------------------------------------------


def _short(label: str) -> str:
    """A period's name narrow enough for a column: «2-я четверть» → «2 ч.»."""
    return label.replace("-я четверть", " ч.").replace("-е полугодие", " п.")


def render_summary_pdf(report: SummaryReport) -> bytes:
    h1, small, cell = _style(12, bold=True), _style(8), _style(7)
    head_style = _style(7, bold=True)
    story: list[Flowable] = [
        _p(report.title, h1),
        _p(
            f"{report.school}. Средний балл — средневзвешенный за период; "
            "ч. — четверть, п. — полугодие.",
            small,
        ),
        Spacer(1, 3 * mm),
    ]
    width = len(report.sub_columns)
    sub_style = _style(6, bold=True)
    sub_w = 10 * mm
    per_page = max(1, int((_LANDSCAPE_WIDTH - _NUMBER_W - _NAME_W) // (sub_w * width)))
    blocks = _chunks(len(report.subjects), per_page)
    for b, block in enumerate(blocks):
        subjects = [report.subjects[i] for i in block]
        top: list[Any] = ["№", "Обучающийся"]
        second: list[Any] = ["", ""]
        spans: list[tuple[Any, ...]] = [("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (1, 1))]
        for i, subject in enumerate(subjects):
            top += [_p(subject, head_style)] + [""] * (width - 1)
            second += [_p(_short(sub), sub_style) for sub in report.sub_columns]
            col = 2 + i * width
            spans.append(("SPAN", (col, 0), (col + width - 1, 0)))
        data: list[list[Any]] = [top, second]
        for n, row in enumerate(report.rows, start=1):
            line: list[Any] = [n, _p(row.name, cell)]
            for subject in subjects:
                for value in row.values.get(subject, [None] * width):
                    line.append(ru_number(value) if isinstance(value, float) else value or "")
            data.append(line)
        table = _table(
            data,
            [_NUMBER_W, _NAME_W, *([sub_w] * (width * len(subjects)))],
            _grid_style(header_rows=2),
            2,
        )
        table.setStyle(TableStyle(spans))
        story.append(table)
        if b < len(blocks) - 1:
            story.append(PageBreak())
    return _build(story, title=report.title, page=landscape(A4))


# -- the portfolio --------------------------------------------------------------------------


def _entry_lines(entry: PortfolioEntry) -> list[str]:
    d = entry.details
    lines: list[str] = []
    if entry.kind == "achievement":
        lines.append(
            ", ".join(
                x
                for x in (
                    EVENT_KINDS.get(str(d.get("event_kind")), ""),
                    f"уровень: {LEVELS.get(str(d.get('level')), '')}",
                    f"результат: {RESULTS.get(str(d.get('result')), '')}",
                )
                if x
            )
        )
        if d.get("organizer"):
            lines.append(f"Организатор: {d['organizer']}")
    elif entry.kind in ("education_document", "course_certificate"):
        parts = [f"№ {d.get('number') or '—'}"]
        if d.get("hours"):
            parts.append(f"{d['hours']} ч.")
        if d.get("issuer"):
            parts.append(f"выдан: {d['issuer']}")
        lines.append(", ".join(parts))
    elif entry.kind == "work":
        lines.append(f"{d.get('subject') or ''}; отметка: {d.get('mark') or '—'}")
        if d.get("reviewer_name"):
            lines.append(f"Проверил(а): {d['reviewer_name']}")
        if d.get("comment"):
            lines.append(f"Рецензия: {d['comment']}")
        if d.get("text_excerpt"):
            lines.append(f"Фрагмент работы: {d['text_excerpt']}")
        if d.get("file_names"):
            lines.append("Файлы: " + ", ".join(str(f) for f in d["file_names"]))
    if entry.description:
        lines.append(entry.description)
    if entry.evidence_url:
        lines.append(f"Подтверждение: {entry.evidence_url}")
    return lines


def render_portfolio_pdf(doc: PortfolioDocument) -> bytes:
    h1, h2 = _style(15, bold=True), _style(12, bold=True)
    body, bold = _style(9.5), _style(9.5, bold=True)
    story: list[Flowable] = [
        _p("Цифровое портфолио обучающегося", h1),
        Spacer(1, 2 * mm),
        _p(doc.student, _style(12)),
        _p(
            f"{doc.school}" + (f", класс {', '.join(doc.classes)}" if doc.classes else ""),
            body,
        ),
        _p(f"Сформировано {doc.generated_at.strftime('%d.%m.%Y')}", body),
        Spacer(1, 4 * mm),
    ]
    by_kind: dict[str, list[PortfolioEntry]] = {}
    for entry in doc.entries:
        by_kind.setdefault(entry.kind, []).append(entry)
    if not doc.entries:
        story.append(_p("Подтверждённых записей пока нет.", body))
    for kind, heading in PORTFOLIO_KINDS.items():
        entries: Sequence[PortfolioEntry] = by_kind.get(kind, [])
        if not entries:
            continue
        story += [_p(heading, h2), Spacer(1, 1.5 * mm)]
        for entry in entries:
            when = ru_date(entry.occurred_on)
            block: list[Flowable] = [_p(f"{entry.title}" + (f" — {when}" if when else ""), bold)]
            block += [_p(line, body) for line in _entry_lines(entry)]
            block.append(Spacer(1, 2 * mm))
            story.append(KeepTogether(block))
        story.append(Spacer(1, 2 * mm))
    return _build(story, title=f"Портфолио: {doc.student}", page=A4)
