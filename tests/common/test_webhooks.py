"""Webhooks of the change feed (GW-5) against a real HTTP receiver started by the test.

The receiver verifies every request with ``services.common.webhooks.verify`` (as an
integrator would), fails the first three tries of each delivery and accepts the fourth.
The dispatcher is driven with ``run_once(now=…)``: no test waits for a clock.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from services.common.db import utcnow
from services.common.outbox import emit
from services.common.webhooks import WebhookVerificationError, sign, verify
from services.common.webhooks.dispatcher import WebhookDispatcher
from tests.gateway.upstreams import serve
from tests.support.databases import migrated_url
from tests.support.service_world import World, asgi_client, running_app, seed_directory
from tests.support.webhook_receiver import Receiver

# synthetic event types on a service's outbox (see tests/common/conftest.py)
pytestmark = pytest.mark.usefixtures("unchecked_payloads")

SERVICE = "compliance"
BASE = f"/api/v1/{SERVICE}/webhooks"
PROBLEM = "application/problem+json"
BACKOFF = 10.0


@pytest.fixture(scope="session")
def hook_db_url(db_backend: str) -> str:
    return migrated_url(SERVICE, db_backend)


@pytest.fixture
async def hook_app(hook_db_url: str) -> AsyncIterator[FastAPI]:
    async with running_app(
        SERVICE,
        hook_db_url,
        webhook_allowed_hosts=["127.0.0.1"],
        webhook_backoff_seconds=BACKOFF,
        webhook_backoff_max_seconds=BACKOFF * 4,
        webhook_max_attempts=5,
    ) as app:
        yield app


@pytest.fixture
async def hooks(hook_app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(hook_app, SERVICE) as c:
        yield c


@pytest.fixture
async def school(hook_app: FastAPI) -> World:
    w = World()
    await seed_directory(hook_app, w)
    return w


async def emit_events(app: FastAPI, school_id: uuid.UUID, types: list[str]) -> list[str]:
    ids: list[str] = []
    async with app.state.database.session() as session:
        for n, event_type in enumerate(types):
            event = await emit(
                session,
                app.state.kernel.outbox,
                school_id=school_id,
                type=event_type,
                aggregate_type=event_type.split(".")[0],
                aggregate_id=uuid.uuid4(),
                payload={"n": n, "text": "Сведения"},
            )
            ids.append(str(event.event_id))
    return ids


async def deliveries(app: FastAPI, webhook_id: str) -> list[Any]:
    model = app.state.kernel.webhooks.delivery
    async with app.state.database.session() as session:
        rows = await session.execute(
            select(model)
            .where(model.subscription_id == uuid.UUID(webhook_id))
            .order_by(model.outbox_id)
        )
        return list(rows.scalars())


async def subscribe(
    client: httpx.AsyncClient, world: World, url: str, **extra: Any
) -> dict[str, Any]:
    response = await client.post(BASE, json={"url": url, **extra}, headers=world.headers("admin"))
    assert response.status_code == 201, response.text
    assert response.headers["cache-control"] == "no-store"
    body = dict(response.json())
    assert body["secret"].startswith("whsec_")
    return body


class TestDeliveryWithRetries:
    async def test_a_receiver_that_fails_three_times_gets_everything_once(
        self, hook_app: FastAPI, hooks: httpx.AsyncClient, school: World
    ) -> None:
        receiver = Receiver()
        dispatcher: WebhookDispatcher = hook_app.state.webhooks
        async with serve(receiver.app()) as url:
            sub = await subscribe(hooks, school, f"{url}/hook", event_types=["compliance_notice.*"])
            receiver.secrets = [sub["secret"]]
            # the secret is never shown again
            shown = await hooks.get(f"{BASE}/{sub['id']}", headers=school.headers("admin"))
            assert "secret" not in shown.json()
            # one event through the API, three written directly, one of another type
            notice = await hooks.post(
                "/api/v1/compliance/notices",
                json={
                    "kind": "distance_only_program_info",
                    "title": "Программа «Робототехника» реализуется только с ДОТ",
                    "decision_or_change_date": "2026-10-01",
                },
                headers=school.headers("admin"),
            )
            assert notice.status_code == 201, notice.text
            written = await emit_events(
                hook_app,
                school.school_id,
                [
                    "compliance_notice.updated",
                    "compliance_notice.published",
                    "norm_settings.updated",
                ],
            )
            # another school's event never reaches this school's subscription
            await emit_events(hook_app, uuid.uuid4(), ["compliance_notice.updated"])

            now = utcnow()
            for round_ in range(4):
                await dispatcher.run_once(now=now)
                rows = await deliveries(hook_app, sub["id"])
                assert len(rows) == 3  # notice.created + updated + published (filter)
                if round_ < 3:
                    wait = timedelta(seconds=BACKOFF * 2**round_)
                    assert {r.status for r in rows} == {"pending"}
                    assert {r.attempts for r in rows} == {round_ + 1}
                    # exponential backoff: 10 s, 20 s, 40 s after each failed try
                    assert {r.next_attempt_at - now for r in rows} == {wait}
                    # nothing is due before its time
                    await dispatcher.deliver_due(now + wait - timedelta(seconds=1))
                    early = await deliveries(hook_app, sub["id"])
                    assert {r.attempts for r in early} == {round_ + 1}
                    now = now + wait
            rows = await deliveries(hook_app, sub["id"])
            assert {r.status for r in rows} == {"delivered"}
            # every event arrived, each delivery id was accepted exactly once
            assert sorted(receiver.accepted.values()) == [1, 1, 1]
            assert set(receiver.accepted) == {str(r.id) for r in rows}
            assert receiver.rejected == []
            types = sorted(b["type"] for b in receiver.bodies.values())
            assert types == [
                "compliance_notice.created",
                "compliance_notice.published",
                "compliance_notice.updated",
            ]
            by_event = {b["event_id"]: b for b in receiver.bodies.values()}
            assert set(written[:2]) <= set(by_event)
            sample = by_event[written[0]]
            assert sample["service"] == SERVICE
            assert sample["school_id"] == str(school.school_id)
            assert sample["data"] == {"n": 0, "text": "Сведения"}
            # further rounds send nothing again
            tries = sum(receiver.tries.values())
            await dispatcher.run_once(now=now + timedelta(days=1))
            assert sum(receiver.tries.values()) == tries
            assert sorted(receiver.accepted.values()) == [1, 1, 1]

            # the delivery log: four attempts each, with status codes and durations
            log = await hooks.get(
                f"{BASE}/{sub['id']}/deliveries/{rows[0].id}", headers=school.headers("admin")
            )
            assert log.status_code == 200, log.text
            attempts = log.json()["attempt_log"]
            assert [a["status_code"] for a in attempts] == [503, 503, 503, 204]
            assert [a["error"] for a in attempts] == ["HTTP 503"] * 3 + [None]
            assert all(a["duration_ms"] >= 0 and a["trigger"] == "auto" for a in attempts)
            listed = await hooks.get(
                f"{BASE}/{sub['id']}/deliveries",
                params={"status": "delivered"},
                headers=school.headers("admin"),
            )
            assert len(listed.json()["items"]) == 3

            # a replay of a captured delivery is refused by the receiver's verification
            delivery_id, (headers, body) = next(iter(receiver.captured.items()))
            stamp = int(headers["webhook-timestamp"])
            with pytest.raises(WebhookVerificationError, match="tolerance"):
                verify(sub["secret"], headers, body, now=stamp + 301)
            receiver.clock_offset = 3600.0  # the receiver gets it an hour later
            async with httpx.AsyncClient() as raw:
                replay = await raw.post(f"{url}/hook", content=body, headers=headers)
            assert replay.status_code == 400
            assert receiver.accepted[delivery_id] == 1
            # re-signing an old capture with a fresh timestamp needs the secret
            forged = dict(headers, **{"webhook-timestamp": str(stamp - 60)})
            with pytest.raises(WebhookVerificationError, match="signature"):
                verify(sub["secret"], forged, body)

    async def test_dead_letters_and_manual_redelivery(
        self, hook_app: FastAPI, hooks: httpx.AsyncClient, school: World
    ) -> None:
        receiver = Receiver(always_fail=True)
        dispatcher: WebhookDispatcher = hook_app.state.webhooks
        admin = school.headers("admin")
        async with serve(receiver.app()) as url:
            sub = await subscribe(hooks, school, f"{url}/hook")
            receiver.secrets = [sub["secret"]]
            await emit_events(hook_app, school.school_id, ["norm_settings.updated"])
            now = utcnow()
            for _ in range(5):
                await dispatcher.run_once(now=now)
                now += timedelta(hours=1)
            (row,) = await deliveries(hook_app, sub["id"])
            assert row.status == "dead"
            assert row.attempts == 5
            dead = await hooks.get(
                f"{BASE}/{sub['id']}/deliveries", params={"status": "dead"}, headers=admin
            )
            assert [d["id"] for d in dead.json()["items"]] == [str(row.id)]
            assert dead.json()["items"][0]["last_status_code"] == 503
            # dead: the schedule never tries it again
            await dispatcher.run_once(now=now + timedelta(days=30))
            assert receiver.tries[str(row.id)] == 5

            receiver.always_fail = False
            receiver.fail_first = 0
            again = await hooks.post(
                f"{BASE}/{sub['id']}/deliveries/{row.id}/redeliver", headers=admin
            )
            assert again.status_code == 202, again.text
            assert again.json()["status"] == "pending"
            assert again.json()["attempts"] == 0
            # already queued: a second request is a conflict
            twice = await hooks.post(
                f"{BASE}/{sub['id']}/deliveries/{row.id}/redeliver", headers=admin
            )
            assert twice.status_code == 409
            assert twice.json()["type"] == "urn:eo:problem:webhook-delivery-pending"
            await dispatcher.run_once()
            detail = await hooks.get(f"{BASE}/{sub['id']}/deliveries/{row.id}", headers=admin)
            body = detail.json()
            assert body["status"] == "delivered"
            assert [a["trigger"] for a in body["attempt_log"]] == ["auto"] * 5 + ["manual"]
            assert [a["number"] for a in body["attempt_log"]] == [1, 2, 3, 4, 5, 6]
            # the same webhook-id on every try: the receiver saw one id only
            assert set(receiver.tries) == {str(row.id)}
            assert receiver.accepted[str(row.id)] == 1

    async def test_secret_rotation_signs_with_both_during_the_grace_period(
        self, hook_app: FastAPI, hooks: httpx.AsyncClient, school: World
    ) -> None:
        receiver = Receiver(fail_first=0)
        admin = school.headers("admin")
        async with serve(receiver.app()) as url:
            sub = await subscribe(hooks, school, f"{url}/hook")
            rotated = await hooks.post(f"{BASE}/{sub['id']}/rotate-secret", headers=admin)
            assert rotated.status_code == 200, rotated.text
            new_secret = rotated.json()["secret"]
            assert new_secret != sub["secret"]
            assert rotated.json()["previous_secret_until"] is not None
            receiver.secrets = [new_secret]
            await emit_events(hook_app, school.school_id, ["norm_settings.updated"])
            await hook_app.state.webhooks.run_once()
            ((headers, body),) = receiver.captured.values()
            signatures = headers["webhook-signature"].split()
            assert len(signatures) == 2
            # a receiver still holding the old secret verifies too
            verify(sub["secret"], headers, body)
            verify(new_secret, headers, body)

    async def test_paused_subscription_and_deleted_subscription(
        self, hook_app: FastAPI, hooks: httpx.AsyncClient, school: World
    ) -> None:
        admin = school.headers("admin")
        sub = await subscribe(hooks, school, "http://127.0.0.1:9/hook", active=False)
        await emit_events(hook_app, school.school_id, ["norm_settings.updated"])
        await hook_app.state.webhooks.fan_out()
        assert await deliveries(hook_app, sub["id"]) == []
        resumed = await hooks.patch(f"{BASE}/{sub['id']}", json={"active": True}, headers=admin)
        assert resumed.json()["active"] is True
        await hook_app.state.webhooks.fan_out()
        assert await deliveries(hook_app, sub["id"]) == []  # written while paused
        gone = await hooks.delete(f"{BASE}/{sub['id']}", headers=admin)
        assert gone.status_code == 204
        missing = await hooks.get(f"{BASE}/{sub['id']}", headers=admin)
        assert missing.status_code == 404
        assert missing.json()["type"] == "urn:eo:problem:webhook-not-found"


REFUSED = [
    ("http://localhost:8080/hook", "webhook-url-forbidden"),  # a name resolving to loopback
    ("http://127.0.0.2/hook", "webhook-url-forbidden"),
    ("http://10.1.2.3/hook", "webhook-url-forbidden"),
    ("http://192.168.0.10/hook", "webhook-url-forbidden"),
    ("http://172.16.5.4/hook", "webhook-url-forbidden"),
    ("http://100.64.0.1/hook", "webhook-url-forbidden"),
    ("http://169.254.169.254/latest/meta-data/", "webhook-url-forbidden"),
    ("http://[::1]:8000/hook", "webhook-url-forbidden"),
    ("http://[::ffff:127.0.0.1]/hook", "webhook-url-forbidden"),
    ("http://[fd00:ec2::254]/hook", "webhook-url-forbidden"),
    ("http://224.0.0.1/hook", "webhook-url-forbidden"),
    ("http://0.0.0.0:8000/hook", "webhook-url-forbidden"),
    ("ftp://example.org/hook", "webhook-url-invalid"),
    ("http://user:secret@example.org/hook", "webhook-url-invalid"),
    ("http://example.org:99999/hook", "webhook-url-invalid"),
]


class TestTargetsRefused:
    async def test_internal_targets_are_refused(
        self, hook_app: FastAPI, hooks: httpx.AsyncClient, school: World
    ) -> None:
        admin = school.headers("admin")
        for url, code in REFUSED:
            response = await hooks.post(BASE, json={"url": url}, headers=admin)
            assert response.status_code == 422, (url, response.text)
            assert response.headers["content-type"].startswith(PROBLEM)
            problem = response.json()
            assert problem["type"] == f"urn:eo:problem:{code}", url
            assert any("а" <= ch <= "я" for ch in problem["detail"].lower())  # Russian
        listed = await hooks.get(BASE, headers=admin)
        assert listed.json()["items"] == []

    async def test_a_change_to_an_internal_target_is_refused_and_nothing_changes(
        self, hooks: httpx.AsyncClient, school: World
    ) -> None:
        admin = school.headers("admin")
        sub = await subscribe(hooks, school, "http://127.0.0.1:9/hook")
        moved = await hooks.patch(
            f"{BASE}/{sub['id']}", json={"url": "http://10.0.0.1/hook"}, headers=admin
        )
        assert moved.status_code == 422
        assert moved.json()["type"] == "urn:eo:problem:webhook-url-forbidden"
        kept = await hooks.get(f"{BASE}/{sub['id']}", headers=admin)
        assert kept.json()["url"] == "http://127.0.0.1:9/hook"

    async def test_unknown_event_types_are_refused(
        self, hooks: httpx.AsyncClient, school: World
    ) -> None:
        admin = school.headers("admin")
        for types in (["no.such"], ["mark.*"], ["compliance_notice.created", "x"]):
            response = await hooks.post(
                BASE, json={"url": "http://127.0.0.1:9/hook", "event_types": types}, headers=admin
            )
            assert response.status_code == 422, response.text
            assert response.json()["type"] == "urn:eo:problem:unknown-event-type"
        assert (await hooks.get(BASE, headers=admin)).json()["items"] == []

    async def test_the_target_is_checked_again_at_delivery(
        self, hook_app: FastAPI, hooks: httpx.AsyncClient, school: World
    ) -> None:
        """An operator who withdraws the allowance: the next try is refused, not sent."""
        receiver = Receiver(fail_first=0)
        async with serve(receiver.app()) as url:
            sub = await subscribe(hooks, school, f"{url}/hook")
            receiver.secrets = [sub["secret"]]
            await emit_events(hook_app, school.school_id, ["norm_settings.updated"])
            strict = hook_app.state.settings.model_copy(update={"webhook_allowed_hosts": []})
            dispatcher = WebhookDispatcher(
                service=SERVICE,
                database=hook_app.state.database,
                kernel=hook_app.state.kernel,
                settings=strict,
            )
            try:
                await dispatcher.run_once()
            finally:
                await dispatcher.aclose()
            (row,) = await deliveries(hook_app, sub["id"])
            assert row.status == "pending"
            assert row.last_status_code is None
            assert "внутреннюю сеть" in (row.last_error or "")
            assert receiver.tries == Counter()


class TestOperatorAllowances:
    async def test_allowed_networks_hosts_and_https_in_production(self) -> None:
        from services.common.webhooks.targets import TargetPolicy, TargetRefused, check_target

        loopback = TargetPolicy.from_settings([], ["127.0.0.0/8", "::1/128"], require_https=False)
        await check_target("http://localhost:8080/hook", loopback)
        with pytest.raises(TargetRefused):
            await check_target("http://10.0.0.1/hook", loopback)
        named = TargetPolicy.from_settings(["hooks.school.local"], [], require_https=True)
        await check_target("http://hooks.school.local/hook", named)  # allowed as written
        with pytest.raises(TargetRefused) as refused:
            await check_target("http://203.0.113.9/hook", named)
        assert refused.value.code == "webhook-url-not-https"
        with pytest.raises(ValueError, match="network"):
            TargetPolicy.from_settings([], ["10.0.0.0/33"], require_https=False)


class TestSigning:
    def test_signature_matches_the_standard_webhooks_example(self) -> None:
        # the test vector of the Standard Webhooks specification's libraries
        secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
        msg_id = "msg_p5jXN8AQM9LWM0D4loKWxJek"
        timestamp = 1614265330
        body = b'{"test": 2432232314}'
        expected = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        assert sign(secret, msg_id, timestamp, body) == expected
        headers = {
            "webhook-id": msg_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": f"v1,bogus {expected}",
        }
        assert verify(secret, headers, body, now=timestamp + 10) == msg_id
        with pytest.raises(WebhookVerificationError):
            verify(secret, headers, body + b" ", now=timestamp + 10)
        with pytest.raises(WebhookVerificationError):
            verify(secret, {**headers, "webhook-id": "other"}, body, now=timestamp)
        with pytest.raises(WebhookVerificationError):
            verify(secret, {"webhook-id": msg_id}, body, now=timestamp)
        with pytest.raises(WebhookVerificationError):
            verify(secret, headers, body, now=timestamp - 301)  # from the future too


class TestListing:
    async def test_pages_and_bad_cursors(self, hooks: httpx.AsyncClient, school: World) -> None:
        from services.common.pagination import encode_cursor

        admin = school.headers("admin")
        made = [
            (await subscribe(hooks, school, f"http://127.0.0.1:9/hook{n}"))["id"] for n in range(3)
        ]
        first = await hooks.get(BASE, params={"limit": 2}, headers=admin)
        assert first.status_code == 200
        assert 'rel="next"' in first.headers["link"]
        second = await hooks.get(
            BASE, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=admin
        )
        ids = [w["id"] for w in first.json()["items"] + second.json()["items"]]
        assert sorted(ids) == sorted(made)
        assert second.json()["next_cursor"] is None
        for cursor in (
            "garbage!",
            encode_cursor({"c": "2026-11-26T00:00:00", "i": str(uuid.uuid4())}),  # naive
            encode_cursor({"c": "yesterday", "i": "x"}),
            encode_cursor({"i": str(uuid.uuid4())}),
        ):
            bad = await hooks.get(BASE, params={"cursor": cursor}, headers=admin)
            assert bad.status_code == 400, (cursor, bad.text)
            assert bad.json()["type"] == "urn:eo:problem:invalid-cursor"
        unknown = await hooks.get(f"{BASE}/{made[0]}/deliveries/{uuid.uuid4()}", headers=admin)
        assert unknown.status_code == 404
        assert unknown.json()["type"] == "urn:eo:problem:webhook-delivery-not-found"
