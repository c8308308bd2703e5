"""Raw ASGI responses of the gateway itself: JSON, problem details (X-2), bytes."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from starlette.types import Send

from services.common.errors import PROBLEM_MEDIA_TYPE, ProblemError

Headers = list[tuple[bytes, bytes]]

_JSON = b"application/json"
_PROBLEM = PROBLEM_MEDIA_TYPE.encode()


async def send_bytes(
    send: Send,
    status: int,
    body: bytes,
    content_type: bytes,
    extra: Iterable[tuple[bytes, bytes]] = (),
    *,
    head: bool = False,
) -> None:
    headers: Headers = [
        (b"content-type", content_type),
        (b"content-length", str(len(body)).encode()),
        *extra,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": b"" if head else body})


async def send_json(
    send: Send, status: int, data: Any, extra: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    await send_bytes(send, status, body, _JSON, extra)


async def send_problem(
    send: Send, err: ProblemError, instance: str, extra: Iterable[tuple[bytes, bytes]] = ()
) -> None:
    """``err`` as ``application/problem+json`` with its own headers (Retry-After…)."""
    body = json.dumps(err.to_body(instance), ensure_ascii=False).encode()
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in err.headers.items()]
    await send_bytes(send, err.status, body, _PROBLEM, [*headers, *extra])
