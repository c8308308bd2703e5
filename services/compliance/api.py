"""The routers of the compliance service."""

from __future__ import annotations

from fastapi import APIRouter

from services.compliance.deadlines import endpoints as deadlines
from services.compliance.norms import endpoints as norms

routers: list[APIRouter] = [deadlines.router, deadlines.calendar_router, norms.router]
EVENT_TYPES: list[str] = [
    "compliance_notice.created",
    "compliance_notice.updated",
    "compliance_notice.published",
    "compliance_notice.deleted",
    "norm_rule_set.version_created",
    "norm_rule_set.version_retired",
    "norm_settings.updated",
]
