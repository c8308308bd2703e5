"""ORM models of the compliance service (its own metadata and database)."""

from __future__ import annotations

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

__all__ = [
    "Base",
    "DeadlineSettings",
    "NormCheckRun",
    "NormRule",
    "NormRuleSet",
    "NormRuleSetVersion",
    "NormSettings",
    "ProductionCalendarDay",
    "ProductionCalendarYear",
    "PublicationNotice",
    "consumer",
    "directory",
    "kernel",
    "timetable",
]
