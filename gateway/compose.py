"""Calling several services for one composed view, within one time budget (GW-4).

A :class:`Composer` is made per incoming request: it carries the caller's own token
(so a service returns only what the caller may see) and the request id, and one
deadline shared by every call it makes. A call never raises: it returns a
:class:`Fetched` that says what came back, or in Russian why nothing usable did —
the service is down, did not answer within the budget, failed, or refused.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import aiohttp

from gateway.metrics import GatewayMetrics

logger = logging.getLogger("eo.gateway.compose")

Outcome = Literal["ok", "unavailable", "error"]
Params = Mapping[str, str | int]


@dataclass(frozen=True)
class Fetched:
    """One upstream answer: ``ok`` with its JSON, or why there is none."""

    service: str
    outcome: Outcome
    status: int | None = None
    data: Any = None
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"


class Composer:
    """Calls services with the caller's token until the shared deadline."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        upstreams: Mapping[str, str],
        metrics: GatewayMetrics,
        *,
        token: str,
        request_id: str,
        budget: float,
        connect_timeout: float,
    ) -> None:
        self._session = session
        self._upstreams = upstreams
        self._metrics = metrics
        self._headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/json",
            "X-Request-ID": request_id,
        }
        self.budget = budget
        self._connect_timeout = connect_timeout
        self._loop = asyncio.get_running_loop()
        self._deadline = self._loop.time() + budget

    def remaining(self) -> float:
        return self._deadline - self._loop.time()

    def _late(self, service: str) -> Fetched:
        self._metrics.upstream_error(service, "timeout")
        return Fetched(
            service,
            "unavailable",
            detail=f"Сервис {service} не ответил за {self.budget:g} с",
        )

    async def get(self, service: str, path: str, params: Params | None = None) -> Fetched:
        return await self._call("GET", service, path, params=params)

    async def post(self, service: str, path: str, body: Any) -> Fetched:
        return await self._call("POST", service, path, body=body)

    async def _call(
        self,
        method: str,
        service: str,
        path: str,
        *,
        params: Params | None = None,
        body: Any = None,
    ) -> Fetched:
        remaining = self.remaining()
        if remaining <= 0:
            return self._late(service)
        url = self._upstreams[service] + path
        timeout = aiohttp.ClientTimeout(
            total=remaining, sock_connect=min(self._connect_timeout, remaining)
        )
        headers = self._headers
        data: bytes | None = None
        if body is not None:
            # the shared session skips automatic headers: the type is set here
            data = json.dumps(body, ensure_ascii=False).encode()
            headers = {**headers, "Content-Type": "application/json"}
        try:
            async with asyncio.timeout(remaining):
                async with self._session.request(
                    method,
                    url,
                    params={k: str(v) for k, v in (params or {}).items()},
                    data=data,
                    headers=headers,
                    timeout=timeout,
                    allow_redirects=False,
                ) as resp:
                    raw = await resp.read()
                    status = resp.status
        except TimeoutError:
            return self._late(service)
        except aiohttp.ClientConnectorError:
            self._metrics.upstream_error(service, "unreachable")
            return Fetched(service, "unavailable", detail=f"Сервис {service} недоступен")
        except aiohttp.ClientError:
            self._metrics.upstream_error(service, "broken")
            return Fetched(service, "unavailable", detail=f"Сервис {service} прервал соединение")
        if status >= 500:
            return Fetched(
                service,
                "unavailable",
                status=status,
                detail=f"Сервис {service} временно не может ответить (код {status})",
            )
        try:
            data = json.loads(raw) if raw else None
        except ValueError:
            logger.warning("upstream answered non-JSON", extra={"service": service})
            return Fetched(
                service, "unavailable", status=status, detail=f"Сервис {service} ответил не JSON"
            )
        if status >= 400:
            detail = data.get("detail") if isinstance(data, dict) else None
            return Fetched(
                service,
                "error",
                status=status,
                data=data,
                detail=str(detail) if detail else f"Сервис {service} отказал (код {status})",
            )
        return Fetched(service, "ok", status=status, data=data)
