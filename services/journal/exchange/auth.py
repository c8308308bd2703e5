"""Who may take exchange files: admins and staff of a school, and other services (GW-5).

A service token names no school, so a service passes ``school_id``; an admin's or
staff member's school is their own (another ``school_id`` is 404).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.errors import BadRequest, Forbidden, NotFound
from services.journal.models import directory


def school_not_found() -> NotFound:
    return NotFound("Школа не найдена", code="school-not-found")


async def exchange_school(
    session: AsyncSession, principal: Principal, school_id: uuid.UUID | None
) -> Any:
    if principal.is_service:
        if school_id is None:
            raise BadRequest(
                "Укажите school_id: токен сервиса не называет школу", code="school-id-required"
            )
        wanted = school_id
    elif principal.has("admin", "staff"):
        if school_id is not None and school_id != principal.school_id:
            raise school_not_found()
        wanted = principal.school_id
    else:
        raise Forbidden("Файлы обмена доступны администрации школы и сервисам")
    school = await session.get(directory.school, wanted)
    if school is None:
        raise school_not_found()
    return school
