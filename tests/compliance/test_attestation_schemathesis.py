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
from fastapi import FastAPI
from schemathesis import Case

from tests.compliance.attestation_support import LearningRecorder
from tests.compliance.schemathesis_support import app_under_test, contract
from tests.support.service_world import World


@pytest.fixture(scope="module")
def st_app(compliance_db_url: str, st_world: World) -> Iterator[FastAPI]:
    """Learning is not running: compliance's notices of identifications are recorded."""
    with app_under_test(compliance_db_url) as app:
        app.state.learning_identifications = LearningRecorder()
        yield app


schema = contract("/(attestation/|dot-training/|dashboard)")


@schema.parametrize()
def test_attestation_api_conforms_to_its_contract(
    case: Case, st_app: FastAPI, st_world: World
) -> None:
    for who in ("admin", "student"):
        case.call_and_validate(app=st_app, headers=st_world.headers(who))
