"""Property-based contract test of the screen-time endpoints (CO-3, GW-3, X-2).

Schemathesis generates valid and invalid requests for every ``/screen-time`` operation
from compliance's own OpenAPI spec and sends them in-process, as the school's admin and
as a student: every answer must be documented (status, content type, body schema) and
none may be a server error (dates at the edge of the calendar included).
"""

from __future__ import annotations

from fastapi import FastAPI
from schemathesis import Case

from tests.compliance.schemathesis_support import contract
from tests.support.service_world import World

schema = contract("/screen-time/")


@schema.parametrize()
def test_screen_time_api_conforms_to_its_contract(
    case: Case, st_app: FastAPI, st_world: World
) -> None:
    for who in ("admin", "student"):
        case.call_and_validate(app=st_app, headers=st_world.headers(who))
