from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from services.common.types import SafeStr, StrictModel


class SchoolBrief(BaseModel):
    id: uuid.UUID
    name: str
    short_name: str
    timezone: str


class MeRead(BaseModel):
    id: uuid.UUID
    username: str
    last_name: str
    first_name: str
    middle_name: str | None
    birth_date: date | None
    email: str | None
    roles: list[str]
    must_change_password: bool
    school: SchoolBrief


class PasswordChange(StrictModel):
    current_password: SafeStr = Field(max_length=1024)
    new_password: SafeStr = Field(max_length=1024, description="От 8 до 128 символов")


class InitialPasswordChange(StrictModel):
    username: SafeStr = Field(min_length=1, max_length=64)
    current_password: SafeStr = Field(max_length=1024, description="Выданный школой пароль")
    new_password: SafeStr = Field(max_length=1024, description="От 8 до 128 символов")
