"""Who may manage the webhooks of identity's change feed (GW-5): the school's admin only.

The rows of ``test_access_matrix`` leave ``/webhooks`` to this module (the same matrix
runs for every service: tests/support/webhook_access.py).
"""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from services.common.settings import DEFAULT_SERVICE_SECRET
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld
from tests.support.webhook_access import check_webhook_access, webhook_operations

COVERED: set[str] = webhook_operations("identity")


@pytest.fixture
def identity_overrides() -> dict[str, object]:
    return {"webhook_allowed_hosts": ["127.0.0.1"]}


async def test_webhooks_access(
    identity_app: FastAPI,
    client: httpx.AsyncClient,
    school: SchoolWorld,
    other_school: SchoolWorld,
) -> None:
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in ("admin", "staff", "teacher", "student", "guardian"):
        headers[role] = await bearer(client, school[role].username)
    token = await client.post(
        "/api/v1/identity/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "learning",
            "client_secret": DEFAULT_SERVICE_SECRET,
        },
    )
    assert token.status_code == 200, token.text
    headers["service"] = {"Authorization": f"Bearer {token.json()['access_token']}"}
    other_admin = await bearer(client, other_school["admin"].username)
    await check_webhook_access(identity_app, client, "identity", school.id, headers, other_admin)
