"""Reading a school's learning settings (defaults when none were saved)."""

from __future__ import annotations

import uuid
from datetime import time

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


async def save_school_settings(
    session: AsyncSession,
    school_id: uuid.UUID,
    *,
    school_day_ends_at: time,
    compliance_unreachable: str,
    email_copies_enabled: bool,
) -> SchoolSettings:
    """Store a school's settings (the first save creates its row)."""
    row = await session.get(SchoolSettings, school_id)
    if row is None:
        row = SchoolSettings(school_id=school_id)
        session.add(row)
    row.school_day_ends_at = school_day_ends_at
    row.compliance_unreachable = compliance_unreachable
    row.email_copies_enabled = email_copies_enabled
    await session.flush()
    return row
