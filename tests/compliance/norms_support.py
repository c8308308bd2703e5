"""Helpers of the screen-device norms tests (CO-1, CO-2): the expected cells, typed
from the seed's §5.10 table and the brief independently of ``norms/data.py``, and
builders of lesson plans that exercise one rule without touching the others."""

from __future__ import annotations

from typing import Any

import httpx

API = "/api/v1/compliance/norms"
SANPIN = "sanpin-1.2.3685-21"
SP = "sp-2.4.3648-20"
REGULATION = "polozhenie-eo-dot"

# device, band kind, from, to, per lesson, per day at school — §5.10, row by row.
SCHOOL_CELLS: list[tuple[str, str, int, int, int, int]] = [
    ("interactive_whiteboard", "age", 5, 7, 7, 20),
    ("interactive_whiteboard", "grade", 1, 3, 20, 80),
    ("interactive_whiteboard", "grade", 4, 4, 30, 90),
    ("interactive_whiteboard", "grade", 5, 9, 30, 100),
    ("interactive_whiteboard", "grade", 10, 11, 30, 120),
    ("interactive_panel", "age", 5, 7, 5, 10),
    ("interactive_panel", "grade", 1, 3, 10, 30),
    ("interactive_panel", "grade", 4, 4, 15, 45),
    ("interactive_panel", "grade", 5, 6, 20, 80),
    ("interactive_panel", "grade", 7, 11, 25, 100),
    ("pc", "age", 6, 7, 15, 20),
    ("pc", "grade", 1, 2, 20, 40),
    ("pc", "grade", 3, 4, 25, 50),
    ("pc", "grade", 5, 9, 30, 60),
    ("pc", "grade", 10, 11, 35, 70),
    ("laptop", "age", 6, 7, 15, 20),
    ("laptop", "grade", 1, 2, 20, 40),
    ("laptop", "grade", 3, 4, 25, 50),
    ("laptop", "grade", 5, 9, 30, 60),
    ("laptop", "grade", 10, 11, 35, 70),
    ("tablet", "age", 6, 7, 10, 10),
    ("tablet", "grade", 1, 2, 10, 30),
    ("tablet", "grade", 3, 4, 15, 45),
    ("tablet", "grade", 5, 9, 20, 60),
    ("tablet", "grade", 10, 11, 20, 80),  # the row that fell out of the seed's table
]
# device, grades from, to, per day at home including leisure (table 6.8, law).
HOME_CELLS: list[tuple[str, int, int, int]] = [
    (device, lo, hi, minutes)
    for device, figures in (
        ("pc", (80, 90, 120, 170)),
        ("laptop", (80, 90, 120, 170)),
        ("tablet", (80, 90, 120, 150)),
    )
    for (lo, hi), minutes in zip(((1, 2), (3, 4), (5, 9), (10, 11)), figures, strict=True)
]


def band_key(kind: str, lo: int, hi: int) -> str:
    prefix = "g" if kind == "grade" else "a"
    return f"{prefix}{lo}" if lo == hi else f"{prefix}{lo}-{hi}"


def subject(kind: str, value: int) -> dict[str, int]:
    return {"grade": value} if kind == "grade" else {"age": value}


def chunks(
    device: str, minutes: int, *, kind: str = "viewing", size: int = 5
) -> tuple[list[dict[str, Any]], int]:
    """``minutes`` on ``device`` in timed pieces of at most ``size`` minutes with a
    minute's pause between them (so no continuous limit is reached); returns the
    segments and the minutes they span."""
    segments: list[dict[str, Any]] = []
    start = 0
    left = minutes
    while left > 0:
        piece = min(size, left)
        segments.append({"device": device, "minutes": piece, "kind": kind, "start_minute": start})
        start += piece + 1
        left -= piece
    return segments, max(start - 1, 0)


def spread_lesson(
    device: str, minutes: int, *, delivery: str = "in_person", **extra: Any
) -> dict[str, Any]:
    segments, span = chunks(device, minutes)
    return {
        "duration_minutes": max(45, span),
        "delivery_form": delivery,
        "segments": segments,
        **extra,
    }


def day_of(device: str, total: int, per_lesson: int) -> list[dict[str, Any]]:
    """Lessons with ``total`` minutes on ``device``, none above ``per_lesson``."""
    lessons: list[dict[str, Any]] = []
    left = total
    while left > 0:
        share = min(per_lesson, left)
        lessons.append(spread_lesson(device, share, lesson_number=len(lessons) + 1))
        left -= share
    return lessons


def only_rule(body: dict[str, Any], rule_id: str) -> dict[str, Any]:
    """The one violation of a result, asserting it is of ``rule_id``."""
    found = [v["rule_id"] for v in body["violations"]]
    assert found == [rule_id], found
    return dict(body["violations"][0])


def assert_violation(
    v: dict[str, Any],
    *,
    rule_id: str,
    set_code: str,
    clause_part: str,
    limit: int,
    actual: int,
    severity: str = "block",
    device: str | None = None,
) -> None:
    assert v["rule_id"] == rule_id
    assert v["set_code"] == set_code
    assert v["set_version"] == 1
    assert clause_part in v["clause"], v["clause"]
    assert v["limit"] == limit
    assert v["actual"] == actual
    assert v["unit"] == "min"
    assert v["severity"] == severity
    assert v["device"] == device
    assert v["message"]


def assert_problem(response: httpx.Response, status: int, code: str, *parts: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:eo:problem:{code}", body
    assert any("а" <= ch <= "я" for ch in body["detail"].lower())
    for part in parts:
        assert part in body["detail"], (part, body["detail"])
    return body
