"""``POST /users/import``: the CSV roster import (ID-1 … ID-4, ID-9)."""

from __future__ import annotations

from fastapi import Request, Response, status

from services.common.app import api_router
from services.common.csvio import CSV_RESPONSE, csv_response
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, UnsupportedMedia, problem_responses
from services.identity.deps import PasswordsDep, SettingsDep
from services.identity.roster.auth import RosterImporter
from services.identity.roster.schemas import EXPORT_COLUMNS, RosterImportResult
from services.identity.roster.service import RosterExportService, RosterService

router = api_router(prefix="/api/v1/identity", tags=["users"])

_CSV_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {
                "schema": {"type": "string"},
                "example": (
                    "username;last_name;first_name;middle_name;birth_date;email;roles;class;"
                    "guardian_of;external_system;external_id\n"
                    "ivanov.p;Иванов;Пётр;Сергеевич;01.03.2013;;student;7Б;;moya_shkola;100234\n"
                    "ivanova.m;Иванова;Мария;Петровна;;m.ivanova@example.org;guardian;;ivanov.p;;\n"
                ),
            }
        },
    }
}


def require_csv(request: Request) -> None:
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    if media_type.strip().lower() != "text/csv":
        raise UnsupportedMedia(
            "Передайте файл с заголовком Content-Type: text/csv", code="csv-required"
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise UnsupportedMedia("Файл должен быть в кодировке UTF-8", code="csv-charset")


@router.post(
    "/users/import",
    response_model=RosterImportResult,
    status_code=status.HTTP_201_CREATED,
    summary="Загрузить список участников из CSV (администратор)",
    description=(
        "Формат — в docs/csv-roster-format.md: UTF-8 (с BOM или без), разделитель `;` или `,`, "
        "столбцы username, last_name, first_name, middle_name, birth_date, email, roles, "
        "class, guardian_of, external_system, external_id. Если хоть одна строка неверна — "
        "422 со списком `errors: [{line, field, message}]`, и ничего не сохраняется. Иначе "
        "все записи создаются разом; одноразовые пароли возвращаются один раз."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409, 413, 415),
    openapi_extra=_CSV_BODY,
)
async def import_users(
    request: Request,
    response: Response,
    viewer: RosterImporter,
    session: SessionDep,
    passwords: PasswordsDep,
    settings: SettingsDep,
) -> RosterImportResult:
    require_csv(request)
    response.headers["Cache-Control"] = "no-store"
    service = RosterService(session, viewer, passwords, settings.csv_import_max_rows)
    return await service.import_csv(await request.body())


@router.get(
    "/users/export.csv",
    response_class=Response,
    summary="Выгрузить список участников в CSV (администратор)",
    description=(
        "Действующие учётные записи школы в формате загрузки (docs/csv-roster-format.md): "
        + ", ".join(EXPORT_COLUMNS)
        + ". Внешние идентификаторы — по столбцу на систему; пароли не выгружаются. "
        "Каждая выгрузка записывается в журнал доступа к персональным данным."
    ),
    responses={**CSV_RESPONSE, **problem_responses(*AUTH_ERRORS)},
)
async def export_users(viewer: RosterImporter, session: SessionDep) -> Response:
    rows = await RosterExportService(session, viewer).rows()
    response = csv_response(EXPORT_COLUMNS, rows, "roster.csv")
    response.headers["Cache-Control"] = "no-store"
    return response
