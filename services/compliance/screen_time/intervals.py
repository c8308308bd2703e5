"""Interval arithmetic of actual screen time (CO-3): pure functions, no I/O.

A span is a pair of timezone-aware UTC datetimes ``(start, end)`` with ``start < end``
(half-open: the end instant is not in it). Lists of spans returned are sorted and
pairwise disjoint.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

Span = tuple[datetime, datetime]


def merge(spans: Iterable[Span]) -> list[Span]:
    """The union of ``spans``: overlapping or touching spans become one."""
    out: list[Span] = []
    for start, end in sorted(spans):
        if out and start <= out[-1][1]:
            if end > out[-1][1]:
                out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return out


def subtract(span: Span, covered: Sequence[Span]) -> list[Span]:
    """The parts of ``span`` outside every span of ``covered`` (merged, sorted)."""
    start, end = span
    out: list[Span] = []
    for c_start, c_end in covered:
        if c_end <= start:
            continue
        if c_start >= end:
            break
        if c_start > start:
            out.append((start, c_start))
        start = max(start, c_end)
        if start >= end:
            return out
    if start < end:
        out.append((start, end))
    return out


def split_by(span: Span, windows: Sequence[Span]) -> list[tuple[Span, bool]]:
    """``span`` cut at the edges of ``windows`` (merged, sorted): each piece and whether
    it lies inside a window."""
    start, end = span
    out: list[tuple[Span, bool]] = []
    for w_start, w_end in windows:
        if w_end <= start:
            continue
        if w_start >= end:
            break
        if w_start > start:
            out.append(((start, w_start), False))
            start = w_start
        piece_end = min(w_end, end)
        out.append(((start, piece_end), True))
        start = piece_end
        if start >= end:
            return out
    if start < end:
        out.append(((start, end), False))
    return out


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant the school's ``day`` begins."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def split_days(span: Span, tz: ZoneInfo) -> list[tuple[date, Span]]:
    """``span`` cut at the school's midnights: each piece with its local day."""
    start, end = span
    out: list[tuple[date, Span]] = []
    while start < end:
        day = start.astimezone(tz).date()
        next_midnight = local_midnight(day + timedelta(days=1), tz)
        piece_end = min(end, next_midnight)
        out.append((day, (start, piece_end)))
        start = piece_end
    return out


def seconds(spans: Iterable[Span]) -> int:
    return sum(int((end - start).total_seconds()) for start, end in spans)
