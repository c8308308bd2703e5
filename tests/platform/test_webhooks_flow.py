"""Webhooks and the change feed through the gateway (GW-5), the platform running as in
production: the dispatcher in the background, a receiver that fails three times per
delivery and then accepts."""

from __future__ import annotations

from typing import Any

import pytest

from tests.gateway.upstreams import serve
from tests.support.platform import Platform, running_platform
from tests.support.webhook_receiver import Receiver

HOOKS = "/api/v1/identity/webhooks"


@pytest.fixture
async def platform(db_backend: str) -> Any:
    fast_hooks = {
        "webhooks_enabled": True,
        "webhook_poll_seconds": 0.1,
        "webhook_backoff_seconds": 0.1,
        "webhook_backoff_max_seconds": 0.3,
        "webhook_allowed_hosts": ["127.0.0.1"],
    }
    async with running_platform(db_backend, identity=fast_hooks) as p:
        yield p


async def test_a_new_pupil_reaches_the_integrator_by_webhook_and_feed(
    platform: Platform,
) -> None:
    admin = await platform.headers("demo-admin")
    receiver = Receiver(fail_first=3)
    async with serve(receiver.app()) as url:
        refused = await platform.gateway.post(
            HOOKS, json={"url": "http://169.254.169.254/latest/"}, headers=admin
        )
        assert refused.status_code == 422
        assert refused.json()["type"] == "urn:eo:problem:webhook-url-forbidden"

        created = await platform.gateway.post(
            HOOKS,
            json={"url": f"{url}/hook", "event_types": ["user.*"], "description": "Сферум"},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        sub = created.json()
        receiver.secrets = [sub["secret"]]

        pupil = await platform.gateway.post(
            "/api/v1/identity/users",
            json={
                "username": "new.pupil",
                "last_name": "Новикова",
                "first_name": "Вера",
                "birth_date": "2014-02-03",
                "roles": ["student"],
            },
            headers=admin,
        )
        assert pupil.status_code == 201, pupil.text
        pupil_id = pupil.json()["user"]["id"]

        async def arrived() -> dict[str, Any] | None:
            for body in receiver.bodies.values():
                if body["type"] == "user.created" and body["data"]["id"] == pupil_id:
                    return body
            return None

        body = await platform.wait_for(arrived, what="the webhook of user.created")
        assert body["service"] == "identity"
        assert body["data"]["username"] == "new.pupil"
        assert "email" not in body["data"]  # contact data never leaves in events
        assert receiver.rejected == []
        assert set(receiver.accepted.values()) == {1}

        async def recorded() -> dict[str, Any] | None:
            # the receiver answered before the dispatcher wrote down the outcome
            deliveries = await platform.gateway.get(
                f"{HOOKS}/{sub['id']}/deliveries", params={"status": "delivered"}, headers=admin
            )
            assert deliveries.status_code == 200, deliveries.text
            found = [d for d in deliveries.json()["items"] if d["event_type"] == "user.created"]
            return found[0] if found else None

        delivery = await platform.wait_for(recorded, what="the delivery marked delivered")
        assert delivery["attempts"] == 4
        log = await platform.gateway.get(
            f"{HOOKS}/{sub['id']}/deliveries/{delivery['id']}", headers=admin
        )
        assert [a["status_code"] for a in log.json()["attempt_log"]] == [503, 503, 503, 204]

    # the same event in the change feed, filtered by type
    feed = await platform.gateway.get(
        "/api/v1/identity/events", params={"types": "user.created", "limit": 1000}, headers=admin
    )
    assert feed.status_code == 200
    items = [e for e in feed.json()["items"] if e["aggregate_id"] == pupil_id]
    assert [e["id"] for e in items] == [body["event_id"]]
    garbage = await platform.gateway.get(
        "/api/v1/identity/events", params={"after": "not-a-cursor"}, headers=admin
    )
    assert garbage.status_code == 400
    assert garbage.json()["type"] == "urn:eo:problem:invalid-cursor"
