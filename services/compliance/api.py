"""The routers of the compliance service."""

from __future__ import annotations

from fastapi import APIRouter

from services.compliance.attestation import endpoints as attestation
from services.compliance.attestation.service import EVENT_TYPES as ATTESTATION_EVENT_TYPES
from services.compliance.dashboard import endpoints as dashboard
from services.compliance.deadlines import endpoints as deadlines
from services.compliance.dot_training import endpoints as dot_training
from services.compliance.norms import endpoints as norms
from services.compliance.optouts import endpoints as optouts
from services.compliance.optouts.service import EVENT_TYPES as OPTOUT_EVENT_TYPES
from services.compliance.screen_time import endpoints as screen_time

routers: list[APIRouter] = [
    deadlines.router,
    deadlines.calendar_router,
    norms.router,
    optouts.router,
    screen_time.router,
    attestation.router,
    dot_training.router,
    dashboard.router,
]
EVENT_TYPES: list[str] = [
    "compliance_notice.created",
    "compliance_notice.updated",
    "compliance_notice.published",
    "compliance_notice.deleted",
    "norm_rule_set.version_created",
    "norm_rule_set.version_retired",
    "norm_settings.updated",
    *OPTOUT_EVENT_TYPES,
    "screen_time.alert",
    *ATTESTATION_EVENT_TYPES,
]
