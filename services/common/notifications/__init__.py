"""A notification outbox any service can have: e-mail copies written in the caller's
transaction and delivered later by a background dispatcher (LE-5, Reg §2.2; CO-3).

* ``models``     — the three tables (mixins, or :func:`notification_models`);
* ``outbox``     — :func:`enqueue`, what features call;
* ``repository`` — all SQL (claiming due rows, recording outcomes, status lists);
* ``dispatcher`` — the worker with retry and backoff, and the app's lifespan hooks;
* ``transports`` — SMTP, or a local maildir when no server is set;
* ``contacts``   — addresses asked from identity right before sending;
* ``settings``   — :class:`NotificationSettings`, the settings base of a sending service.

The package imports no service: a service hands it its own tables
(:class:`NotificationModels`) and settings.
"""

from services.common.notifications.models import NotificationModels, notification_models
from services.common.notifications.outbox import Recipient, enqueue, subject_ref_for

__all__ = [
    "NotificationModels",
    "Recipient",
    "enqueue",
    "notification_models",
    "subject_ref_for",
]
