"""The notification outbox: e-mail copies to students and guardians (LE-5, Reg §2.2).

The tables, states and the outbox's machinery live in ``services.common.notifications``
(compliance sends its screen-time alerts through the same code); learning declares the
three tables on its own base here, under their usual names, and hands them to the
outbox as :data:`notification_models`. Features call
``services.learning.notifications.outbox.enqueue``.
"""

from __future__ import annotations

from services.common.notifications.models import (
    ATTEMPT_OUTCOMES,
    FINAL_STATES,
    NOTIFICATION_STATES,
    RECIPIENT_ROLES,
    RETRYABLE_STATES,
    NotificationAttemptMixin,
    NotificationMixin,
    NotificationModels,
    NotificationOwnerMixin,
)
from services.learning.models.base import Base

__all__ = [
    "ATTEMPT_OUTCOMES",
    "FINAL_STATES",
    "NOTIFICATION_STATES",
    "RECIPIENT_ROLES",
    "RETRYABLE_STATES",
    "Notification",
    "NotificationAttempt",
    "NotificationOwner",
    "notification_models",
]


class Notification(NotificationMixin, Base):
    pass


class NotificationOwner(NotificationOwnerMixin, Base):
    pass


class NotificationAttempt(NotificationAttemptMixin, Base):
    pass


notification_models = NotificationModels(
    notification=Notification, owner=NotificationOwner, attempt=NotificationAttempt
)
