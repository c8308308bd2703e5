"""``/school-settings``: the school's learning settings (Reg §2.2, §2.3, §2.5)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import inspect
from sqlalchemy.exc import IntegrityError

from services.common.app import api_router
from services.common.auth import AdminPrincipal, Principal, require_roles
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, Conflict, problem_responses
from services.learning.models import SchoolSettings
from services.learning.school_settings.schemas import SchoolSettingsRead, SchoolSettingsUpdate
from services.learning.school_settings.service import save_school_settings, school_settings

router = api_router(prefix="/api/v1/learning", tags=["school-settings"])

SettingsReader = Annotated[Principal, Depends(require_roles("admin", "staff", "teacher"))]


def settings_read(row: SchoolSettings, unreachable_default: str) -> SchoolSettingsRead:
    saved = inspect(row).has_identity
    return SchoolSettingsRead(
        school_day_ends_at=row.school_day_ends_at,
        compliance_unreachable=(
            row.compliance_unreachable if saved else unreachable_default  # type: ignore[arg-type]
        ),
        email_copies_enabled=row.email_copies_enabled,
        is_default=not saved,
        updated_at=row.updated_at if saved else None,
    )


@router.get(
    "/school-settings",
    response_model=SchoolSettingsRead,
    summary="Настройки обучения в школе",
    description=(
        "Для администрации, персонала и педагогов. Пока настройки не сохранены, действуют "
        "значения по умолчанию: конец учебного дня 18:00, при недоступности проверки норм — "
        "как задано для сервиса (LEARNING_COMPLIANCE_UNREACHABLE_DEFAULT, по умолчанию не "
        "публиковать), копии заданий по электронной почте — включены. Время — строкой ЧЧ:ММ "
        "по часовому поясу школы. Блокирует ли нарушение норм работы с ЭСО публикацию или "
        "только предупреждает, решает настройка violation_mode сервиса проверки норм "
        "(PUT /api/v1/compliance/norms/settings)."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def get_school_settings(
    request: Request, principal: SettingsReader, session: SessionDep
) -> SchoolSettingsRead:
    return settings_read(
        await school_settings(session, principal.school_id), _unreachable_default(request)
    )


def _unreachable_default(request: Request) -> str:
    return str(request.app.state.settings.compliance_unreachable_default)


@router.put(
    "/school-settings",
    response_model=SchoolSettingsRead,
    summary="Сохранить настройки обучения в школе (администратор)",
    description=(
        "Настройки передаются целиком. Время — строкой ЧЧ:ММ по часовому поясу школы. "
        "Блокировку или предупреждение при нарушении норм работы с ЭСО задаёт "
        "violation_mode в PUT /api/v1/compliance/norms/settings."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def update_school_settings(
    request: Request, body: SchoolSettingsUpdate, principal: AdminPrincipal, session: SessionDep
) -> SchoolSettingsRead:
    try:
        row = await save_school_settings(
            session,
            principal.school_id,
            school_day_ends_at=body.school_day_ends_at,
            compliance_unreachable=body.compliance_unreachable,
            email_copies_enabled=body.email_copies_enabled,
        )
    except IntegrityError:
        raise Conflict(
            "Настройки школы сохраняются одновременно другим запросом; повторите",
            code="school-settings-conflict",
        ) from None
    return settings_read(row, _unreachable_default(request))
