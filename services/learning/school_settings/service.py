"""Reading a school's learning settings (defaults when none were saved)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.learning.models.school_settings import DEFAULT_SCHOOL_DAY_ENDS_AT, SchoolSettings


async def school_settings(session: AsyncSession, school_id: uuid.UUID) -> SchoolSettings:
    row = await session.get(SchoolSettings, school_id)
    if row is None:
        row = SchoolSettings(school_id=school_id)  # not added: defaults only
        row.school_day_ends_at = DEFAULT_SCHOOL_DAY_ENDS_AT
        row.compliance_unreachable = "refuse"
        row.email_copies_enabled = True
    return row
