"""All SQL of learning's notification outbox: the common repository over its tables."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.notifications import repository
from services.common.notifications.repository import StatusFilter
from services.learning.models.notifications import notification_models

__all__ = ["NotificationRepository", "StatusFilter"]


class NotificationRepository(repository.NotificationRepository):
    def __init__(self, session: AsyncSession) -> None:
        super().__init__(session, notification_models)
