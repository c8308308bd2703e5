"""Property-based contract test of the attestation, DOT-training flag and dashboard
endpoints (CO-6, CO-7, CO-8, ID-8, GW-3, X-2).

Schemathesis generates valid and invalid requests for every operation under
``/attestation/``, ``/dot-training/`` and ``/dashboard`` from compliance's own spec and
sends them in-process as the admin and as a student of a school: every answer must be
documented (status, content type, body schema) and none may be a server error.
Learning is stood in for by a recorder (identifications are told to it).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from fastapi import FastAPI
from schemathesis import Case
from schemathesis.python import asgi

from services.compliance.app import create_app
from tests.compliance.attestation_support import LearningRecorder
from tests.compliance.test_norms_schemathesis import _seed
from tests.identity.test_schemathesis import CONFIG
from tests.support.service_world import World, service_settings


@pytest.fixture(scope="module")
def world(compliance_db_url: str) -> World:
    return _seed(compliance_db_url)


@pytest.fixture(scope="module")
def st_app(compliance_db_url: str, world: World) -> Iterator[FastAPI]:
    from tests.support.keys import test_jwks

    app = create_app(service_settings("compliance", compliance_db_url), jwks_loader=test_jwks)
    app.state.learning_identifications = LearningRecorder()
    yield app
    asgi.shutdown_lifespans()


schema = schemathesis.openapi.from_dict(
    create_app(service_settings("compliance", "sqlite+aiosqlite://")).openapi(),
    config=schemathesis.Config.from_dict(CONFIG),
).include(path_regex="/(attestation/|dot-training/|dashboard)")


@schema.parametrize()
def test_attestation_api_conforms_to_its_contract(
    case: Case, st_app: FastAPI, world: World
) -> None:
    for who in ("admin", "student"):
        case.call_and_validate(app=st_app, headers=world.headers(who))
