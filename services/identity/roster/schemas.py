"""Schemas of the CSV roster import (ID-1, ID-2, ID-3, ID-4, ID-9).

The file format is documented in ``docs/csv-roster-format.md``.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

COLUMNS: tuple[str, ...] = (
    "username",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "email",
    "roles",
    "class",
    "guardian_of",
    "external_system",
    "external_id",
    # one column per system: the export writes these, the import reads them too
    "external_id_moya_shkola",
    "external_id_sferum",
    "external_id_esia",
    "external_id_regional",
)
# The export: the import's columns, external ids one column per system.
EXPORT_COLUMNS: tuple[str, ...] = (
    "username",
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "email",
    "roles",
    "class",
    "guardian_of",
    "external_id_moya_shkola",
    "external_id_sferum",
    "external_id_esia",
    "external_id_regional",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("username", "last_name", "first_name", "roles")


class ImportedUser(BaseModel):
    line: int = Field(description="Строка файла (заголовок — строка 1)")
    id: uuid.UUID
    username: str
    password: str = Field(description="Одноразовый пароль: показывается один раз")


class RosterImportResult(BaseModel):
    created: int = Field(description="Сколько учётных записей создано")
    memberships: int = Field(description="Сколько обучающихся добавлено в классы")
    guardianships: int = Field(description="Сколько связей родитель — ребёнок создано")
    external_ids: int = Field(description="Сколько внешних идентификаторов записано")
    users: list[ImportedUser] = Field(description="Логин → одноразовый пароль, по строкам файла")


class RosterError(BaseModel):
    line: int = Field(description="Номер строки файла (заголовок — строка 1)")
    field: str = Field(description="Столбец, например birth_date")
    message: str
    code: str
