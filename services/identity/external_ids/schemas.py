"""Schemas of external identifiers (ID-9)."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from services.common.types import StrictModel

ExternalSystem = Literal["moya_shkola", "sferum", "esia", "regional"]
EXTERNAL_SYSTEMS: tuple[str, ...] = ("moya_shkola", "sferum", "esia", "regional")
EntityType = Literal["user", "class_group"]


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


class ExternalIdRef(BaseModel):
    system: ExternalSystem = Field(description="Внешняя система")
    value: str = Field(description="Идентификатор во внешней системе")


class ExternalIdSet(StrictModel):
    value: ExternalValue = Field(description="Идентификатор во внешней системе, до 200 символов")


class ExternalIdRead(BaseModel):
    entity_type: EntityType = Field(description="Вид объекта: user или class_group")
    entity_id: uuid.UUID
    system: ExternalSystem
    value: str
