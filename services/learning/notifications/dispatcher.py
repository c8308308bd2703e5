"""The background worker that delivers learning's notification outbox (LE-5, Reg §2.2).

The worker itself (retry with backoff, leases, at-least-once delivery) is
``services.common.notifications.dispatcher``; this module binds it to learning's tables
and settings and provides the app's lifespan hooks.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.headerregistry import Address

from services.common.db import Database, utcnow
from services.common.notifications import dispatcher as common
from services.common.notifications.contacts import ContactDirectory
from services.common.notifications.dispatcher import (
    DispatchPolicy,
    DispatchReport,
    build_transport,
)
from services.common.notifications.models import NotificationModels
from services.common.notifications.transports import Transport
from services.learning.models.notifications import notification_models

__all__ = [
    "DispatchPolicy",
    "DispatchReport",
    "Dispatcher",
    "build_transport",
    "start_notifications",
    "stop_notifications",
]


class Dispatcher(common.Dispatcher):
    """The common dispatcher over learning's tables (the app's own is built by the
    common hooks; this one is for a second dispatcher next to it)."""

    def __init__(
        self,
        database: Database,
        transport: Transport,
        contacts: ContactDirectory,
        *,
        sender: Address,
        policy: DispatchPolicy,
        clock: Callable[[], datetime] = utcnow,
        models: NotificationModels = notification_models,
    ) -> None:
        super().__init__(
            database,
            transport,
            contacts,
            models=models,
            sender=sender,
            policy=policy,
            clock=clock,
        )


start_notifications, stop_notifications = common.notification_hooks(notification_models)
