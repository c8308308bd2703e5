"""CORS for the frontends of schools (GW-2), answered at the edge.

Origins come from ``GATEWAY_CORS_ORIGINS`` (comma-separated, ``*`` for any). Tokens
travel in the ``Authorization`` header, never in cookies, so credentials are not
allowed and ``*`` is safe to answer literally.
"""

from __future__ import annotations

from collections.abc import Sequence

Headers = list[tuple[bytes, bytes]]

ALLOWED_METHODS = b"GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
# What a browser script may read from our responses besides the CORS-safelisted ones.
EXPOSED_HEADERS = (
    b"X-Request-ID, Retry-After, Link, ETag, Location, Content-Disposition, "
    b"Idempotent-Replayed, WWW-Authenticate"
)
DEFAULT_ALLOWED_HEADERS = b"Authorization, Content-Type, Idempotency-Key, If-Match, X-Request-ID"


class CorsPolicy:
    def __init__(self, origins: Sequence[str], max_age: int) -> None:
        self.any_origin = "*" in origins
        self.origins = frozenset(o.encode() for o in origins if o != "*")
        self.max_age = str(max_age).encode()

    @property
    def enabled(self) -> bool:
        return self.any_origin or bool(self.origins)

    def allows(self, origin: bytes) -> bool:
        return self.any_origin or origin in self.origins

    def response_headers(self, origin: bytes) -> Headers:
        """Headers for an actual (not preflight) response to an allowed ``origin``."""
        if self.any_origin:
            return [
                (b"access-control-allow-origin", b"*"),
                (b"access-control-expose-headers", EXPOSED_HEADERS),
            ]
        return [
            (b"access-control-allow-origin", origin),
            (b"access-control-expose-headers", EXPOSED_HEADERS),
            (b"vary", b"Origin"),
        ]

    def preflight_headers(self, origin: bytes, requested_headers: bytes | None) -> Headers:
        headers = [
            (b"access-control-allow-origin", b"*" if self.any_origin else origin),
            (b"access-control-allow-methods", ALLOWED_METHODS),
            (b"access-control-allow-headers", requested_headers or DEFAULT_ALLOWED_HEADERS),
            (b"access-control-max-age", self.max_age),
        ]
        if not self.any_origin:
            headers.append((b"vary", b"Origin"))
        return headers
