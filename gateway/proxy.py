"""Forwarding one request to a service over a pooled aiohttp session (GW-1, GW-2).

The hot path of the gateway. Bodies are streamed both ways (small ones are read in one
go), hop-by-hop headers are dropped, and upstream failures become problem details:
unreachable → 503 (a refused or timed-out connect: well under a second), no answer
within ``upstream_timeout`` → 504, a broken connection → 502. Never a hang.
See docs/decisions/0002-gateway-transport.md for why aiohttp and not httpx here.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
from starlette.types import Message, Receive, Send
from yarl import URL

from gateway.metrics import GatewayMetrics
from gateway.responses import Headers, send_problem
from services.common.errors import PayloadTooLarge, ProblemError, ServiceUnavailable

logger = logging.getLogger("eo.gateway.proxy")

# Response headers the gateway never passes on: hop-by-hop ones (RFC 9110 §7.6.1), and
# those it sets itself (its own Date/Server from uvicorn, its own X-Request-ID).
RESPONSE_DROP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authenticate",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"date",
        b"server",
        b"x-request-id",
    }
)
# Bodies up to this size are read whole and sent in one ASGI message.
SMALL_BODY = 64 * 1024
CHUNK = 64 * 1024
_IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS"})


def gateway_timeout(service: str, seconds: float) -> ProblemError:
    return ProblemError(
        f"Сервис {service} не ответил за {seconds:g} с",
        code="upstream-timeout",
        title="Сервис не ответил вовремя",
        status=504,
    )


def bad_gateway(service: str) -> ProblemError:
    return ProblemError(
        f"Сервис {service} прервал соединение, не закончив ответ",
        code="bad-gateway",
        title="Ошибка вышестоящего сервиса",
        status=502,
    )


def unavailable(service: str) -> ProblemError:
    return ServiceUnavailable(f"Сервис {service} недоступен", code="upstream-unavailable")


class BodyTooLarge(Exception):
    pass


class ClientGone(Exception):
    pass


class RequestBody:
    """The client's body streamed to the service, refused beyond ``limit`` bytes."""

    def __init__(self, receive: Receive, limit: int) -> None:
        self._receive = receive
        self._limit = limit
        self.too_large = False
        self.client_gone = False

    async def __aiter__(self) -> AsyncIterator[bytes]:
        received = 0
        more = True
        while more:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.client_gone = True
                raise ClientGone
            chunk: bytes = message.get("body", b"")
            received += len(chunk)
            if received > self._limit:
                self.too_large = True
                raise BodyTooLarge
            more = message.get("more_body", False)
            if chunk:
                yield chunk


async def read_small_body(receive: Receive, limit: int) -> bytes:
    """The whole body of a request that declared a small Content-Length."""
    chunks: list[bytes] = []
    received = 0
    more = True
    while more:
        message: Message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientGone
        chunk: bytes = message.get("body", b"")
        received += len(chunk)
        if received > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        more = message.get("more_body", False)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class Forwarder:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        metrics: GatewayMetrics,
        *,
        max_body_bytes: int,
        upstream_timeout: float,
    ) -> None:
        self.session = session
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        self.upstream_timeout = upstream_timeout

    async def forward(
        self,
        service: str,
        method: str,
        url: URL,
        headers: list[tuple[str, str]],
        body: bytes | RequestBody | None,
        send: Send,
        extra: Headers,
        instance: str,
    ) -> int:
        """Send the request upstream and stream the answer back; returns the status."""
        started = False
        retried = False
        while True:
            try:
                async with self.session.request(
                    method, url, headers=headers, data=body, allow_redirects=False
                ) as resp:
                    status = resp.status
                    out = extra.copy()
                    for name, value in resp.raw_headers:
                        lname = name.lower()
                        if lname not in RESPONSE_DROP:
                            out.append((lname, value))
                    length = resp.content_length
                    if (length is not None and length <= SMALL_BODY) or method == "HEAD":
                        payload = await resp.read()
                        started = True
                        await send(
                            {"type": "http.response.start", "status": status, "headers": out}
                        )
                        await send({"type": "http.response.body", "body": payload})
                        return status
                    started = True
                    await send({"type": "http.response.start", "status": status, "headers": out})
                    async for chunk in resp.content.iter_chunked(CHUNK):
                        await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    await send({"type": "http.response.body", "body": b""})
                    return status
            except aiohttp.ClientError as exc:
                if isinstance(body, RequestBody) and body.too_large:
                    err: ProblemError = PayloadTooLarge(
                        f"Тело запроса больше допустимых {self.max_body_bytes} байт"
                    )
                    self.metrics.rejected("body-too-large")
                elif isinstance(body, RequestBody) and body.client_gone:
                    return 499
                elif started:
                    # Headers are out: all we can do is cut the connection, so the client
                    # sees a broken response rather than a truncated one taken for whole.
                    self.metrics.upstream_error(service, "broken")
                    logger.warning("upstream broke off its response", extra={"service": service})
                    raise
                elif isinstance(exc, aiohttp.ConnectionTimeoutError | aiohttp.ClientConnectorError):
                    self.metrics.upstream_error(service, "unreachable")
                    err = unavailable(service)
                elif isinstance(exc, aiohttp.ServerTimeoutError):
                    self.metrics.upstream_error(service, "timeout")
                    err = gateway_timeout(service, self.upstream_timeout)
                elif (
                    isinstance(exc, aiohttp.ServerDisconnectedError)
                    and method in _IDEMPOTENT
                    and body is None
                    and not retried
                ):
                    # A pooled keep-alive connection closed by the service just as it was
                    # reused: safe to try once more on a fresh one.
                    retried = True
                    continue
                else:
                    self.metrics.upstream_error(service, "broken")
                    err = bad_gateway(service)
                await send_problem(send, err, instance, extra)
                return err.status
            except TimeoutError:
                if started:
                    raise
                self.metrics.upstream_error(service, "timeout")
                err = gateway_timeout(service, self.upstream_timeout)
                await send_problem(send, err, instance, extra)
                return err.status
