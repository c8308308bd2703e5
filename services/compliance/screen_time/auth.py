"""Who may report and read actual screen time (CO-3, X-7).

* report: the student about themself, a guardian about a linked child, staff and admins
  about any student of their school, and the platform's services (client apps) naming
  the school in ``school_id``; teachers do not report. A student who is not the
  caller's to report about is "not found" (404), like a student of another school;
* read: the student their own days, a guardian their linked children (another child is
  404), a teacher the students of their classes (homeroom classes and the classes of
  their courses; other students 404), staff and admins every student of the school.
  Services read nothing here: the dashboard learns alerts from the change feed.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import SERVICE_ROLE, Principal, require_roles
from services.common.directory import Directory
from services.compliance.models import directory
from services.compliance.screen_time.repository import LessonRepository

Reporter = Annotated[
    Principal, Depends(require_roles("student", "guardian", "staff", "admin", SERVICE_ROLE))
]
Reader = Annotated[
    Principal, Depends(require_roles("student", "guardian", "teacher", "staff", "admin"))
]


async def visible_students(session: AsyncSession, principal: Principal) -> set[uuid.UUID] | None:
    """The students the caller may read, or None for every student of the school."""
    if principal.has("admin", "staff"):
        return None
    school_id = principal.school_id
    dir_ = Directory(session, directory)
    out: set[uuid.UUID] = set()
    if principal.has("student"):
        out.add(principal.user_id)
    if principal.has("guardian"):
        out |= await dir_.children_of(school_id, principal.user_id)
    if principal.has("teacher"):
        groups = await dir_.homeroom_groups(school_id, principal.user_id)
        groups |= await LessonRepository(session).teacher_groups(school_id, principal.user_id)
        out |= await dir_.students_of(school_id, groups)
    return out


async def reportable_students(session: AsyncSession, principal: Principal) -> set[uuid.UUID] | None:
    """The students the caller may report about, or None for every student of the school."""
    if principal.is_service or principal.has("admin", "staff"):
        return None
    out: set[uuid.UUID] = set()
    if principal.has("student"):
        out.add(principal.user_id)
    if principal.has("guardian"):
        out |= await Directory(session, directory).children_of(
            principal.school_id, principal.user_id
        )
    return out
