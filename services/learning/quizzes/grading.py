"""Grading of quiz answers (LE-8): pure functions, no database.

* single and multiple choice: right when the chosen set equals the correct set (no
  partial credit);
* short answer: right when the answer equals an accepted one after normalisation
  (surrounding and repeated spaces dropped, case ignored, «ё» read as «е»);
* numeric: right when |answer − value| ≤ tolerance, boundaries included, compared as
  decimals so that 3.14 ± 0.01 accepts 3.13 and 3.15 exactly;
* free text: graded by the teacher.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from services.common.marks import mark_from_percent
from services.learning.models.quizzes import QuizQuestion

_SPACES = re.compile(r"\s+")
# At most 30 digits and a three-digit exponent: nothing decimal arithmetic overflows on.
_NUMBER = re.compile(r"^[+-]?(\d{1,30}([.,]\d{0,30})?|[.,]\d{1,30})([eE][+-]?\d{1,3})?$")


def normalise_text(value: str) -> str:
    """Short answers compare without case, extra spaces or the ё/е distinction."""
    return _SPACES.sub(" ", value.strip()).casefold().replace("ё", "е")


def parse_number(value: str) -> Decimal | None:
    """A number as a student types it: «3,14», «-2.5», «1 000» (None if it is not one)."""
    compact = value.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(compact):
        return None
    try:
        number = Decimal(compact.replace(",", "."))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


@dataclass(frozen=True)
class Grade:
    is_correct: bool | None  # None: waits for the teacher
    points: int | None


def grade_response(question: QuizQuestion, response: dict[str, Any] | None) -> Grade:
    """The grade of one answer (``response`` None: not answered)."""
    if question.kind == "free_text":
        text = (response or {}).get("text")
        if not isinstance(text, str) or not text.strip():
            return Grade(False, 0)
        return Grade(None, None)
    right = _is_right(question, response or {})
    return Grade(right, question.points if right else 0)


def _is_right(question: QuizQuestion, response: dict[str, Any]) -> bool:
    kind = question.kind
    if kind in ("single_choice", "multiple_choice"):
        chosen = response.get("option_ids")
        if not isinstance(chosen, list) or not chosen:
            return False
        return set(chosen) == set(question.correct_option_ids)
    text = response.get("text")
    if not isinstance(text, str) or not text.strip():
        return False
    if kind == "short_answer":
        given = normalise_text(text)
        return any(given == normalise_text(a) for a in question.accepted_answers)
    if kind == "numeric":
        number = parse_number(text)
        if number is None or question.numeric_value is None:
            return False
        tolerance = Decimal(question.numeric_tolerance or "0")
        return abs(number - Decimal(question.numeric_value)) <= tolerance
    return False


def percent_of(score: int, max_score: int) -> float:
    if max_score <= 0:
        return 0.0
    return round(score * 100 / max_score, 1)


def mark_for(percent: float, thresholds: dict[str, float] | None) -> str:
    """The five-point mark: the quiz's own thresholds, else the school default."""
    if not thresholds:
        return mark_from_percent(percent)
    for mark in ("5", "4", "3"):
        if percent >= float(thresholds[mark]):
            return mark
    return "2"


def distribution_key(question: QuizQuestion, response: dict[str, Any]) -> list[str]:
    """What an answer counts as in the per-question distribution."""
    if question.kind in ("single_choice", "multiple_choice"):
        chosen = response.get("option_ids")
        return [str(c) for c in chosen] if isinstance(chosen, list) else []
    text = response.get("text")
    if not isinstance(text, str) or not text.strip():
        return []
    if question.kind == "numeric":
        number = parse_number(text)
        return [format(number.normalize(), "f")] if number is not None else [text.strip()]
    if question.kind == "short_answer":
        return [normalise_text(text)]
    return []
