"""Property-based contract test of the whole platform through the gateway (GW-1 … GW-3).

Schemathesis generates requests from the merged contract (``openapi/gateway.json``) and
sends them in-process to the gateway's ASGI app, authenticated as the admin of a school
built by the factory. The gateway proxies over real sockets (aiohttp), so the four
services run as uvicorn servers on free ports, on their own event loop thread, each on
its own migrated database. Every answer must be documented in the merged contract and
none may be a server error. Deterministic and bounded, like the identity run, with
fewer cases per operation (identity's own run already explores its inputs in depth).
"""

from __future__ import annotations

import asyncio
import importlib
import queue
import threading
from collections.abc import Iterator
from contextlib import AsyncExitStack
from dataclasses import dataclass

import httpx
import pytest
import schemathesis
from schemathesis import Case
from schemathesis.python import asgi

from gateway.app import Gateway
from gateway.app import create_app as create_gateway
from gateway.settings import Settings as GatewaySettings
from scripts.openapi import build_specs
from services.identity.app import create_app as create_identity
from tests.gateway.upstreams import serve
from tests.identity.conftest import bearer, identity_settings
from tests.identity.factories import make_school
from tests.identity.test_schemathesis import CONFIG
from tests.support.databases import migrated_url

OTHER_SERVICES = ("learning", "journal", "compliance")
JWKS_PATH = "/api/v1/identity/.well-known/jwks.json"
STARTUP_TIMEOUT = 60.0


@dataclass(frozen=True)
class Platform:
    urls: dict[str, str]
    admin_headers: dict[str, str]


class ServicesThread:
    """The four services under uvicorn on a thread with its own event loop."""

    def __init__(self, database_urls: dict[str, str]) -> None:
        self._database_urls = database_urls
        self._ready: queue.Queue[Platform | BaseException] = queue.Queue()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="eo-services", daemon=True)

    def start(self) -> Platform:
        self._thread.start()
        result = self._ready.get(timeout=STARTUP_TIMEOUT)
        if isinstance(result, BaseException):
            raise result
        return result

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        try:
            asyncio.run(self._main())
        except BaseException as exc:  # reported to the test, never to threading's hook
            self._ready.put(exc)

    async def _main(self) -> None:
        async with AsyncExitStack() as stack:
            identity = create_identity(identity_settings(self._database_urls["identity"]))
            urls = {"identity": await stack.enter_async_context(serve(identity, lifespan="on"))}
            for name in OTHER_SERVICES:
                module = importlib.import_module(f"services.{name}.app")
                settings_module = importlib.import_module(f"services.{name}.settings")
                settings = settings_module.Settings(
                    environment="test",
                    database_url=self._database_urls[name],
                    secret_key="contract-test-secret-" + "x" * 20,
                    jwks_url=urls["identity"] + JWKS_PATH,
                    log_json=False,
                    log_level="WARNING",
                )
                app = module.create_app(settings)
                urls[name] = await stack.enter_async_context(serve(app, lifespan="on"))
            world = await make_school(identity)
            async with httpx.AsyncClient(base_url=urls["identity"]) as client:
                headers = await bearer(client, world["admin"].username)
            self._ready.put(Platform(urls, headers))
            await asyncio.to_thread(self._stop.wait)


@pytest.fixture(scope="module")
def platform(db_backend: str) -> Iterator[Platform]:
    urls = {name: migrated_url(name, db_backend) for name in ("identity", *OTHER_SERVICES)}
    services = ServicesThread(urls)
    try:
        yield services.start()
    finally:
        services.stop()


@pytest.fixture(scope="module")
def gateway_app(platform: Platform) -> Iterator[Gateway]:
    settings = GatewaySettings(
        environment="test",
        log_json=False,
        log_level="WARNING",
        # many requests from one client in a short time: the limit is not under test here
        rate_limit_requests=1_000_000,
        **{f"{name}_url": url for name, url in platform.urls.items()},
    )
    app = create_gateway(settings)
    yield app
    asgi.shutdown_lifespans()


@pytest.fixture
def admin_headers(platform: Platform) -> dict[str, str]:
    return platform.admin_headers


# Identity's own run explores its inputs in depth (all phases); through the gateway every
# request pays two socket hops, so here the coverage phase is off and examples are few.
GATEWAY_CONFIG = {
    **CONFIG,
    "generation": {**CONFIG["generation"], "max-examples": 5},
    "phases": {**CONFIG["phases"], "coverage": {"enabled": False}},
}

# The committed merged contract, as scripts/openapi.py builds it (tests/contract checks
# that the file is current).
schema = schemathesis.openapi.from_dict(
    build_specs()["gateway"], config=schemathesis.Config.from_dict(GATEWAY_CONFIG)
)


@schema.parametrize()
def test_platform_conforms_to_the_merged_contract(
    case: Case, gateway_app: Gateway, admin_headers: dict[str, str]
) -> None:
    # a copy: schemathesis adds its own headers to the dict it is given
    case.call_and_validate(app=gateway_app, headers=dict(admin_headers))
