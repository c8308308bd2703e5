"""Property-based contract test of the norms endpoints (CO-1, CO-2, GW-3, X-2).

Schemathesis generates valid and invalid requests for every ``/norms`` operation from
compliance's own OpenAPI spec and sends them in-process, as the admin of a school: every
answer must be documented (status, content type, body schema) and none may be a server
error. Deterministic and bounded like identity's run.
"""

from __future__ import annotations

from fastapi import FastAPI
from schemathesis import Case

from tests.compliance.schemathesis_support import contract
from tests.support.service_world import World

schema = contract("/norms/")


@schema.parametrize()
def test_norms_api_conforms_to_its_contract(case: Case, st_app: FastAPI, st_world: World) -> None:
    case.call_and_validate(app=st_app, headers=st_world.headers("admin"))
