"""The gateway application: a raw ASGI app, no framework routing on the proxy path
(GW-1, GW-2, GW-3).

Per request, in one pass over the headers: take or make the request id, answer CORS
preflights, check the path, verify the bearer token (cached until it expires), count
the client against its rate limit, then stream the request to the service and its
answer back. What the gateway answers itself (health, metrics, contract, docs) lives in
:mod:`gateway.local`. Run it with::

    uvicorn --factory gateway.app:create_app --port 8000
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from urllib.parse import quote_from_bytes

import aiohttp
from starlette.types import Receive, Scope, Send
from yarl import URL

from gateway.cors import CorsPolicy
from gateway.local import LocalEndpoints
from gateway.metrics import GatewayMetrics
from gateway.proxy import (
    SMALL_BODY,
    BodyTooLarge,
    ClientGone,
    Forwarder,
    RequestBody,
    read_small_body,
)
from gateway.responses import Headers, send_problem
from gateway.settings import Settings
from gateway.today import PATH as TODAY_PATH
from gateway.today import TodayHandler
from services.common.auth import JWKSLoader, Principal, TokenVerifier, http_jwks_loader
from services.common.context import set_request_id
from services.common.errors import (
    BadRequest,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    ProblemError,
    TooManyRequests,
    Unauthorized,
)
from services.common.logging import configure_logging
from services.common.ratelimit import Counter, build_counter

__all__ = ["Gateway", "create_app"]

logger = logging.getLogger("eo.gateway")
access_logger = logging.getLogger("eo.access")

# Request headers not passed on as they came: hop-by-hop ones (RFC 9110 §7.6.1), the
# ones the gateway sets itself, and Content-Length (set again for the forwarded body).
_REQUEST_DROP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-authorization",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"expect",
        b"host",
        b"content-length",
        b"x-request-id",
        b"x-forwarded-for",
        b"x-forwarded-proto",
        b"x-forwarded-host",
        b"forwarded",
    }
)
_VALID_REQUEST_ID = re.compile(rb"^[A-Za-z0-9._:-]{1,128}$")
_PUBLIC_IDENTITY_POSTS = frozenset({"token", "logout", "password/initial"})
_WELL_KNOWN = frozenset({"openid-configuration", "jwks.json"})
_URL_SAFE = "/%:@!$&'()*+,;=-._~?"
# aiohttp must not add headers of its own: the client's (or none) go upstream.
_SKIP_AUTO_HEADERS = ("Accept", "Accept-Encoding", "User-Agent", "Content-Type")
_LOCAL_METHODS = frozenset({"GET", "HEAD"})
_NO_TOKEN = "Передайте токен доступа в заголовке Authorization: Bearer"
# /api/v1/gateway/…: views the gateway composes from several services (GW-4).
COMPOSED = "gateway"


def _has_dot_segment(path: str) -> bool:
    return "/." in path and any(seg in (".", "..") for seg in path.split("/"))


def _ascii(raw: bytes) -> str:
    return raw.decode("ascii") if raw.isascii() else quote_from_bytes(raw, safe=_URL_SAFE)


class Gateway:
    """The ASGI application (see the module docstring)."""

    def __init__(self, settings: Settings, *, jwks_loader: JWKSLoader | None = None) -> None:
        self.settings = settings
        self._jwks_loader = jwks_loader
        self._upstreams = settings.upstreams()
        self._cors = CorsPolicy(settings.cors_origins, settings.cors_max_age)
        self.metrics = GatewayMetrics()
        self._limit = settings.rate_limit_requests
        self._window = settings.rate_limit_window_seconds
        self._hops = settings.trusted_proxy_hops
        self._max_body = settings.max_body_bytes
        # the lowest status that gets an access-log line
        self._log_from = {"all": 0, "errors": 400, "off": 1000}[settings.access_log]
        self._exit_stack: AsyncExitStack | None = None
        self._counter_failed_at = 0.0
        # Built in the lifespan (they need the running event loop).
        self.verifier: TokenVerifier
        self.counter: Counter
        self.session: aiohttp.ClientSession
        self._forwarder: Forwarder
        self._local: LocalEndpoints
        self._today: TodayHandler

    # -- lifespan -------------------------------------------------------------------

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Build the upstream pool, verifier and counters; close them at the end.

        uvicorn drives it through the ASGI lifespan protocol; tests may enter it directly.
        """
        s = self.settings
        configure_logging("gateway", s.log_level, s.log_json)
        connector = aiohttp.TCPConnector(
            limit=s.upstream_pool_size,
            limit_per_host=0,
            keepalive_timeout=s.upstream_keepalive_seconds,
            ttl_dns_cache=300,
        )
        session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(
                total=None,
                connect=s.upstream_timeout,  # includes waiting for a pooled connection
                sock_connect=s.connect_timeout,
                sock_read=s.upstream_timeout,
            ),
            auto_decompress=False,
            cookie_jar=aiohttp.DummyCookieJar(),
            skip_auto_headers=_SKIP_AUTO_HEADERS,
            trust_env=False,
        )
        counter = build_counter(s.redis_url, s.redis_prefix)
        try:
            self.session = session
            self.counter = counter
            self.verifier = TokenVerifier(
                self._jwks_loader or http_jwks_loader(s.jwks_url, timeout=s.upstream_timeout),
                audience=s.audience,
                issuer=s.issuer,
                cache_seconds=s.jwks_cache_seconds,
                cache_size=s.token_cache_size,
            )
            self._forwarder = Forwarder(
                session,
                self.metrics,
                max_body_bytes=s.max_body_bytes,
                upstream_timeout=s.upstream_timeout,
            )
            self._local = LocalEndpoints(
                session,
                self._upstreams,
                self.metrics,
                connect_timeout=s.connect_timeout,
                readiness_timeout=s.readiness_timeout,
                fetch_timeout=min(s.upstream_timeout, 5.0),
                openapi_cache_seconds=s.openapi_cache_seconds,
            )
            self._today = TodayHandler(session, self._upstreams, self.metrics, s)
            yield
        finally:
            await session.close()
            await counter.close()

    async def _lifespan_protocol(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                stack = AsyncExitStack()
                try:
                    await stack.enter_async_context(self.lifespan())
                except Exception as exc:
                    logger.exception("gateway startup failed")
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                self._exit_stack = stack
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._exit_stack is not None:
                    await self._exit_stack.aclose()
                    self._exit_stack = None
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- ASGI -----------------------------------------------------------------------

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind == "http":
            await self._http(scope, receive, send)
        elif kind == "lifespan":
            await self._lifespan_protocol(receive, send)
        elif kind == "websocket":
            await send({"type": "websocket.close", "code": 1008})

    async def _http(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        method: str = scope["method"]
        path: str = scope["path"]

        # One pass over the headers: what we need, and what goes upstream.
        rid: bytes | None = None
        auth: bytes | None = None
        origin: bytes | None = None
        length: bytes | None = None
        chunked = False
        xff: bytes | None = None
        xfp: bytes | None = None
        host: bytes | None = None
        connection: bytes | None = None
        headers: list[tuple[str, str]] = []
        for name, value in scope["headers"]:
            if name in _REQUEST_DROP:
                if name == b"x-request-id":
                    if _VALID_REQUEST_ID.match(value):
                        rid = value
                elif name == b"content-length":
                    length = value
                elif name == b"transfer-encoding":
                    chunked = True
                elif name == b"x-forwarded-for":
                    xff = value
                elif name == b"x-forwarded-proto":
                    xfp = value
                elif name == b"host":
                    host = value
                elif name == b"connection":
                    connection = value
                continue
            if name == b"authorization":
                auth = value
            elif name == b"origin":
                origin = value
            headers.append((name.decode("latin-1"), value.decode("latin-1")))

        request_id = rid.decode() if rid is not None else uuid.uuid4().hex
        set_request_id(request_id)
        extra: Headers = [(b"x-request-id", rid or request_id.encode())]

        service = "gateway"
        status = 500
        try:
            if origin is not None:
                if method == "OPTIONS" and any(
                    n == b"access-control-request-method" for n, _ in scope["headers"]
                ):
                    status = await self._preflight(scope, send, origin, extra)
                    return
                if self._cors.allows(origin):
                    extra += self._cors.response_headers(origin)

            # Routing: /api/v1/gateway/… are the gateway's composed views (GW-4);
            # /api/v1/<service>/… and /.well-known/… go upstream as they are.
            if path.startswith("/api/v1/"):
                service, _, tail = path[8:].partition("/")
                if service == COMPOSED:
                    peer = scope.get("client")
                    client_ip = self._client_ip(peer[0] if peer else "unknown", xff)
                    status = await self._composed(
                        scope, send, extra, tail, auth, client_ip, request_id
                    )
                    return
                base = self._upstreams.get(service)
                if base is None:
                    service = "unknown"
                    raise NotFound("Такого сервиса нет", code="unknown-service")
                public = (
                    tail == "openapi.json"
                    or (
                        service == "identity"
                        and (
                            tail.startswith(".well-known/")
                            or (method == "POST" and tail in _PUBLIC_IDENTITY_POSTS)
                        )
                    )
                    # iCalendar feeds: calendar apps send no token, the URL holds the secret
                    or (
                        service == "learning"
                        and method == "GET"
                        and tail.startswith("ical/")
                        and tail.endswith(".ics")
                    )
                )
                target = scope.get("raw_path") or path.encode()
            elif path.startswith("/.well-known/") and path[13:] in _WELL_KNOWN:
                service = "identity"
                base = self._upstreams[service]
                public = True
                target = b"/api/v1/identity" + path.encode()
            else:
                status = await self._local_endpoint(scope, send, extra)
                return
            if _has_dot_segment(path):
                raise BadRequest(
                    "Путь запроса не должен содержать сегменты «.» и «..»", code="invalid-path"
                )

            # Edge authentication: without a valid token the service is never contacted.
            principal = None if public else await self._authenticate(auth)
            peer = scope.get("client")
            peer_ip: str = peer[0] if peer else "unknown"
            await self._count(principal, self._client_ip(peer_ip, xff))

            if connection is not None:  # what Connection names is hop-by-hop too
                named = {t.strip().lower() for t in connection.decode("latin-1").split(",")}
                headers = [h for h in headers if h[0] not in named]
            headers.append(("X-Request-ID", request_id))
            headers.append(
                ("X-Forwarded-For", xff.decode("latin-1") + ", " + peer_ip if xff else peer_ip)
            )
            proto = xfp.decode("latin-1") if self._hops and xfp else str(scope["scheme"])
            headers.append(("X-Forwarded-Proto", proto))
            if host is not None:
                headers.append(("X-Forwarded-Host", host.decode("latin-1")))
            body = await self._request_body(receive, length, chunked, headers)

            query: bytes = scope.get("query_string", b"")
            url = base + _ascii(target)
            if query:
                url += "?" + _ascii(query)
            status = await self._forwarder.forward(
                service, method, URL(url, encoded=True), headers, body, send, extra, path
            )
        except ProblemError as err:
            status = await self._reject(send, err, path, extra)
        except ClientGone:
            status = 499  # nginx's "client closed request": nobody to answer
        finally:
            elapsed = time.perf_counter() - started
            self.metrics.observe(service, method, status, elapsed)
            if status >= self._log_from:
                access_logger.info(
                    "request",
                    extra={
                        "upstream": service,
                        "method": method,
                        "status": status,
                        "duration_ms": round(elapsed * 1000, 2),
                    },
                )

    # -- steps of a proxied request (each raises a ProblemError to refuse) ------------

    async def _authenticate(self, auth: bytes | None) -> Principal:
        if auth is None or auth[:7].lower() != b"bearer " or not auth[7:].strip():
            self.metrics.rejected("unauthenticated")
            raise Unauthorized(_NO_TOKEN)
        try:
            return await self.verifier.verify(auth[7:].strip().decode("latin-1"))
        except ProblemError as exc:
            # 401, or 503 when the keys can't be fetched from identity
            self.metrics.rejected("unauthenticated" if exc.status == 401 else "jwks")
            raise

    def _client_ip(self, peer_ip: str, xff: bytes | None) -> str:
        """The address rate limits count: the peer, or the client as seen by the
        ``trusted_proxy_hops`` proxies in front of the gateway."""
        if not self._hops or xff is None:
            return peer_ip
        hops = [h.strip() for h in xff.decode("latin-1").split(",")] + [peer_ip]
        return hops[max(0, len(hops) - 1 - self._hops)]

    async def _count(self, principal: Principal | None, client_ip: str) -> None:
        """One hit against the client's window: per token subject, else per address."""
        key = "u:" + str(principal.claims["sub"]) if principal else "a:" + client_ip
        try:
            hit = await self.counter.hit(key, self._window)
        except Exception:
            # Counters unreachable (Redis down): serve rather than fail every request.
            now = time.monotonic()
            if now - self._counter_failed_at > 60:
                self._counter_failed_at = now
                logger.warning("rate-limit counters unavailable; not limiting", exc_info=True)
            return
        if hit.count > self._limit:
            self.metrics.rejected("rate-limited")
            raise TooManyRequests(
                "Слишком много запросов; повторите позже", retry_after=hit.retry_after
            )

    async def _request_body(
        self,
        receive: Receive,
        length: bytes | None,
        chunked: bool,
        headers: list[tuple[str, str]],
    ) -> bytes | RequestBody | None:
        """The body to send upstream: none, read whole (small), or streamed."""
        if length is None:
            return RequestBody(receive, self._max_body) if chunked else None
        try:
            declared = int(length)
        except ValueError:
            raise BadRequest("Некорректный заголовок Content-Length") from None
        if declared > self._max_body:
            self.metrics.rejected("body-too-large")
            raise PayloadTooLarge(f"Тело запроса больше допустимых {self._max_body} байт")
        if declared <= 0:
            return None
        if declared <= SMALL_BODY and not chunked:
            try:
                return await read_small_body(receive, declared)
            except BodyTooLarge:
                raise BadRequest("Тело запроса длиннее заявленного Content-Length") from None
        headers.append(("Content-Length", length.decode("latin-1")))
        return RequestBody(receive, self._max_body)

    # -- helpers --------------------------------------------------------------------

    async def _reject(self, send: Send, err: ProblemError, path: str, extra: Headers) -> int:
        await send_problem(send, err, path, extra)
        return err.status

    async def _preflight(self, scope: Scope, send: Send, origin: bytes, extra: Headers) -> int:
        if not self._cors.allows(origin):
            self.metrics.rejected("cors")
            err = Forbidden(
                "Этому источнику (Origin) запросы запрещены", code="cors-origin-refused"
            )
            return await self._reject(send, err, scope["path"], extra)
        requested = None
        for name, value in scope["headers"]:
            if name == b"access-control-request-headers":
                requested = value
        headers = self._cors.preflight_headers(origin, requested) + extra
        await send({"type": "http.response.start", "status": 204, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return 204

    async def _composed(
        self,
        scope: Scope,
        send: Send,
        extra: Headers,
        tail: str,
        auth: bytes | None,
        client_ip: str,
        request_id: str,
    ) -> int:
        """A composed view: authenticated and counted like a proxied request, then
        answered by the gateway itself from several services."""
        if tail != TODAY_PATH:
            raise NotFound("Ресурс не найден")
        if scope["method"] != "GET":
            raise ProblemError(
                "Метод не поддерживается для этого ресурса",
                code="method-not-allowed",
                title="Метод не поддерживается",
                status=405,
                headers={"Allow": "GET"},
            )
        principal = await self._authenticate(auth)
        await self._count(principal, client_ip)
        assert auth is not None  # _authenticate refuses a missing token
        token = auth[7:].strip().decode("latin-1")
        return await self._today(scope, send, extra, principal, token, request_id)

    async def _local_endpoint(self, scope: Scope, send: Send, extra: Headers) -> int:
        handler = self._local.handler_for(scope["path"])
        if handler is None:
            err: ProblemError = NotFound("Ресурс не найден")
            return await self._reject(send, err, scope["path"], extra)
        if scope["method"] not in _LOCAL_METHODS:
            err = ProblemError(
                "Метод не поддерживается для этого ресурса",
                code="method-not-allowed",
                title="Метод не поддерживается",
                status=405,
                headers={"Allow": "GET, HEAD"},
            )
            return await self._reject(send, err, scope["path"], extra)
        return await handler(scope, send, extra)


def create_app(
    settings: Settings | None = None, *, jwks_loader: JWKSLoader | None = None
) -> Gateway:
    """The gateway ASGI app; ``jwks_loader`` replaces fetching identity's JWKS (tests)."""
    return Gateway(settings or Settings(), jwks_loader=jwks_loader)
