"""Rules of user accounts (ID-1, ID-2, ID-4, ID-7, ID-10).

* accounts are issued by the school: an admin creates one, the server makes a one-time
  password that is shown once, and the first login must change it (ID-1);
* deactivation and a password reset revoke every session at once (ID-5);
* an admin can't deactivate themselves or drop their own admin role (no lock-out);
* every time a caller is shown another person's full profile, a row goes to the
  personal-data access log (ID-10);
* events carry what consumers need (names, roles, classes; birth date of students
  only; never e-mail or phone).
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Conflict
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.identity.external_ids.schemas import ExternalIdRef
from services.identity.models import AcademicYear, ClassGroup, User, UserRole, kernel
from services.identity.passwords import Passwords
from services.identity.privacy.repository import AccessLogRepository
from services.identity.school.service import SchoolService
from services.identity.tokens.service import TokenService
from services.identity.users.auth import (
    Level,
    Viewer,
    require_admin,
    require_level,
    user_not_found,
)
from services.identity.users.repository import UserRepository
from services.identity.users.schemas import (
    ClassRef,
    PasswordIssued,
    PersonBrief,
    UserBrief,
    UserCreate,
    UserFull,
    UserUpdate,
)

# No look-alike characters (0/O, 1/l/I): the password is read off paper once.
_PASSWORD_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def generate_password() -> str:
    """A one-time password: three groups of four, about 70 bits of entropy."""
    groups = ("".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(4)) for _ in range(3))
    return "-".join(groups)


def class_ref(group: ClassGroup, year: AcademicYear) -> ClassRef:
    return ClassRef(
        id=group.id,
        name=group.name,
        grade=group.grade,
        letter=group.letter,
        academic_year_id=year.id,
        academic_year=year.name,
        is_current_year=year.is_current,
    )


def person_brief(user: User) -> PersonBrief:
    return PersonBrief(
        id=user.id,
        last_name=user.last_name,
        first_name=user.first_name,
        middle_name=user.middle_name,
        is_active=user.is_active,
    )


def user_payload(user: User, classes: Sequence[ClassRef], trained: bool) -> dict[str, Any]:
    """The event payload of a user: enough for consumers, no contact data."""
    roles = sorted(user.role_names)
    payload: dict[str, Any] = {
        "id": str(user.id),
        "username": user.username,
        "last_name": user.last_name,
        "first_name": user.first_name,
        "middle_name": user.middle_name,
        "roles": roles,
        "is_active": user.is_active,
        "class_groups": [
            {
                "id": str(c.id),
                "name": c.name,
                "grade": c.grade,
                "letter": c.letter,
                "academic_year_id": str(c.academic_year_id),
                "academic_year": c.academic_year,
                "is_current_year": c.is_current_year,
            }
            for c in classes
        ],
    }
    if "student" in roles:
        # Needed downstream: "aged 18+" (§3.9) and the hygiene age bands.
        payload["birth_date"] = user.birth_date.isoformat() if user.birth_date else None
    if "teacher" in roles:
        payload["trained_for_dot"] = trained
    return payload


class UserPresenter:
    """Renders users at the caller's level and logs reads of others' full profiles."""

    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.session = session
        self.viewer = viewer
        self.users = UserRepository(session)
        self.access_log = AccessLogRepository(session)
        self._today: date | None = None

    async def today(self) -> date:
        if self._today is None:
            self._today = await SchoolService(self.session).today(self.viewer.school_id)
        return self._today

    async def facts(
        self, users: Sequence[User], full_ids: Sequence[uuid.UUID]
    ) -> tuple[
        dict[uuid.UUID, list[ClassRef]], set[uuid.UUID], dict[uuid.UUID, list[ExternalIdRef]]
    ]:
        ids = [u.id for u in users]
        refs = await self.users.class_refs(ids)
        classes = {uid: [class_ref(g, y) for g, y in rows] for uid, rows in refs.items()}
        teachers = [u.id for u in users if "teacher" in u.role_names]
        trained = await self.users.trained_ids(teachers, await self.today()) if teachers else set()
        externals: dict[uuid.UUID, list[ExternalIdRef]] = {}
        if full_ids:
            rows = await self.users.external_ids("user", full_ids)
            externals = {
                uid: [ExternalIdRef(system=r.system, value=r.value) for r in items]  # type: ignore[arg-type]
                for uid, items in rows.items()
            }
        return classes, trained, externals

    async def present(
        self,
        users: Sequence[User],
        *,
        resource: str,
        levels: dict[uuid.UUID, Level] | None = None,
        record: bool = True,
    ) -> list[UserBrief | UserFull]:
        """Views at each user's level; ``record=False`` only when the caller logs the
        access itself (the export logs one ``export`` row instead of a ``read``)."""
        levels = levels or {u.id: require_level(self.viewer, u.id) for u in users}
        full_ids = [u.id for u in users if levels[u.id] == "full"]
        classes, trained, externals = await self.facts(users, full_ids)
        out: list[UserBrief | UserFull] = []
        for user in users:
            is_teacher = "teacher" in user.role_names
            trained_flag = (user.id in trained) if is_teacher else None
            if levels[user.id] == "full":
                out.append(
                    UserFull(
                        id=user.id,
                        username=user.username,
                        last_name=user.last_name,
                        first_name=user.first_name,
                        middle_name=user.middle_name,
                        birth_date=user.birth_date,
                        email=user.email,
                        phone=user.phone,
                        roles=sorted(user.role_names),
                        is_active=user.is_active,
                        must_change_password=user.must_change_password,
                        deactivated_at=user.deactivated_at,
                        created_at=user.created_at,
                        class_groups=classes.get(user.id, []),
                        trained_for_dot=trained_flag,
                        external_ids=externals.get(user.id, []),
                    )
                )
            else:
                out.append(
                    UserBrief(
                        id=user.id,
                        last_name=user.last_name,
                        first_name=user.first_name,
                        middle_name=user.middle_name,
                        roles=sorted(user.role_names),
                        is_active=user.is_active,
                        class_groups=classes.get(user.id, []),
                        trained_for_dot=trained_flag,
                    )
                )
        others = [uid for uid in full_ids if uid != self.viewer.user_id]
        if record:
            await self.access_log.record(
                self.viewer.school_id, self.viewer.user_id, others, "read", resource
            )
        return out

    async def present_one(self, user: User, *, resource: str) -> UserBrief | UserFull:
        return (await self.present([user], resource=resource))[0]

    async def full(self, user: User, *, resource: str, record: bool = True) -> UserFull:
        levels: dict[uuid.UUID, Level] = {user.id: "full"}
        view = (await self.present([user], resource=resource, levels=levels, record=record))[0]
        assert isinstance(view, UserFull)
        return view

    async def payloads(self, users: Sequence[User]) -> dict[uuid.UUID, dict[str, Any]]:
        classes, trained, _ = await self.facts(users, [])
        return {u.id: user_payload(u, classes.get(u.id, []), u.id in trained) for u in users}


class UserService:
    def __init__(
        self,
        session: AsyncSession,
        viewer: Viewer,
        passwords: Passwords | None = None,
        tokens: TokenService | None = None,
    ) -> None:
        self.session = session
        self.viewer = viewer
        self.passwords = passwords
        self.tokens = tokens
        self.users = UserRepository(session)
        self.presenter = UserPresenter(session, viewer)

    @property
    def school_id(self) -> uuid.UUID:
        return self.viewer.school_id

    def _hasher(self) -> Passwords:
        if self.passwords is None:  # pragma: no cover - a wiring mistake
            raise RuntimeError("UserService needs Passwords for this operation")
        return self.passwords

    def _sessions(self) -> TokenService:
        if self.tokens is None:  # pragma: no cover - a wiring mistake
            raise RuntimeError("UserService needs TokenService for this operation")
        return self.tokens

    async def visible_user(self, user_id: uuid.UUID) -> User:
        """The user if the caller may see them at all; otherwise 404."""
        require_level(self.viewer, user_id)
        user = await self.users.in_school(user_id, self.school_id)
        if user is None:
            raise user_not_found()
        return user

    async def in_school(self, user_id: uuid.UUID) -> User:
        user = await self.users.in_school(user_id, self.school_id)
        if user is None:
            raise user_not_found()
        return user

    async def for_admin(self, user_id: uuid.UUID) -> User:
        """A user of the school to change: 404 if not there, then 403 unless admin."""
        user = await self.in_school(user_id)
        require_admin(self.viewer)
        return user

    async def list_users(
        self,
        params: PageParams,
        *,
        role: str | None,
        class_group_id: uuid.UUID | None,
        q: str | None,
        active: bool | None,
        resource: str = "user_list",
    ) -> tuple[list[UserBrief | UserFull], dict[str, Any] | None]:
        rows, cursor = await self.users.page_in_school(
            self.school_id,
            params,
            role=role,
            class_group_id=class_group_id,
            q=q,
            active=active,
            only_ids=self.viewer.visible_ids(),
        )
        return await self.presenter.present(rows, resource=resource), cursor

    async def get(self, user_id: uuid.UUID) -> UserBrief | UserFull:
        user = await self.visible_user(user_id)
        return await self.presenter.present_one(user, resource="user_profile")

    async def emit_user(self, type_: str, user: User) -> None:
        payload = (await self.presenter.payloads([user]))[user.id]
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type=type_,
            aggregate_type="user",
            aggregate_id=user.id,
            payload=payload,
        )

    async def _flush(self) -> None:
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(
                "Запись изменена параллельным запросом; повторите", code="concurrent-change"
            ) from None

    async def create(self, body: UserCreate) -> tuple[UserFull, str]:
        if await self.users.taken_usernames([body.username]):
            raise Conflict("Этот логин уже занят", code="username-taken")
        password = generate_password()
        user_id = uuid.uuid4()
        user = User(
            id=user_id,
            school_id=self.school_id,
            username=body.username,
            last_name=body.last_name,
            first_name=body.first_name,
            middle_name=body.middle_name,
            birth_date=body.birth_date,
            email=body.email,
            phone=body.phone,
            password_hash=await self._hasher().hash(password),
            must_change_password=True,
            is_active=True,
            roles=[UserRole(school_id=self.school_id, user_id=user_id, role=r) for r in body.roles],
        )
        self.session.add(user)
        await self._flush()
        await self.emit_user("user.created", user)
        return await self.presenter.full(user, resource="user_create"), password

    async def _check_role_removal(self, user: User, removed: set[str]) -> None:
        if "admin" in removed and user.id == self.viewer.user_id:
            raise BusinessRuleError(
                "Нельзя снять роль администратора с самого себя", code="own-admin-role"
            )
        links = await self.users.role_links(user.id)
        messages = {
            "student": (
                "Обучающийся состоит в классе или связан с родителем; сначала уберите эти связи"
            ),
            "teacher": "Педагог — классный руководитель; сначала назначьте другого",
            "guardian": "У родителя есть связанные дети; сначала удалите эти связи",
        }
        for role, message in messages.items():
            if role in removed and links[role]:
                raise Conflict(message, code="role-in-use")

    async def update(self, user_id: uuid.UUID, body: UserUpdate) -> UserFull:
        user = await self.for_admin(user_id)
        before = (await self.presenter.payloads([user]))[user.id]
        changes = body.changes()
        roles = changes.pop("roles", None)
        removed: set[str] = set()
        if roles is not None:
            current = set(user.role_names)
            removed = current - set(roles)
            await self._check_role_removal(user, removed)
            user.roles = [r for r in user.roles if r.role in roles] + [
                UserRole(school_id=self.school_id, user_id=user.id, role=r)
                for r in sorted(set(roles) - current)
            ]
        for name, value in changes.items():
            setattr(user, name, value)
        if removed:
            # Tokens carry roles: a lost role must not live on in an old token.
            await self._sessions().revoke_all(user, "roles-changed")
        await self._flush()
        after = (await self.presenter.payloads([user]))[user.id]
        if after != before:  # e-mail and phone are not in events: no event for them alone
            await emit(
                self.session,
                kernel.outbox,
                school_id=self.school_id,
                type="user.updated",
                aggregate_type="user",
                aggregate_id=user.id,
                payload=after,
            )
        return await self.presenter.full(user, resource="user_update")

    async def deactivate(self, user_id: uuid.UUID) -> UserFull:
        user = await self.for_admin(user_id)
        if user_id == self.viewer.user_id:
            raise BusinessRuleError(
                "Нельзя отключить собственную учётную запись", code="self-deactivation"
            )
        if user.is_active:
            user.is_active = False
            user.deactivated_at = utcnow()
            await self._sessions().revoke_all(user, "deactivated")
            await self._flush()
            await self.emit_user("user.deactivated", user)
        return await self.presenter.full(user, resource="user_deactivate")

    async def reactivate(self, user_id: uuid.UUID) -> UserFull:
        user = await self.for_admin(user_id)
        if not user.is_active:
            user.is_active = True
            user.deactivated_at = None
            await self._flush()
            await self.emit_user("user.reactivated", user)
        return await self.presenter.full(user, resource="user_reactivate")

    async def reset_password(self, user_id: uuid.UUID) -> PasswordIssued:
        user = await self.for_admin(user_id)
        password = generate_password()
        user.password_hash = await self._hasher().hash(password)
        user.must_change_password = True
        user.password_changed_at = utcnow()
        await self._sessions().revoke_all(user, "password-reset")
        await self._flush()
        return PasswordIssued(user_id=user.id, username=user.username, initial_password=password)
