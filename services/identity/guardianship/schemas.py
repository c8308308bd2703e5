"""Schemas of guardian ↔ student links (ID-3)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.common.types import StrictModel
from services.identity.users.schemas import PersonBrief, UserView

Relation = Literal["parent", "adoptive_parent", "guardian", "trustee", "other"]


class GuardianshipCreate(StrictModel):
    guardian_id: uuid.UUID = Field(description="Родитель (законный представитель): роль guardian")
    student_id: uuid.UUID = Field(description="Обучающийся: роль student")
    relation: Relation = Field(
        default="parent",
        description="parent — родитель, adoptive_parent — усыновитель, guardian — опекун, "
        "trustee — попечитель, other — иной законный представитель",
    )


class GuardianshipRead(BaseModel):
    id: uuid.UUID
    guardian_id: uuid.UUID
    student_id: uuid.UUID
    relation: str
    created_at: datetime


class GuardianLink(BaseModel):
    guardianship_id: uuid.UUID
    relation: str
    guardian: PersonBrief


class ChildLink(BaseModel):
    guardianship_id: uuid.UUID
    relation: str
    child: UserView
