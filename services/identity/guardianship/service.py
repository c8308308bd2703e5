"""Rules of guardian ↔ student links (ID-3).

The guardian holds the ``guardian`` role, the student the ``student`` role, both of
the caller's school, and a pair is linked once. Showing children writes the
personal-data access log through the user presenter (ID-10).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.identity.guardianship.repository import GuardianshipRepository
from services.identity.guardianship.schemas import (
    ChildLink,
    GuardianLink,
    GuardianshipCreate,
    GuardianshipRead,
)
from services.identity.models import Guardianship, User, kernel
from services.identity.users.auth import Viewer, require_admin, require_level
from services.identity.users.repository import UserRepository
from services.identity.users.service import UserPresenter, UserService, person_brief


def guardianship_payload(link: Guardianship, guardian: User, student: User) -> dict[str, Any]:
    def names(user: User) -> dict[str, Any]:
        return {
            "last_name": user.last_name,
            "first_name": user.first_name,
            "middle_name": user.middle_name,
        }

    return {
        "id": str(link.id),
        "guardian_id": str(guardian.id),
        "student_id": str(student.id),
        "relation": link.relation,
        "guardian": names(guardian),
        "student": names(student),
    }


class GuardianshipService:
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.session = session
        self.viewer = viewer
        self.links = GuardianshipRepository(session)
        self.users = UserRepository(session)

    @property
    def school_id(self) -> uuid.UUID:
        return self.viewer.school_id

    async def _person(self, user_id: uuid.UUID, role: str, message: str, code: str) -> User:
        user = await self.users.in_school(user_id, self.school_id)
        if user is None or role not in user.role_names:
            raise BusinessRuleError(message, code=code)
        return user

    async def create(self, body: GuardianshipCreate) -> GuardianshipRead:
        if body.guardian_id == body.student_id:
            raise BusinessRuleError(
                "Нельзя связать человека с самим собой", code="self-guardianship"
            )
        guardian = await self._person(
            body.guardian_id,
            "guardian",
            "Родителем может быть только пользователь этой школы с ролью guardian",
            "not-a-guardian",
        )
        student = await self._person(
            body.student_id,
            "student",
            "Ребёнком может быть только обучающийся этой школы",
            "not-a-student",
        )
        if await self.links.find(guardian.id, student.id) is not None:
            raise Conflict("Эта связь уже есть", code="guardianship-exists")
        link = Guardianship(
            id=uuid.uuid4(),
            school_id=self.school_id,
            guardian_id=guardian.id,
            student_id=student.id,
            relation=body.relation,
        )
        self.session.add(link)
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict("Эта связь уже есть", code="guardianship-exists") from None
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="guardianship.created",
            aggregate_type="guardianship",
            aggregate_id=link.id,
            payload=guardianship_payload(link, guardian, student),
        )
        return GuardianshipRead.model_validate(link, from_attributes=True)

    async def delete(self, link_id: uuid.UUID) -> None:
        link = await self.links.get(link_id, school_id=self.school_id)
        if link is None:
            raise NotFound("Связь не найдена", code="guardianship-not-found")
        require_admin(self.viewer)
        guardian = await self.users.in_school(link.guardian_id, self.school_id)
        student = await self.users.in_school(link.student_id, self.school_id)
        if guardian is None or student is None:  # pragma: no cover - foreign keys hold
            raise NotFound("Связь не найдена", code="guardianship-not-found")
        payload = guardianship_payload(link, guardian, student)
        await self.links.delete(link)
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="guardianship.removed",
            aggregate_type="guardianship",
            aggregate_id=link.id,
            payload=payload,
        )

    async def guardians(
        self, student_id: uuid.UUID, params: PageParams
    ) -> tuple[list[GuardianLink], dict[str, Any] | None]:
        await UserService(self.session, self.viewer).visible_user(student_id)
        links, cursor = await self.links.page_for(self.school_id, params, student_id=student_id)
        users = {
            u.id: u
            for u in await self.users.many_in_school([x.guardian_id for x in links], self.school_id)
        }
        items = [
            GuardianLink(
                guardianship_id=link.id,
                relation=link.relation,
                guardian=person_brief(users[link.guardian_id]),
            )
            for link in links
        ]
        return items, cursor

    async def children(
        self, guardian_id: uuid.UUID, params: PageParams, *, resource: str
    ) -> tuple[list[ChildLink], dict[str, Any] | None]:
        await UserService(self.session, self.viewer).visible_user(guardian_id)
        links, cursor = await self.links.page_for(self.school_id, params, guardian_id=guardian_id)
        # A child the caller may not see at all is left out rather than exposed.
        shown = [link for link in links if self.viewer.level(link.student_id) is not None]
        users = {
            u.id: u
            for u in await self.users.many_in_school([x.student_id for x in shown], self.school_id)
        }
        levels = {link.student_id: require_level(self.viewer, link.student_id) for link in shown}
        views = await UserPresenter(self.session, self.viewer).present(
            [users[link.student_id] for link in shown], resource=resource, levels=levels
        )
        items = [
            ChildLink(guardianship_id=link.id, relation=link.relation, child=view)
            for link, view in zip(shown, views, strict=True)
        ]
        return items, cursor
