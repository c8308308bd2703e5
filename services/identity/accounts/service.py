"""The caller's own account: profile and password changes (ID-1, ID-6)."""

from __future__ import annotations

from services.common.db import utcnow
from services.common.errors import BusinessRuleError, NotFound
from services.identity.accounts.schemas import MeRead, SchoolBrief
from services.identity.models import User
from services.identity.passwords import check_policy
from services.identity.tokens.schemas import TokenResponse
from services.identity.tokens.service import TokenService, invalid_grant


class AccountService:
    def __init__(self, tokens: TokenService) -> None:
        self.session = tokens.session
        self.passwords = tokens.passwords
        self.tokens = tokens

    async def me(self, user_id: object) -> MeRead:
        found = await self.tokens.users.with_roles_and_school(user_id)  # type: ignore[arg-type]
        if found is None:
            raise NotFound("Учётная запись не найдена")
        user, school = found
        return MeRead(
            id=user.id,
            username=user.username,
            last_name=user.last_name,
            first_name=user.first_name,
            middle_name=user.middle_name,
            birth_date=user.birth_date,
            email=user.email,
            roles=user.role_names,
            must_change_password=user.must_change_password,
            school=SchoolBrief(
                id=school.id,
                name=school.name,
                short_name=school.short_name,
                timezone=school.timezone,
            ),
        )

    async def _set_password(self, user: User, new_password: str, current_password: str) -> None:
        check_policy(new_password, username=user.username)
        if new_password == current_password:
            raise BusinessRuleError(
                "Новый пароль должен отличаться от прежнего", code="password-reused"
            )
        user.password_hash = await self.passwords.hash(new_password)
        user.must_change_password = False
        user.password_changed_at = utcnow()
        await self.tokens.revoke_all(user, "password-change")

    async def change_password(
        self, user_id: object, current_password: str, new_password: str
    ) -> None:
        user = await self.tokens.users.with_roles(user_id)  # type: ignore[arg-type]
        if user is None:
            raise NotFound("Учётная запись не найдена")
        if not await self.passwords.verify(user.password_hash, current_password):
            raise BusinessRuleError("Текущий пароль указан неверно", code="wrong-password")
        await self._set_password(user, new_password, current_password)
        await self.session.flush()

    async def initial_change(
        self, username: str, current_password: str, new_password: str, client: str
    ) -> TokenResponse:
        user = await self.tokens.authenticate(username, current_password, client)
        if not user.must_change_password:
            raise invalid_grant(
                "Пароль уже был сменён; войдите обычным способом", "password-already-changed"
            )
        await self._set_password(user, new_password, current_password)
        await self.session.flush()
        return await self.tokens.issue(user)
