"""Who may manage the webhooks of the journal change feed (GW-5): the school's admin only."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from tests.support.service_world import World, service_headers
from tests.support.webhook_access import check_webhook_access, webhook_operations

COVERED: set[str] = webhook_operations("journal")


@pytest.fixture
def journal_overrides() -> dict[str, object]:
    return {"webhook_allowed_hosts": ["127.0.0.1"]}


async def test_webhooks_access(
    journal_app: FastAPI, client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    names = ("anonymous", "admin", "staff", "teacher", "student", "guardian")
    headers = {name: world.headers(name) for name in names}
    headers["service"] = service_headers()
    await check_webhook_access(
        journal_app, client, "journal", world.school_id, headers, other_world.headers("admin")
    )
