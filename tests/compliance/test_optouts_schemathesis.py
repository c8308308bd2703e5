"""Property-based contract test of the opt-out endpoints (CO-4, GW-3, X-2).

Schemathesis generates valid and invalid requests for every ``/optouts`` operation from
compliance's own OpenAPI spec and sends them in-process, as the school's admin and as a
guardian (the one who files): every answer must be documented (status, content type,
body schema) and none may be a server error.
"""

from __future__ import annotations

from fastapi import FastAPI
from schemathesis import Case

from tests.compliance.schemathesis_support import contract
from tests.support.service_world import World

schema = contract("/optouts")


@schema.parametrize()
def test_optouts_api_conforms_to_its_contract(case: Case, st_app: FastAPI, st_world: World) -> None:
    for who in ("admin", "guardian"):
        case.call_and_validate(app=st_app, headers=st_world.headers(who))
