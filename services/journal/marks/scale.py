"""The school's marking scale (JO-2): default 2–5 plus pass / fail."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError
from services.journal.models import SchoolScale

DEFAULT_VALUES: list[dict[str, Any]] = [
    {"value": "5", "numeric": 5, "label": "отлично"},
    {"value": "4", "numeric": 4, "label": "хорошо"},
    {"value": "3", "numeric": 3, "label": "удовлетворительно"},
    {"value": "2", "numeric": 2, "label": "неудовлетворительно"},
    {"value": "зачёт", "numeric": None, "label": "зачтено"},
    {"value": "незачёт", "numeric": None, "label": "не зачтено"},
]


async def scale_values(session: AsyncSession, school_id: uuid.UUID) -> list[dict[str, Any]]:
    row = await session.get(SchoolScale, school_id)
    return list(row.values) if row is not None else [dict(v) for v in DEFAULT_VALUES]


def numeric_of(values: list[dict[str, Any]], value: str) -> float | None:
    """The numeric value of a mark (None for pass / fail); 422 outside the scale."""
    for item in values:
        if item["value"] == value:
            numeric = item.get("numeric")
            return float(numeric) if numeric is not None else None
    allowed = ", ".join(str(v["value"]) for v in values)
    raise BusinessRuleError(
        f"Отметка «{value}» не входит в шкалу школы ({allowed})", code="value-not-in-scale"
    )


async def save_scale(
    session: AsyncSession, school_id: uuid.UUID, values: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    seen: set[str] = set()
    for item in values:
        if item["value"] in seen:
            raise BusinessRuleError(
                f"Значение «{item['value']}» повторяется в шкале", code="scale-duplicate"
            )
        seen.add(item["value"])
    row = await session.get(SchoolScale, school_id)
    if row is None:
        session.add(SchoolScale(school_id=school_id, values=values))
    else:
        row.values = values
    await session.flush()
    return values
