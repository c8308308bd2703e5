"""Recipients' e-mail addresses from identity (moved to ``services.common.notifications``)."""

from services.common.notifications.contacts import (
    CHUNK,
    LOOKUP_PATH,
    Contact,
    ContactDirectory,
    ContactsUnavailable,
)

__all__ = ["CHUNK", "LOOKUP_PATH", "Contact", "ContactDirectory", "ContactsUnavailable"]
