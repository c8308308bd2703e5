"""How a message leaves the platform (moved to ``services.common.notifications``)."""

from services.common.notifications.transports import (
    ERROR_MAX,
    MaildirTransport,
    SendError,
    SmtpConfig,
    SmtpTransport,
    Transport,
    build_message,
    message_id,
    recipient_address,
    sender_address,
)

__all__ = [
    "ERROR_MAX",
    "MaildirTransport",
    "SendError",
    "SmtpConfig",
    "SmtpTransport",
    "Transport",
    "build_message",
    "message_id",
    "recipient_address",
    "sender_address",
]
