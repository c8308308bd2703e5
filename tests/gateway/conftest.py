"""Fixtures of the gateway tests: a real echo upstream, a dead address, the gateway.

The gateway runs in process (``httpx.ASGITransport``, its lifespan entered directly);
its upstreams are real uvicorn servers on free ports, because the proxy uses aiohttp.
Tokens are minted with the test key of ``tests.support.keys``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import httpx
import pytest

from gateway.app import Gateway, create_app
from gateway.settings import Settings
from tests.gateway.upstreams import EchoLog, echo_app, free_port, serve
from tests.support.keys import mint, test_jwks

GatewayFactory = Callable[..., AbstractAsyncContextManager[httpx.AsyncClient]]


def gateway_settings(upstream: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "environment": "test",
        "identity_url": upstream,
        "learning_url": upstream,
        "journal_url": upstream,
        "compliance_url": upstream,
        "log_json": False,
        "log_level": "WARNING",
        "connect_timeout": 0.5,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@asynccontextmanager
async def running(app: Gateway) -> AsyncIterator[httpx.AsyncClient]:
    async with app.lifespan():
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
            yield client


@pytest.fixture
def echo_log() -> EchoLog:
    return EchoLog()


@pytest.fixture
async def echo_url(echo_log: EchoLog) -> AsyncIterator[str]:
    async with serve(echo_app(echo_log)) as url:
        yield url


@pytest.fixture
def dead_url() -> str:
    """An address where nothing listens: connections are refused at once."""
    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture
def make_gateway(echo_url: str) -> GatewayFactory:
    """Build a gateway in front of the echo upstream, with settings overridden."""

    @asynccontextmanager
    async def factory(**overrides: object) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(gateway_settings(echo_url, **overrides), jwks_loader=test_jwks)
        async with running(app) as client:
            yield client

    return factory


@pytest.fixture
async def gateway(make_gateway: GatewayFactory) -> AsyncIterator[httpx.AsyncClient]:
    async with make_gateway() as client:
        yield client


@pytest.fixture
def user_id() -> uuid.UUID:
    return uuid.uuid4()


@pytest.fixture
def auth(user_id: uuid.UUID) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint(user_id, uuid.uuid4(), ["teacher"])}
