"""What the gateway answers itself: health, readiness, metrics, the merged contract and
the docs (GW-2, GW-3). None of it is on the proxy's hot path.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import aiohttp
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import Scope, Send

from gateway import docs
from gateway.metrics import GatewayMetrics
from gateway.openapi import merge_specs
from gateway.responses import Headers, send_bytes, send_json, send_problem
from services.common.errors import ProblemError, ServiceUnavailable

Handler = Callable[[Scope, Send, Headers], Awaitable[int]]

_STATIC_CACHE = b"public, max-age=86400"
_JSON = b"application/json"


class LocalEndpoints:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstreams: Mapping[str, str],
        metrics: GatewayMetrics,
        *,
        connect_timeout: float,
        readiness_timeout: float,
        fetch_timeout: float,
        openapi_cache_seconds: int,
    ) -> None:
        self._session = session
        self._upstreams = dict(upstreams)
        self._metrics = metrics
        self._ready_timeout = aiohttp.ClientTimeout(
            total=readiness_timeout, sock_connect=connect_timeout
        )
        self._fetch_timeout = aiohttp.ClientTimeout(
            total=fetch_timeout, sock_connect=connect_timeout
        )
        self._openapi_ttl = openapi_cache_seconds
        self._openapi: tuple[float, bytes] | None = None
        self._openapi_lock = asyncio.Lock()
        self.routes: dict[str, Handler] = {
            "/healthz": self.healthz,
            "/readyz": self.readyz,
            "/metrics": self.metrics,
            "/api/openapi.json": self.openapi,
            "/docs": self.docs_page,
        }

    def handler_for(self, path: str) -> Handler | None:
        handler = self.routes.get(path)
        if handler is None and path.startswith(docs.STATIC_PREFIX):
            return self.docs_static
        return handler

    async def healthz(self, scope: Scope, send: Send, extra: Headers) -> int:
        await send_json(send, 200, {"status": "ok", "service": "gateway"}, extra)
        return 200

    async def _upstream_ok(self, base: str) -> bool:
        try:
            async with self._session.get(
                base + "/healthz", timeout=self._ready_timeout, allow_redirects=False
            ) as resp:
                await resp.read()
                return resp.status == 200
        except (TimeoutError, aiohttp.ClientError):
            return False

    async def readyz(self, scope: Scope, send: Send, extra: Headers) -> int:
        names = list(self._upstreams)
        results = await asyncio.gather(*(self._upstream_ok(self._upstreams[n]) for n in names))
        services = {
            n: ("ok" if ok else "unavailable") for n, ok in zip(names, results, strict=True)
        }
        down = [n for n, ok in zip(names, results, strict=True) if not ok]
        if down:
            err = ServiceUnavailable(
                "Не отвечают сервисы: " + ", ".join(down),
                code="upstreams-unavailable",
                extra={"unavailable": down, "services": services},
            )
            await send_problem(send, err, scope["path"], extra)
            return err.status
        await send_json(send, 200, {"status": "ok", "services": services}, extra)
        return 200

    async def metrics(self, scope: Scope, send: Send, extra: Headers) -> int:
        body = generate_latest(self._metrics.registry)
        await send_bytes(send, 200, body, CONTENT_TYPE_LATEST.encode(), extra)
        return 200

    async def _fetch_spec(self, name: str) -> dict[str, Any] | None:
        url = f"{self._upstreams[name]}/api/v1/{name}/openapi.json"
        try:
            async with self._session.get(
                url, timeout=self._fetch_timeout, allow_redirects=False
            ) as resp:
                if resp.status != 200:
                    return None
                data = json.loads(await resp.read())
        except (TimeoutError, aiohttp.ClientError, ValueError):
            return None
        return data if isinstance(data, dict) and isinstance(data.get("paths"), dict) else None

    async def merged_openapi(self) -> bytes:
        """The merged contract, fetched from the services and cached.

        A complete merge is kept ``openapi_cache_seconds``; one with services missing
        only a few seconds, so the contract heals soon after the service is back.
        """
        cached = self._openapi
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        async with self._openapi_lock:
            cached = self._openapi
            if cached is not None and cached[0] > time.monotonic():
                return cached[1]
            names = list(self._upstreams)
            fetched = await asyncio.gather(*(self._fetch_spec(n) for n in names))
            specs = {n: s for n, s in zip(names, fetched, strict=True) if s is not None}
            down = [n for n, s in zip(names, fetched, strict=True) if s is None]
            try:
                merged = merge_specs(specs, unavailable=down)
            except ValueError as exc:
                raise ProblemError(
                    "Спецификации сервисов противоречат друг другу", code="openapi-conflict"
                ) from exc
            body = json.dumps(merged, ensure_ascii=False).encode()
            ttl = self._openapi_ttl if not down else min(self._openapi_ttl, 5)
            self._openapi = (time.monotonic() + ttl, body)
            return body

    async def openapi(self, scope: Scope, send: Send, extra: Headers) -> int:
        try:
            body = await self.merged_openapi()
        except ProblemError as err:
            await send_problem(send, err, scope["path"], extra)
            return err.status
        await send_bytes(send, 200, body, _JSON, [(b"cache-control", b"no-cache"), *extra])
        return 200

    async def _send_asset(
        self, scope: Scope, send: Send, extra: Headers, asset: docs.Asset, cache: bytes
    ) -> int:
        for name, value in scope["headers"]:
            if name == b"if-none-match" and asset.etag in value:
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": [(b"etag", asset.etag), (b"cache-control", cache), *extra],
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return 304
        headers = [(b"etag", asset.etag), (b"cache-control", cache), *extra]
        await send_bytes(
            send, 200, asset.body, asset.content_type, headers, head=scope["method"] == "HEAD"
        )
        return 200

    async def docs_page(self, scope: Scope, send: Send, extra: Headers) -> int:
        if not docs.assets():
            err = ServiceUnavailable(
                "Файлы Swagger UI не установлены (пакет swagger-ui-py)", code="docs-unavailable"
            )
            await send_problem(send, err, scope["path"], extra)
            return err.status
        headers = [
            (b"content-security-policy", docs.CONTENT_SECURITY_POLICY),
            (b"x-content-type-options", b"nosniff"),
            *extra,
        ]
        return await self._send_asset(scope, send, headers, docs.page(), b"no-cache")

    async def docs_static(self, scope: Scope, send: Send, extra: Headers) -> int:
        asset = docs.assets().get(scope["path"][len(docs.STATIC_PREFIX) :])
        if asset is None:
            err = ProblemError("Файл не найден", code="not-found", title="Не найдено", status=404)
            await send_problem(send, err, scope["path"], extra)
            return err.status
        headers = [(b"x-content-type-options", b"nosniff"), *extra]
        return await self._send_asset(scope, send, headers, asset, _STATIC_CACHE)
