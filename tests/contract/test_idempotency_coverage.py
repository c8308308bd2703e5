"""``Idempotency-Key`` is honoured on every POST of every service (GW-5).

The guarantee is made checkable two ways: every service app runs the idempotency
middleware, and its contract documents the header on every POST made with an access
token. POSTs without a token (the token endpoint and its kin) are listed here by name
and say in the contract that the key does not apply to them.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI

from services.common.idempotency import IdempotencyMiddleware, request_fingerprint
from services.compliance.app import create_app as compliance_app
from services.identity.app import create_app as identity_app
from services.journal.app import create_app as journal_app
from services.learning.app import create_app as learning_app

APPS = {
    "identity": identity_app,
    "learning": learning_app,
    "journal": journal_app,
    "compliance": compliance_app,
}
# POSTs that take no access token: nothing to scope a key by.
TOKENLESS_POSTS = {
    "identity_issue_token",
    "identity_logout",
    "identity_change_initial_password",
}


@pytest.fixture(scope="module", params=sorted(APPS))
def app(request: pytest.FixtureRequest) -> FastAPI:
    return APPS[request.param]()


def posts(spec: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [(path, item["post"]) for path, item in spec["paths"].items() if "post" in item]


def test_the_middleware_runs_in_every_service(app: FastAPI) -> None:
    assert any(m.cls is IdempotencyMiddleware for m in app.user_middleware)


def test_every_post_documents_the_key(app: FastAPI) -> None:
    spec = app.openapi()
    assert posts(spec), "a service without POSTs?"
    missing, unexplained = [], []
    for path, op in posts(spec):
        names = [p["name"] for p in op.get("parameters", []) if p.get("in") == "header"]
        if "security" in op:
            if "Idempotency-Key" not in names:
                missing.append(path)
        elif op["operationId"] not in TOKENLESS_POSTS or "x-idempotency-key" not in op:
            unexplained.append(f"{op['operationId']} {path}")
    assert not missing, f"POSTs without a documented Idempotency-Key: {missing}"
    assert not unexplained, f"token-less POSTs not listed as exceptions: {unexplained}"


def test_multipart_bodies_are_compared_without_their_boundary() -> None:
    def body(boundary: bytes, content: bytes) -> tuple[bytes, bytes]:
        ctype = b"multipart/form-data; boundary=" + boundary
        raw = (
            b"--" + boundary + b'\r\nContent-Disposition: form-data; name="files"; '
            b'filename="a.pdf"\r\n\r\n' + content + b"\r\n--" + boundary + b"--\r\n"
        )
        return ctype, raw

    one = request_fingerprint(b"POST", b"/x", b"", *body(b"abc123", b"%PDF"))
    two = request_fingerprint(b"POST", b"/x", b"", *body(b"zzz999", b"%PDF"))
    three = request_fingerprint(b"POST", b"/x", b"", *body(b"zzz999", b"%PDF-other"))
    assert one == two != three
    json_a = request_fingerprint(b"POST", b"/x", b"", b"application/json", b'{"a":1}')
    json_b = request_fingerprint(b"POST", b"/x", b"", b"application/json", b'{"a":2}')
    assert json_a != json_b
