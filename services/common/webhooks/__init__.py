"""Webhooks of the change feeds (GW-5): subscriptions, signed deliveries, retries.

For integrators: :func:`verify` checks a received delivery (signature and timestamp).
"""

from services.common.webhooks.signing import (
    DEFAULT_TOLERANCE_SECONDS,
    WebhookVerificationError,
    generate_secret,
    sign,
    signature_header,
    verify,
)

__all__ = [
    "DEFAULT_TOLERANCE_SECONDS",
    "WebhookVerificationError",
    "generate_secret",
    "sign",
    "signature_header",
    "verify",
]
