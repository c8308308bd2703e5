"""The outbox's HTTP views and its enqueue API: delivery status per recipient for the
teacher and admins, one's own copies, manual retry (LE-5, Reg §2.2)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event, func, select

from services.learning.models import Notification, NotificationOwner
from services.learning.notifications.outbox import Recipient, enqueue
from tests.learning.notifications_support import API, add_notifications, load, set_state
from tests.support.service_world import World

URL = f"{API}/notifications"


def copies(world: World) -> list[Recipient]:
    return [
        Recipient(world.id("student"), "student"),
        Recipient(world.id("guardian"), "guardian", on_behalf_of=world.id("student")),
        Recipient(world.id("student2"), "student"),
        Recipient(world.id("guardian2"), "guardian", on_behalf_of=world.id("student2")),
    ]


@pytest.fixture
async def published(learning_app: FastAPI, world: World) -> tuple[str, list[Notification]]:
    ref = f"assignment:{uuid.uuid4()}"
    rows = await add_notifications(
        learning_app,
        school_id=world.school_id,
        recipients=copies(world),
        owner_ids=[world.id("teacher")],
        subject_ref=ref,
    )
    return ref, rows


def assert_problem(response: httpx.Response, status: int, code: str | None = None) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    if code is not None:
        assert body["type"] == f"urn:eo:problem:{code}"
    assert body.get("detail") or body.get("title")


class TestStatus:
    async def test_the_owning_teacher_sees_every_recipient(
        self, client: httpx.AsyncClient, world: World, published: tuple[str, list[Notification]]
    ) -> None:
        ref, rows = published
        response = await client.get(
            URL, params={"subject_ref": ref}, headers=world.headers("teacher")
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert [i["id"] for i in items] == [str(r.id) for r in rows]
        first, guardian = items[0], items[1]
        assert first["recipient_id"] == str(world.id("student"))
        assert first["recipient_role"] == "student"
        assert first["recipient_name"] == "Соколов Артём"
        assert first["on_behalf_of"] is None
        assert first["state"] == "pending"
        assert first["attempts"] == 0
        assert first["history"] == []
        assert first["subject"] == "Новое задание: «Кислород и его свойства»"
        assert first["topic"] == "assignment.published"
        assert first["subject_ref"] == ref
        assert guardian["recipient_name"] == "Соколова Елена"
        assert guardian["on_behalf_of"] == str(world.id("student"))
        assert guardian["on_behalf_of_name"] == "Соколов Артём"
        assert "body" not in first

    async def test_who_sees_what(
        self, client: httpx.AsyncClient, world: World, published: tuple[str, list[Notification]]
    ) -> None:
        ref, rows = published
        for who in ("admin", "staff", "teacher"):
            response = await client.get(
                URL, params={"subject_ref": ref}, headers=world.headers(who)
            )
            assert len(response.json()["items"]) == 4, who
        # another teacher of the school owns none of them
        other = await client.get(
            URL, params={"subject_ref": ref}, headers=world.headers("teacher2")
        )
        assert other.status_code == 200
        assert other.json()["items"] == []
        # without a filter a teacher gets all of their own, and only those
        own = await client.get(URL, headers=world.headers("teacher"))
        assert {i["id"] for i in own.json()["items"]} == {str(r.id) for r in rows}

    async def test_filters(
        self,
        client: httpx.AsyncClient,
        learning_app: FastAPI,
        world: World,
        published: tuple[str, list[Notification]],
    ) -> None:
        ref, rows = published
        await set_state(learning_app, rows[2].id, state="failed", next_attempt_at=None)
        failed = await client.get(
            URL, params={"subject_ref": ref, "state": "failed"}, headers=world.headers("teacher")
        )
        assert [i["id"] for i in failed.json()["items"]] == [str(rows[2].id)]
        by_topic = await client.get(
            URL, params={"topic": "consultation.booked"}, headers=world.headers("admin")
        )
        assert by_topic.json()["items"] == []
        other_ref = await client.get(
            URL,
            params={"subject_ref": f"assignment:{uuid.uuid4()}"},
            headers=world.headers("admin"),
        )
        assert other_ref.json()["items"] == []

    async def test_pages(
        self, client: httpx.AsyncClient, world: World, published: tuple[str, list[Notification]]
    ) -> None:
        ref, rows = published
        seen: list[str] = []
        params: dict[str, Any] = {"subject_ref": ref, "limit": 3}
        first = await client.get(URL, params=params, headers=world.headers("teacher"))
        assert 'rel="next"' in first.headers["link"]
        seen += [i["id"] for i in first.json()["items"]]
        cursor = first.json()["next_cursor"]
        assert cursor
        second = await client.get(
            URL, params={**params, "cursor": cursor}, headers=world.headers("teacher")
        )
        seen += [i["id"] for i in second.json()["items"]]
        assert second.json()["next_cursor"] is None
        assert seen == [str(r.id) for r in rows]

    async def test_bad_input(
        self, client: httpx.AsyncClient, world: World, published: tuple[str, list[Notification]]
    ) -> None:
        teacher = world.headers("teacher")
        for params in (
            {"subject_ref": "no colon"},
            {"subject_ref": "assignment:" + "x" * 300},
            {"state": "lost"},
            {"topic": "Bad Topic"},
        ):
            assert_problem(await client.get(URL, params=params, headers=teacher), 422)
        assert_problem(
            await client.get(URL, params={"cursor": "!!!"}, headers=teacher), 400, "invalid-cursor"
        )
        assert_problem(
            await client.get(URL, params={"cursor": "e30"}, headers=teacher), 400, "invalid-cursor"
        )
        assert_problem(
            await client.get(URL, params={"limit": 100000}, headers=teacher), 400, "limit-too-large"
        )

    async def test_students_and_guardians_are_refused(
        self, client: httpx.AsyncClient, world: World, published: tuple[str, list[Notification]]
    ) -> None:
        ref, _ = published
        for who in ("student", "guardian"):
            assert_problem(
                await client.get(URL, params={"subject_ref": ref}, headers=world.headers(who)),
                403,
                "notification-status-forbidden",
            )

    async def test_a_list_costs_the_same_number_of_queries_whatever_its_size(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        async def count_for(n: int) -> int:
            ref = f"assignment:{uuid.uuid4()}"
            rows = await add_notifications(
                learning_app,
                school_id=world.school_id,
                recipients=[Recipient(uuid.uuid4(), "student") for _ in range(n)],
                owner_ids=[world.id("teacher")],
                subject_ref=ref,
            )
            for row in rows:
                await set_state(learning_app, row.id, attempts=1)
            with counting(learning_app) as counter:
                response = await client.get(
                    URL, params={"subject_ref": ref}, headers=world.headers("teacher")
                )
            assert len(response.json()["items"]) == n
            return counter["n"]

        assert await count_for(2) == await count_for(30)


@contextmanager
def counting(app: FastAPI) -> Iterator[dict[str, int]]:
    counter = {"n": 0}
    engine = app.state.database.engine.sync_engine

    def count(*_: Any) -> None:
        counter["n"] += 1

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", count)


class TestMine:
    async def test_each_person_reads_their_own_copies(
        self,
        client: httpx.AsyncClient,
        learning_app: FastAPI,
        world: World,
        published: tuple[str, list[Notification]],
    ) -> None:
        ref, rows = published
        later = await add_notifications(
            learning_app,
            school_id=world.school_id,
            recipients=[Recipient(world.id("student"), "student")],
            subject="Консультация перенесена",
            body="Консультация по химии переносится на пятницу.",
            topic="consultation.moved",
            subject_ref=f"consultation:{uuid.uuid4()}",
        )
        mine = await client.get(f"{URL}/mine", headers=world.headers("student"))
        assert mine.status_code == 200, mine.text
        items = mine.json()["items"]
        # newest first
        assert [i["id"] for i in items] == [str(later[0].id), str(rows[0].id)]
        assert items[1]["subject_ref"] == ref
        assert items[1]["body"].startswith("Здравствуйте!")
        assert items[1]["state"] == "pending"
        assert items[1]["on_behalf_of"] is None

        guardian = await client.get(f"{URL}/mine", headers=world.headers("guardian"))
        assert [i["id"] for i in guardian.json()["items"]] == [str(rows[1].id)]
        assert guardian.json()["items"][0]["on_behalf_of"] == str(world.id("student"))
        for who in ("teacher", "admin", "student3", "guardian2"):
            got = await client.get(f"{URL}/mine", headers=world.headers(who))
            expected = [str(rows[3].id)] if who == "guardian2" else []
            assert [i["id"] for i in got.json()["items"]] == expected, who

        page = await client.get(
            f"{URL}/mine", params={"limit": 1}, headers=world.headers("student")
        )
        assert [i["id"] for i in page.json()["items"]] == [str(later[0].id)]
        rest = await client.get(
            f"{URL}/mine",
            params={"limit": 1, "cursor": page.json()["next_cursor"]},
            headers=world.headers("student"),
        )
        assert [i["id"] for i in rest.json()["items"]] == [str(rows[0].id)]


class TestRetry:
    async def test_only_undelivered_copies_are_retried(
        self,
        client: httpx.AsyncClient,
        learning_app: FastAPI,
        world: World,
        published: tuple[str, list[Notification]],
    ) -> None:
        _, rows = published
        pending = rows[0]
        assert_problem(
            await client.post(f"{URL}/{pending.id}/retry", headers=world.headers("teacher")),
            409,
            "notification-not-retryable",
        )
        stored = await load(learning_app, pending.id)
        assert stored.state == "pending"
        assert stored.history == []

        await set_state(
            learning_app,
            rows[1].id,
            state="no_address",
            next_attempt_at=None,
            attempts=1,
            last_error="У получателя не указан адрес электронной почты",
        )
        retried = await client.post(f"{URL}/{rows[1].id}/retry", headers=world.headers("admin"))
        assert retried.status_code == 200, retried.text
        body = retried.json()
        assert body["state"] == "pending"
        assert body["attempts"] == 0
        assert body["last_error"] is None
        assert body["next_attempt_at"] is not None
        [entry] = body["history"]
        assert entry["outcome"] == "retry_requested"
        assert entry["actor_id"] == str(world.id("admin"))
        assert entry["error"] == "У получателя не указан адрес электронной почты"
        # pending again: a second retry is refused
        assert_problem(
            await client.post(f"{URL}/{rows[1].id}/retry", headers=world.headers("admin")), 409
        )

    async def test_who_may_retry(
        self,
        client: httpx.AsyncClient,
        learning_app: FastAPI,
        world: World,
        other_world: World,
        published: tuple[str, list[Notification]],
    ) -> None:
        _, rows = published
        row = rows[0]
        await set_state(learning_app, row.id, state="failed", next_attempt_at=None)
        for who in ("teacher2", "staff", "student", "guardian"):
            assert_problem(
                await client.post(f"{URL}/{row.id}/retry", headers=world.headers(who)), 403
            )
        for who in ("admin", "teacher"):
            assert_problem(
                await client.post(f"{URL}/{row.id}/retry", headers=other_world.headers(who)),
                404,
                "notification-not-found",
            )
        assert_problem(
            await client.post(f"{URL}/{uuid.uuid4()}/retry", headers=world.headers("admin")),
            404,
            "notification-not-found",
        )
        assert_problem(
            await client.post(f"{URL}/not-a-uuid/retry", headers=world.headers("admin")), 422
        )
        assert (await load(learning_app, row.id)).state == "failed"
        ok = await client.post(f"{URL}/{row.id}/retry", headers=world.headers("teacher"))
        assert ok.status_code == 200, ok.text


class TestEnqueue:
    async def test_one_row_per_distinct_recipient_in_the_callers_transaction(
        self, learning_app: FastAPI, world: World
    ) -> None:
        teachers = [world.id("teacher"), world.id("teacher2")]
        async with learning_app.state.database.session() as session:
            rows = await enqueue(
                session,
                school_id=world.school_id,
                topic="assignment.published",
                subject_ref=f"assignment:{uuid.uuid4()}",
                recipients=[*copies(world), Recipient(world.id("student"), "student")],
                subject="Новое\r\nзадание:\tдроби  ",
                body="Текст",
                owner_ids=[*teachers, world.id("teacher")],
            )
            await session.rollback()  # the caller's transaction fails: nothing is left
        assert len(rows) == 4
        assert rows[0].subject == "Новое задание: дроби"
        async with learning_app.state.database.session() as session:
            left = await session.scalar(
                select(func.count())
                .select_from(Notification)
                .where(Notification.id.in_([r.id for r in rows]))
            )
        assert left == 0

        (row,) = await add_notifications(
            learning_app,
            school_id=world.school_id,
            recipients=[Recipient(world.id("student"), "student")],
            owner_ids=[*teachers, world.id("teacher")],
            subject="Т" * 400,
        )
        stored = await load(learning_app, row.id)
        assert sorted(stored.owner_ids) == sorted(teachers)
        assert len(stored.subject) == 300
        assert stored.subject.endswith("…")
        async with learning_app.state.database.session() as session:
            owners = await session.scalar(
                select(func.count())
                .select_from(NotificationOwner)
                .where(NotificationOwner.notification_id == row.id)
            )
        assert owners == 2

    async def test_mistakes_of_the_caller_are_refused(
        self, learning_app: FastAPI, world: World
    ) -> None:
        base: dict[str, Any] = {
            "school_id": world.school_id,
            "topic": "assignment.published",
            "subject_ref": f"assignment:{uuid.uuid4()}",
            "recipients": [Recipient(world.id("student"), "student")],
            "subject": "Тема",
            "body": "Текст",
        }
        async with learning_app.state.database.session() as session:
            assert await enqueue(session, **{**base, "recipients": []}) == []
            for change in (
                {"recipients": [Recipient(world.id("student"), "pupil")]},
                {"topic": "Assignment Published"},
                {"subject_ref": "assignment"},
                {"subject": " \n "},
                {"body": "x" * 100_001},
            ):
                with pytest.raises(ValueError):
                    await enqueue(session, **{**base, **change})
