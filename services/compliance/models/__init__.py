"""ORM models of the compliance service (its own metadata and database)."""

from __future__ import annotations

from services.compliance.models.attestation import (
    AttestationCode,
    AttestationEvent,
    AttestationIdentification,
    AttestationIncident,
    AttestationInforming,
    AttestationViolation,
    ReviewWatch,
)
from services.compliance.models.base import Base, consumer, directory, kernel, timetable
from services.compliance.models.deadlines import (
    DeadlineSettings,
    ProductionCalendarDay,
    ProductionCalendarYear,
    PublicationNotice,
)
from services.compliance.models.norms import (
    NormCheckRun,
    NormRule,
    NormRuleSet,
    NormRuleSetVersion,
    NormSettings,
)
from services.compliance.models.optouts import OptOut, OptOutHistory
from services.compliance.models.screen_time import (
    ScreenTimeAlert,
    ScreenTimeInterval,
    notifications,
)

__all__ = [
    "AttestationCode",
    "AttestationEvent",
    "AttestationIdentification",
    "AttestationIncident",
    "AttestationInforming",
    "AttestationViolation",
    "Base",
    "DeadlineSettings",
    "NormCheckRun",
    "NormRule",
    "NormRuleSet",
    "NormRuleSetVersion",
    "NormSettings",
    "OptOut",
    "OptOutHistory",
    "ProductionCalendarDay",
    "ProductionCalendarYear",
    "PublicationNotice",
    "ReviewWatch",
    "ScreenTimeAlert",
    "ScreenTimeInterval",
    "consumer",
    "directory",
    "kernel",
    "notifications",
    "timetable",
]
