"""Signing and verifying webhook deliveries, in the style of the Standard Webhooks spec.

Every delivery carries three headers:

* ``webhook-id``: the delivery id, the same on every retry of one delivery (deduplicate
  by it);
* ``webhook-timestamp``: Unix seconds when this try was sent;
* ``webhook-signature``: ``v1,<base64 HMAC-SHA256>`` of ``{id}.{timestamp}.{body}`` with
  the subscription's secret (base64 after the ``whsec_`` prefix); during a secret
  rotation, several signatures separated by spaces.

This module depends on the standard library only, so integrators may copy it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable, Mapping

SECRET_PREFIX = "whsec_"
SIGNATURE_VERSION = "v1"
DEFAULT_TOLERANCE_SECONDS = 300


class WebhookVerificationError(Exception):
    """The delivery is not authentic or too old (a replay)."""


def generate_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def _key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def sign(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """The ``v1,<base64>`` signature of one delivery try."""
    content = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(_key(secret), content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode()}"


def signature_header(
    secrets_: Iterable[str], msg_id: str, timestamp: int, body: bytes
) -> dict[str, str]:
    """The three headers of a try, signed with each of ``secrets_``."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(sign(s, msg_id, timestamp, body) for s in secrets_),
    }


def verify(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    tolerance: int = DEFAULT_TOLERANCE_SECONDS,
    now: float | None = None,
) -> str:
    """Checks a received delivery; returns its ``webhook-id``.

    Raises :class:`WebhookVerificationError` when a header is missing, the timestamp is
    further than ``tolerance`` seconds from now (a replayed or delayed request), or no
    signature matches. ``headers`` may use any case (they are looked up lowercased).
    """
    lowered = {k.lower(): v for k, v in headers.items()}
    msg_id = lowered.get("webhook-id")
    raw_timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not msg_id or not raw_timestamp or not signatures:
        raise WebhookVerificationError("missing webhook-id, webhook-timestamp or signature")
    try:
        timestamp = int(raw_timestamp)
    except ValueError as exc:
        raise WebhookVerificationError("webhook-timestamp is not an integer") from exc
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise WebhookVerificationError("webhook-timestamp outside the tolerance (replay?)")
    expected = sign(secret, msg_id, timestamp, body).split(",", 1)[1]
    for candidate in signatures.split():
        version, _, value = candidate.partition(",")
        if version == SIGNATURE_VERSION and hmac.compare_digest(value, expected):
            return msg_id
    raise WebhookVerificationError("no matching signature")
