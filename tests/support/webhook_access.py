"""The access matrix of ``/api/v1/<service>/webhooks`` (GW-5), the same in every service.

Only the school's administrator manages webhooks: anonymous → 401; staff, teacher,
student, guardian and service tokens → 403; another school's administrator → 404 for
this school's subscriptions and deliveries.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

OPERATIONS = (
    "create_webhook",
    "list_webhooks",
    "get_webhook",
    "update_webhook",
    "delete_webhook",
    "rotate_webhook_secret",
    "list_webhook_deliveries",
    "get_webhook_delivery",
    "redeliver_webhook_delivery",
)
DENIED = ("staff", "teacher", "student", "guardian", "service")
# The URL every subscription of the access tests uses: the app allows 127.0.0.1, and
# nothing is sent (the dispatcher does not run in these tests).
TARGET = "http://127.0.0.1:9/hook"


def webhook_operations(service: str) -> set[str]:
    return {f"{service}_{op}" for op in OPERATIONS}


async def _dead_delivery(app: FastAPI, school_id: uuid.UUID, webhook_id: str) -> str:
    kernel = app.state.kernel
    async with app.state.database.session() as session:
        # a row written straight into the outbox: only its delivery matters here, and
        # ``emit`` would (rightly) refuse a payload that is not the type's documented one
        session.add(
            kernel.outbox(
                school_id=school_id,
                type=_first_type(app),
                aggregate_type="test",
                aggregate_id=str(uuid.uuid4()),
                payload={"access": True},
            )
        )
    await app.state.webhooks.fan_out()
    delivery = kernel.webhooks.delivery
    async with app.state.database.session() as session:
        found = (
            await session.execute(
                select(delivery.id).where(delivery.subscription_id == uuid.UUID(webhook_id))
            )
        ).scalar_one()
        await session.execute(update(delivery).where(delivery.id == found).values(status="dead"))
    return str(found)


def _first_type(app: FastAPI) -> str:
    spec = app.openapi()
    for item in spec["paths"].values():
        for op in item.values():
            if isinstance(op, dict) and str(op.get("operationId", "")).endswith("_list_events"):
                types = op.get("x-event-types") or []
                if types:
                    return str(types[0]["type"])
    return "test.event"


async def check_webhook_access(
    app: FastAPI,
    client: httpx.AsyncClient,
    service: str,
    school_id: uuid.UUID,
    headers: Mapping[str, Mapping[str, str]],
    other_admin: Mapping[str, str],
) -> None:
    """``headers``: anonymous, admin, staff, teacher, student, guardian, service."""
    base = f"/api/v1/{service}/webhooks"
    mismatches: list[str] = []

    async def call(
        who: str, caller: Mapping[str, str], method: str, url: str, want: int, body: Any = None
    ) -> httpx.Response:
        response = await client.request(method, url, json=body, headers=dict(caller))
        if response.status_code != want:
            mismatches.append(
                f"{method} {url} {who}: {want} != {response.status_code} {response.text[:200]}"
            )
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
        return response

    async def matrix(
        method: str, url: str, ok: int, body: Any = None, *, cross: bool = True
    ) -> None:
        await call("anonymous", headers["anonymous"], method, url, 401, body)
        for role in DENIED:
            await call(role, headers[role], method, url, 403, body)
        if cross:
            await call("other:admin", other_admin, method, url, 404, body)
        await call("admin", headers["admin"], method, url, ok, body)

    created = await client.post(base, json={"url": TARGET}, headers=dict(headers["admin"]))
    assert created.status_code == 201, created.text
    webhook = created.json()["id"]
    one = f"{base}/{webhook}"
    delivery = await _dead_delivery(app, school_id, webhook)
    await matrix("POST", base, 201, {"url": TARGET}, cross=False)
    await matrix("GET", base, 200, cross=False)
    # another school's list does not show this school's subscription
    theirs = await client.get(base, headers=dict(other_admin))
    assert webhook not in {w["id"] for w in theirs.json()["items"]}
    await matrix("GET", one, 200)
    await matrix("PATCH", one, 200, {"description": "Доступ"})
    await matrix("POST", f"{one}/rotate-secret", 200)
    await matrix("GET", f"{one}/deliveries", 200)
    await matrix("GET", f"{one}/deliveries/{delivery}", 200)
    await matrix("POST", f"{one}/deliveries/{delivery}/redeliver", 202)
    await matrix("DELETE", one, 204)
    assert not mismatches, "\n".join(mismatches)
