"""Who may see whom (ID-2, ID-3, ID-10, X-7).

Everything is scoped to the caller's school by the queries; within it:

* admin, staff: every user, full profile;
* teacher: every user, brief profile; full profile of the students of the current
  year's classes the teacher is homeroom teacher of;
* student: self only;
* guardian: self and linked children (full profile);
* a person holding several roles gets the union.

A user the caller may not see is "not found" (404), never 403: the caller learns
nothing about who exists. Writes are checked by role (403) before any lookup.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import Depends
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import AdminPrincipal, CurrentPrincipal, Principal, StaffPrincipal
from services.common.db import SessionDep
from services.common.errors import Forbidden, NotFound
from services.identity.users.repository import UserRepository

Level = Literal["full", "brief"]


@dataclass(frozen=True, slots=True)
class Viewer:
    principal: Principal
    children: frozenset[uuid.UUID]
    homeroom_students: frozenset[uuid.UUID]

    @property
    def user_id(self) -> uuid.UUID:
        return self.principal.user_id

    @property
    def school_id(self) -> uuid.UUID:
        return self.principal.school_id

    @property
    def is_admin(self) -> bool:
        return self.principal.has("admin")

    @property
    def is_administration(self) -> bool:
        """Admin or staff: reads everything of the school."""
        return self.principal.has("admin", "staff")

    @property
    def sees_everyone(self) -> bool:
        """Admin, staff and teachers see every user of the school (teachers briefly)."""
        return self.principal.has("admin", "staff", "teacher")

    def visible_ids(self) -> frozenset[uuid.UUID] | None:
        """The users the caller may see, or None for "all of the school"."""
        if self.sees_everyone:
            return None
        return self.children | {self.user_id}

    def level(self, user_id: uuid.UUID) -> Level | None:
        if user_id == self.user_id or self.is_administration:
            return "full"
        if user_id in self.children or user_id in self.homeroom_students:
            return "full"
        if self.principal.has("teacher"):
            return "brief"
        return None

    def may_manage_personal_data(self, subject_id: uuid.UUID) -> bool:
        """Consents of a person: the person, a linked guardian, admin or staff (ID-10)."""
        return subject_id == self.user_id or subject_id in self.children or self.is_administration

    def may_export(self, subject_id: uuid.UUID) -> bool:
        """Data-subject export: the person, a linked guardian, or an admin (ID-10)."""
        return subject_id == self.user_id or subject_id in self.children or self.is_admin


async def load_viewer(session: AsyncSession, principal: Principal) -> Viewer:
    repo = UserRepository(session)
    children: set[uuid.UUID] = set()
    homeroom: set[uuid.UUID] = set()
    if principal.has("guardian"):
        children = await repo.children_ids(principal.user_id, principal.school_id)
    if principal.has("teacher") and not principal.has("admin", "staff"):
        homeroom = await repo.homeroom_student_ids(principal.user_id, principal.school_id)
    return Viewer(principal, frozenset(children), frozenset(homeroom))


def user_not_found() -> NotFound:
    return NotFound("Пользователь не найден", code="user-not-found")


def require_level(viewer: Viewer, user_id: uuid.UUID) -> Level:
    """The caller's view of ``user_id``; 404 when the caller may not see the user at all."""
    level = viewer.level(user_id)
    if level is None:
        raise user_not_found()
    return level


def require_admin(viewer: Viewer) -> None:
    """Admin-only writes: called after the object was found in the caller's school, so
    another school's object is 404 and only a same-school non-admin gets 403."""
    if not viewer.is_admin:
        raise Forbidden("Действие доступно только администратору", code="admin-only")


def require_full(viewer: Viewer, user_id: uuid.UUID) -> None:
    """Reads of personal data beyond the brief profile: 404 if unseen, 403 if only brief."""
    if require_level(viewer, user_id) != "full":
        raise Forbidden(
            "Эти сведения о пользователе вам недоступны", code="personal-data-forbidden"
        )


async def get_viewer(principal: CurrentPrincipal, session: SessionDep) -> Viewer:
    return await load_viewer(session, principal)


async def get_admin_viewer(principal: AdminPrincipal, session: SessionDep) -> Viewer:
    return await load_viewer(session, principal)


async def get_staff_viewer(principal: StaffPrincipal, session: SessionDep) -> Viewer:
    return await load_viewer(session, principal)


# Any member of the school, with what they may see; admins only (403 otherwise); admin or staff.
ViewerDep = Annotated[Viewer, Depends(get_viewer)]
AdminViewerDep = Annotated[Viewer, Depends(get_admin_viewer)]
StaffViewerDep = Annotated[Viewer, Depends(get_staff_viewer)]
