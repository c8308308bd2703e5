"""The external systems a person, class group or course may be addressed in (ID-9).

``moya_shkola`` — ФГИС «Моя школа», ``sferum`` — Сферум, ``esia`` — ЕСИА,
``regional`` — the region's e-journal. Identity keeps the ids of people and class
groups (and publishes them as ``external_id.set`` / ``external_id.removed`` events that
the directory replica keeps); learning keeps the ids of courses.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, StringConstraints

ExternalSystem = Literal["moya_shkola", "sferum", "esia", "regional"]
EXTERNAL_SYSTEMS: tuple[str, ...] = ("moya_shkola", "sferum", "esia", "regional")
SYSTEMS_DOC = (
    "moya_shkola — ФГИС «Моя школа», sferum — Сферум, esia — ЕСИА, regional — региональная система"
)


def _plain(value: str) -> str:
    if any(ord(ch) < 32 for ch in value):
        raise ValueError("Строка содержит управляющие символы")
    return value


# Constraints first, then the check: the length is measured after stripping.
ExternalValue = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
    AfterValidator(_plain),
]
