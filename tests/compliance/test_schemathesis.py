"""Property-based contract test of compliance's remaining operations (GW-3, X-2).

The norms, opt-outs, screen time and attestation groups have their own modules (seeded
for their rules); this one covers everything else: publication notices and deadlines,
the production calendar, the change feed and webhooks. A guard fails when an operation
belongs to none of the groups, so that every compliance operation is fuzzed. Every
answer must be documented (status, content type, body schema), none a server error.
"""

from __future__ import annotations

import re

from fastapi import FastAPI
from schemathesis import Case

from tests.compliance.schemathesis_support import SPEC, contract
from tests.support.service_world import World

# path patterns of the modules that fuzz compliance, this one's last
GROUPS = {
    "test_norms_schemathesis": "/norms/",
    "test_optouts_schemathesis": "/optouts",
    "test_screen_time_schemathesis": "/screen-time/",
    "test_attestation_schemathesis": "/(attestation/|dot-training/|dashboard)",
    "test_schemathesis": "/(notices|deadlines|calendar|events|webhooks)",
}

schema = contract(GROUPS["test_schemathesis"])


@schema.parametrize()
def test_the_rest_conforms_to_its_contract(case: Case, st_app: FastAPI, st_world: World) -> None:
    for who in ("admin", "teacher"):
        case.call_and_validate(app=st_app, headers=st_world.headers(who))


def test_every_operation_is_fuzzed_by_some_module() -> None:
    paths = [p for p in SPEC["paths"] if p.startswith("/api/v1/compliance/")]
    orphans = [p for p in paths if not any(re.search(rx, p) for rx in GROUPS.values())]
    assert orphans == []
