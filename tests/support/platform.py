"""The whole platform in the test's event loop, for tests that go through the gateway.

``running_platform()`` migrates fresh databases for the four services (SQLite files in a
temporary folder, or PostgreSQL databases when the backend is ``postgres``), loads the
demo school into identity, serves every service under uvicorn on its own port with the
change feeds switched on (polled every 0.1 s), and puts the gateway in front of them.
Nothing is minted: people log in with identity's password grant, services get their
tokens from identity's client-credentials grant, and everyone verifies identity's keys
from its JWKS, as in production.

    async with running_platform(db_backend) as platform:
        token = await platform.login("demo-teacher")
        r = await platform.gateway.get("/api/v1/learning/courses", headers=bearer(token))

``platform.stop("journal")`` stops one service (its port then refuses connections) and
``await platform.wait_for(...)`` polls a condition with a bounded wait.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from gateway.app import create_app as create_gateway
from gateway.settings import Settings as GatewaySettings
from services.common.db import Database
from services.identity.demo import DEFAULT_PASSWORD, SCHOOL_ID, load_demo
from services.identity.passwords import Passwords
from tests.gateway.upstreams import free_port, serve
from tests.support.databases import _alembic_upgrade, _recreate_pg, pg_url_for, track_pg
from tests.support.service_world import TEST_SECRET, service_settings

SERVICES = ("identity", "learning", "journal", "compliance")
T = TypeVar("T")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def _migrate(service: str, backend: str, folder: Path) -> str:
    """A fresh, migrated database (PostgreSQL ones are dropped at the session's end)."""
    if backend == "sqlite":
        url = f"sqlite+aiosqlite:///{folder / f'{service}.db'}"
    else:
        name = f"eo_platform_{service}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        await _recreate_pg(name)
        track_pg(name)
        url = pg_url_for(name)
    await asyncio.to_thread(_alembic_upgrade, service, url)
    return url


@dataclass
class Platform:
    gateway: httpx.AsyncClient
    urls: dict[str, str]
    apps: dict[str, Any]
    school_id: uuid.UUID = SCHOOL_ID
    password: str = DEFAULT_PASSWORD
    _servers: dict[str, AsyncExitStack] = field(default_factory=dict)
    _tokens: dict[str, str] = field(default_factory=dict)

    async def login(self, username: str) -> str:
        """An access token of a demo person, through the gateway (cached per test)."""
        if username not in self._tokens:
            response = await self.gateway.post(
                "/api/v1/identity/token",
                data={"grant_type": "password", "username": username, "password": self.password},
            )
            assert response.status_code == 200, response.text
            self._tokens[username] = response.json()["access_token"]
        return self._tokens[username]

    async def headers(self, username: str, **extra: str) -> dict[str, str]:
        return {**bearer(await self.login(username)), **extra}

    async def me(self, username: str) -> dict[str, Any]:
        response = await self.gateway.get(
            "/api/v1/identity/me", headers=await self.headers(username)
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def stop(self, service: str) -> None:
        """Stop one service's server; the gateway then finds its port closed."""
        await self._servers.pop(service).aclose()

    @staticmethod
    async def wait_for(
        probe: Callable[[], Awaitable[T | None]], *, seconds: float = 20.0, what: str = ""
    ) -> T:
        """Poll ``probe`` until it returns something other than None/False (bounded)."""
        deadline = asyncio.get_running_loop().time() + seconds
        while True:
            value = await probe()
            if value is not None and value is not False:
                return value
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"timed out waiting for {what or probe!r}")
            await asyncio.sleep(0.1)


@asynccontextmanager
async def running_platform(
    backend: str = "sqlite", **overrides: dict[str, Any]
) -> AsyncIterator[Platform]:
    """The four services and the gateway; ``overrides[service]`` changes its settings."""
    from services.compliance.app import create_app as compliance_app
    from services.identity.app import create_app as identity_app
    from services.journal.app import create_app as journal_app
    from services.learning.app import create_app as learning_app

    factories = {
        "identity": identity_app,
        "learning": learning_app,
        "journal": journal_app,
        "compliance": compliance_app,
    }
    with tempfile.TemporaryDirectory(prefix="eo-platform-") as tmp:
        folder = Path(tmp)
        db_urls = {svc: await _migrate(svc, backend, folder) for svc in SERVICES}
        ports = {svc: free_port() for svc in SERVICES}
        urls = {svc: f"http://127.0.0.1:{port}" for svc, port in ports.items()}
        jwks_url = f"{urls['identity']}/api/v1/identity/.well-known/jwks.json"
        common: dict[str, Any] = {
            "feeds_enabled": True,
            "feed_poll_seconds": 0.1,
            "jwks_url": jwks_url,
            **{f"{svc}_url": url for svc, url in urls.items()},
        }
        servers: dict[str, AsyncExitStack] = {}
        apps: dict[str, Any] = {}
        async with AsyncExitStack() as stack:
            for svc in SERVICES:
                extra: dict[str, Any] = {**common, **overrides.get(svc, {})}
                if svc == "learning":
                    extra.setdefault("files_path", folder / "files")
                settings = service_settings(svc, db_urls[svc], **extra)
                app = apps[svc] = factories[svc](settings)
                if svc == "identity":
                    database = Database(settings.effective_database_url, pool_size=1)
                    try:
                        await load_demo(database, Passwords(19 * 1024, 2, 1))
                    finally:
                        await database.dispose()
                server = AsyncExitStack()
                await server.enter_async_context(serve(app, lifespan="on", port=ports[svc]))
                servers[svc] = server
            # stopped in reverse order, whichever are still running
            stack.push_async_callback(_stop_all, servers)
            gateway = create_gateway(
                GatewaySettings(
                    environment="test",
                    log_json=False,
                    log_level="WARNING",
                    connect_timeout=0.5,
                    **{f"{svc}_url": url for svc, url in urls.items()},
                    **overrides.get("gateway", {}),
                )
            )
            async with gateway.lifespan():
                transport = httpx.ASGITransport(app=gateway)
                async with httpx.AsyncClient(
                    transport=transport, base_url="http://gateway.test", timeout=30.0
                ) as client:
                    yield Platform(gateway=client, urls=urls, apps=apps, _servers=servers)


async def _stop_all(servers: dict[str, AsyncExitStack]) -> None:
    for svc in reversed(SERVICES):
        server = servers.pop(svc, None)
        if server is not None:
            await server.aclose()


__all__ = ["TEST_SECRET", "Platform", "bearer", "running_platform"]
