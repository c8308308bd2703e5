"""Property-based contract tests of the identity API (GW-3, X-2).

Schemathesis generates requests from identity's own OpenAPI spec — valid and invalid
ones — and sends them in-process to the ASGI app, authenticated as the admin of a school
built by the factory. Every response must be documented (status code, content type,
body schema) and none may be a server error. Deterministic: a fixed seed, derandomized
Hypothesis, a bounded number of examples per operation. Runs on every database backend.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import Case
from schemathesis.python import asgi

from services.identity.app import create_app
from services.identity.settings import Settings
from tests.identity.conftest import bearer, identity_settings
from tests.identity.factories import SchoolWorld, make_school

SEED = 20261125
MAX_EXAMPLES = 15

CONFIG = {
    "seed": SEED,
    "suppress-health-check": ["all"],
    "generation": {
        "mode": "all",
        "max-examples": MAX_EXAMPLES,
        "deterministic": True,
        "database": "none",
        "no-shrink": True,
    },
    "phases": {
        "examples": {"enabled": True},
        "coverage": {"enabled": True},
        "fuzzing": {"enabled": True},
        "stateful": {"enabled": False},
    },
    "checks": {
        "enabled": False,
        "not_a_server_error": {"enabled": True},
        "status_code_conformance": {"enabled": True},
        "content_type_conformance": {"enabled": True},
        "response_schema_conformance": {"enabled": True},
        "response_headers_conformance": {"enabled": True},
    },
}


@dataclass(frozen=True)
class Seeded:
    world: SchoolWorld
    admin_headers: dict[str, str]


def _seed(database_url: str) -> Seeded:
    """A school and an admin token, written through an app of its own.

    It runs on a thread with its own event loop: the app under test lives on
    schemathesis' event loop thread, and database connections must not cross loops.
    """

    async def run() -> Seeded:
        app = create_app(identity_settings(database_url))
        async with app.router.lifespan_context(app):
            world = await make_school(app)
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://seed") as client:
                headers = await bearer(client, world["admin"].username)
        return Seeded(world, headers)

    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module")
def seeded(identity_db_url: str) -> Seeded:
    return _seed(identity_db_url)


@pytest.fixture(scope="module")
def st_app(identity_db_url: str, seeded: Seeded) -> Iterator[FastAPI]:
    """The app under test; schemathesis starts its lifespan on its own event loop thread."""
    app = create_app(identity_settings(identity_db_url))
    yield app
    asgi.shutdown_lifespans()


@pytest.fixture
def admin_headers(seeded: Seeded) -> dict[str, str]:
    return seeded.admin_headers


# The spec comes from the app itself (no database needed); tests/contract checks that it
# is the committed openapi/identity.json.
schema = schemathesis.openapi.from_dict(
    create_app(Settings(environment="development")).openapi(),
    config=schemathesis.Config.from_dict(CONFIG),
)


@schema.parametrize()
def test_identity_api_conforms_to_its_contract(
    case: Case, st_app: FastAPI, admin_headers: dict[str, str]
) -> None:
    # a copy: schemathesis adds its own headers to the dict it is given
    case.call_and_validate(app=st_app, headers=dict(admin_headers))
