"""Schemas of courses' external ids (ID-9)."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from services.common.external_ids import ExternalSystem, ExternalValue
from services.common.types import StrictModel


class ExternalIdSet(StrictModel):
    value: ExternalValue = Field(description="Идентификатор во внешней системе, до 200 символов")


class ExternalIdRead(BaseModel):
    entity_type: Literal["course"] = Field(description="Вид объекта: course")
    entity_id: uuid.UUID
    system: ExternalSystem
    value: str
