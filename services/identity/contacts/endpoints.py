"""Contact data for the platform's services (notifications by e-mail, Reg §2.2).

Events carry no e-mail addresses; a service that must send a message asks for the
addresses of the recipients right before sending. Only service tokens may ask, and
every answer is written to the personal-data access log.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from pydantic import BaseModel, Field
from sqlalchemy import select

from services.common.app import api_router
from services.common.auth import ServicePrincipal
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.types import StrictModel
from services.identity.models import User
from services.identity.privacy.repository import AccessLogRepository

router = api_router(prefix="/api/v1/identity", tags=["contacts"])


class ContactsQuery(StrictModel):
    user_ids: list[uuid.UUID] = Field(min_length=1, max_length=1000)
    purpose: str = Field(
        default="notification", pattern=r"^[a-z_]{1,50}$", description="Цель обращения"
    )


class Contact(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    last_name: str
    first_name: str
    middle_name: str | None
    email: str | None
    is_active: bool


class ContactList(BaseModel):
    items: list[Contact]


@router.post(
    "/contacts/lookup",
    response_model=ContactList,
    summary="Контакты пользователей для рассылки (только сервисы платформы)",
    description=(
        "Адреса электронной почты получателей уведомлений. Доступно только сервисам "
        "платформы (токен client_credentials); каждое обращение записывается в журнал "
        "доступа к персональным данным. Неизвестные идентификаторы пропускаются."
    ),
    responses=problem_responses(*AUTH_ERRORS, 422),
)
async def lookup_contacts(
    body: ContactsQuery, session: SessionDep, principal: ServicePrincipal
) -> ContactList:
    ids = sorted(set(body.user_ids))
    users = (await session.execute(select(User).where(User.id.in_(ids)))).scalars().all()
    by_school: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for user in users:
        by_school[user.school_id].append(user.id)
    log = AccessLogRepository(session)
    for school_id, subject_ids in by_school.items():
        await log.record(
            school_id, principal.user_id, subject_ids, "read", f"contacts:{body.purpose}"
        )
    return ContactList(
        items=[
            Contact(
                id=u.id,
                school_id=u.school_id,
                last_name=u.last_name,
                first_name=u.first_name,
                middle_name=u.middle_name,
                email=u.email,
                is_active=u.is_active,
            )
            for u in users
        ]
    )
