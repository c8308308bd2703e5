"""The default marking scale (JO-2): 2–5 plus pass / fail.

Learning records a reviewer's mark on this scale; the journal keeps the school's
configurable scale and accepts these values.
"""

from __future__ import annotations

from typing import Literal

MarkValue = Literal["2", "3", "4", "5", "зачёт", "незачёт"]
DEFAULT_SCALE: tuple[str, ...] = ("2", "3", "4", "5", "зачёт", "незачёт")
NUMERIC_MARKS: dict[str, int] = {"2": 2, "3": 3, "4": 4, "5": 5}


def mark_from_percent(percent: float) -> str:
    """A five-point mark from a test score (the common 50 / 70 / 85 % thresholds)."""
    if percent >= 85:
        return "5"
    if percent >= 70:
        return "4"
    if percent >= 50:
        return "3"
    return "2"
