"""The routers of the identity service and the events it emits."""

from __future__ import annotations

from fastapi import APIRouter

from services.identity.accounts import endpoints as accounts
from services.identity.tokens import endpoints as tokens

routers: list[APIRouter] = [tokens.router, accounts.public, accounts.router]

EVENT_TYPES: list[str] = [
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
]
