"""Who may see a class group (ID-4, X-7).

Admin, staff and teachers see every class group of the school; a student sees the
class groups they belong to, a guardian those of linked children. Any other class
group is "not found". Changes are for admins only (403 before any lookup).
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import NotFound
from services.identity.users.auth import Viewer
from services.identity.users.repository import UserRepository


def class_group_not_found() -> NotFound:
    return NotFound("Класс не найден", code="class-group-not-found")


async def visible_class_ids(session: AsyncSession, viewer: Viewer) -> set[uuid.UUID] | None:
    """The class groups the caller may see, or None for "all of the school"."""
    if viewer.sees_everyone:
        return None
    people = set(viewer.children) | {viewer.user_id}
    return await UserRepository(session).class_ids_of_students(people, viewer.school_id)


async def require_visible_class(session: AsyncSession, viewer: Viewer, group_id: uuid.UUID) -> None:
    visible = await visible_class_ids(session, viewer)
    if visible is not None and group_id not in visible:
        raise class_group_not_found()
