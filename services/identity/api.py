"""The routers of the identity service and the events it emits."""

from __future__ import annotations

from fastapi import APIRouter

from services.identity.accounts import endpoints as accounts
from services.identity.class_groups import endpoints as class_groups
from services.identity.contacts import endpoints as contacts
from services.identity.external_ids import endpoints as external_ids
from services.identity.guardianship import endpoints as guardianship
from services.identity.privacy import endpoints as privacy
from services.identity.roster import endpoints as roster
from services.identity.school import endpoints as school
from services.identity.tokens import endpoints as tokens
from services.identity.training import endpoints as training
from services.identity.users import endpoints as users

routers: list[APIRouter] = [
    tokens.router,
    tokens.reauth_router,
    accounts.public,
    accounts.router,
    school.router,
    class_groups.router,
    roster.router,
    users.router,
    guardianship.router,
    training.router,
    external_ids.router,
    privacy.router,
    contacts.router,
]

EVENT_TYPES: list[str] = [
    "school.created",
    "school.updated",
    "user.created",
    "user.updated",
    "user.deactivated",
    "user.reactivated",
    "class_group.created",
    "class_group.updated",
    "class_membership.added",
    "class_membership.removed",
    "guardianship.created",
    "guardianship.removed",
    "teacher_training.recorded",
    "academic_year.created",
    "academic_year.updated",
    "external_id.set",
    "external_id.removed",
]
