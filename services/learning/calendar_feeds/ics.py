"""A small RFC 5545 writer: VCALENDAR with VEVENTs, escaping and line folding.

Times are written in UTC (``…Z``), so no VTIMEZONE component is needed; calendar apps
show them in the reader's zone. Text values escape backslash, ``;``, ``,`` and new
lines (§3.3.11); content lines are folded at 75 octets without splitting a UTF-8
character (§3.1); lines end with CRLF.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

PRODID = "-//EO Platform//Timetable and deadlines//RU"
_MAX_OCTETS = 75


@dataclass(frozen=True)
class Event:
    uid: str
    starts: datetime
    ends: datetime
    summary: str
    description: str = ""
    url: str | None = None
    location: str | None = None
    status: str | None = None  # CONFIRMED / CANCELLED
    sequence: int = 0
    categories: str | None = None


def escape_text(value: str) -> str:
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def fold(line: str) -> bytes:
    """One content line folded into chunks of at most 75 octets (continuations start
    with a space, which counts towards their 75)."""
    data = line.encode("utf-8")
    chunks: list[bytes] = []
    limit = _MAX_OCTETS
    while len(data) > limit:
        cut = limit
        while cut > 0 and (data[cut] & 0xC0) == 0x80:  # not inside a UTF-8 sequence
            cut -= 1
        chunks.append(data[:cut])
        data = data[cut:]
        limit = _MAX_OCTETS - 1
    chunks.append(data)
    return b"\r\n ".join(chunks) + b"\r\n"


def calendar(name: str, events: Iterable[Event], stamp: datetime) -> bytes:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event.uid}",
            f"DTSTAMP:{utc(stamp)}",
            f"DTSTART:{utc(event.starts)}",
            f"DTEND:{utc(event.ends)}",
            f"SUMMARY:{escape_text(event.summary)}",
            f"SEQUENCE:{event.sequence}",
        ]
        if event.description:
            lines.append(f"DESCRIPTION:{escape_text(event.description)}")
        if event.location:
            lines.append(f"LOCATION:{escape_text(event.location)}")
        if event.url:
            lines.append(f"URL:{event.url}")
        if event.status:
            lines.append(f"STATUS:{event.status}")
        if event.categories:
            lines.append(f"CATEGORIES:{escape_text(event.categories)}")
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return b"".join(fold(line) for line in lines)
