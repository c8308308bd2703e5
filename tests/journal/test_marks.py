"""Marks (JO-2) and nothing lost (JO-5): scale, history, ETag / If-Match, annulment,
closed periods, and marks from learning's events exactly once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import date

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.journal.models import Change, Mark
from tests.journal.learning_events import (
    a_course,
    feed,
    lesson_scheduled,
    review_completed,
)
from tests.support.service_world import World

API = "/api/v1/journal"


@pytest.fixture
async def course(journal_app: FastAPI, world: World) -> uuid.UUID:
    return await a_course(journal_app, world)


async def post_mark(
    client: httpx.AsyncClient, world: World, course: uuid.UUID, **over: object
) -> httpx.Response:
    body: dict[str, object] = {
        "course_id": str(course),
        "student_id": str(world.id("student")),
        "value": "4",
        "date": "2026-11-20",
    }
    body.update(over)
    return await client.post(f"{API}/marks", json=body, headers=world.headers("teacher"))


async def count_marks(app: FastAPI) -> int:
    async with app.state.database.session() as session:
        return int((await session.execute(select(func.count()).select_from(Mark))).scalar() or 0)


class TestCreate:
    async def test_teacher_marks_a_student_of_the_course(
        self, client: httpx.AsyncClient, world: World, course: uuid.UUID
    ) -> None:
        response = await post_mark(client, world, course, weight="2", comment="Контрольная")
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["value"] == "4"
        assert body["numeric_value"] == 4
        assert body["weight"] == 2
        assert response.headers["etag"] == f'"{body["id"]}:1"'
        history = await client.get(
            f"{API}/marks/{body['id']}/history", headers=world.headers("student")
        )
        assert history.status_code == 200
        assert [c["action"] for c in history.json()["changes"]] == ["created"]

    @pytest.mark.parametrize(
        ("over", "code"),
        [
            ({"value": "6"}, "value-not-in-scale"),
            ({"student_id": "student3"}, "student-not-in-course"),
            ({"date": "2026-08-31"}, "date-outside-year"),
            ({"date": "2027-06-01"}, "date-outside-year"),
        ],
    )
    async def test_bad_marks_are_refused_in_russian(
        self,
        journal_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course: uuid.UUID,
        over: dict[str, str],
        code: str,
    ) -> None:
        if over.get("student_id") == "student3":
            over = {"student_id": str(world.id("student3"))}
        before = await count_marks(journal_app)
        response = await post_mark(client, world, course, **over)
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["type"] == f"urn:eo:problem:{code}"
        assert any("а" <= ch <= "я" for ch in response.json()["detail"].lower())
        assert await count_marks(journal_app) == before

    async def test_other_teacher_and_students_may_not_write(
        self, client: httpx.AsyncClient, world: World, other_world: World, course: uuid.UUID
    ) -> None:
        body = {
            "course_id": str(course),
            "student_id": str(world.id("student")),
            "value": "5",
            "date": "2026-11-20",
        }
        for name in ("teacher2", "student", "guardian", "staff"):
            r = await client.post(f"{API}/marks", json=body, headers=world.headers(name))
            assert r.status_code == 403, name
        r = await client.post(f"{API}/marks", json=body, headers=other_world.headers("admin"))
        assert r.status_code == 404

    async def test_a_lesson_s_marks_all_or_nothing(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World, course: uuid.UUID
    ) -> None:
        lesson = lesson_scheduled(world, course, date(2026, 11, 23))
        await feed(journal_app, lesson)
        lesson_id = lesson["payload"]["id"]
        good = {"student_id": str(world.id("student")), "value": "5"}
        bad = {"student_id": str(world.id("student2")), "value": "нет"}
        before = await count_marks(journal_app)
        refused = await client.post(
            f"{API}/lessons/{lesson_id}/marks",
            json={"marks": [good, bad]},
            headers=world.headers("teacher"),
        )
        assert refused.status_code == 422
        assert await count_marks(journal_app) == before
        ok = await client.post(
            f"{API}/lessons/{lesson_id}/marks",
            json={"marks": [good, {**bad, "value": "3"}]},
            headers=world.headers("teacher"),
        )
        assert ok.status_code == 201, ok.text
        assert {m["date"] for m in ok.json()["items"]} == {"2026-11-23"}
        assert await count_marks(journal_app) == before + 2


class TestNothingIsLost:
    async def test_update_needs_if_match_and_keeps_history(
        self, client: httpx.AsyncClient, world: World, course: uuid.UUID
    ) -> None:
        mark = (await post_mark(client, world, course)).json()
        url = f"{API}/marks/{mark['id']}"
        change = {"value": "5", "reason": "Пересмотр после апелляции"}
        missing = await client.patch(url, json=change, headers=world.headers("teacher"))
        assert missing.status_code == 428
        assert missing.json()["type"] == "urn:eo:problem:precondition-required"
        etag = (await client.get(url, headers=world.headers("teacher"))).headers["etag"]
        ok = await client.patch(
            url, json=change, headers=world.headers("teacher", **{"If-Match": etag})
        )
        assert ok.status_code == 200, ok.text
        assert ok.json()["value"] == "5"
        assert ok.json()["version"] == 2
        stale = await client.patch(
            url,
            json={"value": "3", "reason": "ещё раз"},
            headers=world.headers("teacher", **{"If-Match": etag}),
        )
        assert stale.status_code == 412
        history = (await client.get(f"{url}/history", headers=world.headers("guardian"))).json()
        changes = history["changes"]
        assert [c["action"] for c in changes] == ["created", "updated"]
        assert changes[1]["old"]["value"] == "4"
        assert changes[1]["new"]["value"] == "5"
        assert changes[1]["reason"] == "Пересмотр после апелляции"
        assert changes[1]["by"] == str(world.id("teacher"))

    async def test_two_teachers_edit_at_once_one_wins(
        self,
        journal_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
    ) -> None:
        course = await a_course(journal_app, world, teachers=("teacher", "teacher2"))
        mark = (await post_mark(client, world, course)).json()
        url = f"{API}/marks/{mark['id']}"
        etag = (await client.get(url, headers=world.headers("teacher"))).headers["etag"]
        first, second = await asyncio.gather(
            client.patch(
                url,
                json={"value": "5", "reason": "первый"},
                headers=world.headers("teacher", **{"If-Match": etag}),
            ),
            client.patch(
                url,
                json={"value": "3", "reason": "второй"},
                headers=world.headers("teacher2", **{"If-Match": etag}),
            ),
        )
        statuses = sorted([first.status_code, second.status_code])
        assert statuses == [200, 412], (first.text, second.text)
        winner = first if first.status_code == 200 else second
        history = (await client.get(f"{url}/history", headers=world.headers("admin"))).json()
        updates = [c for c in history["changes"] if c["action"] == "updated"]
        assert len(updates) == 1
        assert updates[0]["new"]["value"] == winner.json()["value"]
        assert history["mark"]["value"] == winner.json()["value"]

    async def test_annul_instead_of_delete(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World, course: uuid.UUID
    ) -> None:
        mark = (await post_mark(client, world, course)).json()
        url = f"{API}/marks/{mark['id']}"
        assert (await client.delete(url, headers=world.headers("teacher"))).status_code == 405
        etag = f'"{mark["id"]}:1"'
        annulled = await client.post(
            f"{url}/annul",
            json={"reason": "Ошибочно выставлена"},
            headers=world.headers("teacher", **{"If-Match": etag}),
        )
        assert annulled.status_code == 200, annulled.text
        assert annulled.json()["status"] == "annulled"
        listed = await client.get(
            f"{API}/marks", params={"course_id": str(course)}, headers=world.headers("teacher")
        )
        assert mark["id"] not in [m["id"] for m in listed.json()["items"]]
        with_annulled = await client.get(
            f"{API}/marks",
            params={"course_id": str(course), "include_annulled": "true"},
            headers=world.headers("teacher"),
        )
        assert mark["id"] in [m["id"] for m in with_annulled.json()["items"]]
        async with journal_app.state.database.session() as session:
            kept = await session.get(Mark, uuid.UUID(mark["id"]))
            assert kept is not None
            assert kept.annul_reason == "Ошибочно выставлена"

    async def test_closed_period_is_locked_until_reopened_by_order(
        self, client: httpx.AsyncClient, world: World, course: uuid.UUID
    ) -> None:
        admin = world.headers("admin")
        periods = await client.put(
            f"{API}/periods",
            json={
                "academic_year_id": str(world.year_id),
                "kind": "half_year",
                "periods": [
                    {"starts_on": "2026-09-01", "ends_on": "2026-12-28"},
                    {"starts_on": "2027-01-09", "ends_on": "2027-05-31"},
                ],
            },
            headers=admin,
        )
        assert periods.status_code == 200, periods.text
        first = periods.json()["items"][0]
        mark = (await post_mark(client, world, course)).json()
        closed = await client.post(f"{API}/periods/{first['id']}/close", json={}, headers=admin)
        assert closed.status_code == 200
        assert closed.json()["is_closed"]
        locked = await post_mark(client, world, course)
        assert locked.status_code == 423
        assert locked.json()["type"] == "urn:eo:problem:period-closed"
        etag = f'"{mark["id"]}:1"'
        edit = await client.patch(
            f"{API}/marks/{mark['id']}",
            json={"value": "5", "reason": "x"},
            headers=world.headers("teacher", **{"If-Match": etag}),
        )
        assert edit.status_code == 423
        no_order = await client.post(f"{API}/periods/{first['id']}/reopen", json={}, headers=admin)
        assert no_order.status_code == 422
        teacher_reopen = await client.post(
            f"{API}/periods/{first['id']}/reopen",
            json={"order_number": "15-од", "order_date": "2026-12-29", "reason": "Апелляция"},
            headers=world.headers("teacher"),
        )
        assert teacher_reopen.status_code == 403
        reopened = await client.post(
            f"{API}/periods/{first['id']}/reopen",
            json={"order_number": "15-од", "order_date": "2026-12-29", "reason": "Апелляция"},
            headers=admin,
        )
        assert reopened.status_code == 200
        assert not reopened.json()["is_closed"]
        assert (await post_mark(client, world, course)).status_code == 201
        history = await client.get(f"{API}/periods/{first['id']}/history", headers=admin)
        assert [c["action"] for c in history.json()["changes"]] == ["closed", "reopened"]
        assert history.json()["changes"][1]["order_number"] == "15-од"


class TestFromLearning:
    async def test_a_review_becomes_one_mark_even_when_replayed(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World, course: uuid.UUID
    ) -> None:
        review = review_completed(world, course, mark="5")
        await feed(journal_app, review)
        again = dict(review, id=str(uuid.uuid4()))  # the same review, delivered again
        await feed(journal_app, again, review)
        listed = await client.get(
            f"{API}/marks",
            params={"student_id": str(world.id("student"))},
            headers=world.headers("guardian"),
        )
        marks = [m for m in listed.json()["items"] if m["source"] == "review"]
        assert len(marks) == 1
        assert marks[0]["value"] == "5"
        assert marks[0]["date"] == "2026-11-24"
        async with journal_app.state.database.session() as session:
            via = (
                await session.execute(
                    select(Change.via).where(Change.entity_id == uuid.UUID(marks[0]["id"]))
                )
            ).scalar_one()
        assert via == "learning:review.completed"

    async def test_a_review_without_mark_makes_none(
        self, journal_app: FastAPI, world: World, course: uuid.UUID
    ) -> None:
        before = await count_marks(journal_app)
        await feed(journal_app, review_completed(world, course, mark=None))
        assert await count_marks(journal_app) == before


class TestReading:
    async def test_guardian_sees_own_child_only(
        self, client: httpx.AsyncClient, world: World, other_world: World, course: uuid.UUID
    ) -> None:
        mark = (await post_mark(client, world, course)).json()
        url = f"{API}/marks/{mark['id']}"
        assert (await client.get(url, headers=world.headers("guardian"))).status_code == 200
        assert (await client.get(url, headers=world.headers("guardian2"))).status_code == 404
        assert (await client.get(url, headers=world.headers("student2"))).status_code == 404
        assert (await client.get(url, headers=other_world.headers("admin"))).status_code == 404
        # the homeroom teacher of 7Б (teacher) and staff read; teacher2 teaches nothing here
        assert (await client.get(url, headers=world.headers("staff"))).status_code == 200
        assert (await client.get(url, headers=world.headers("teacher2"))).status_code == 404
        other_child = await client.get(
            f"{API}/marks",
            params={"student_id": str(world.id("student2"))},
            headers=world.headers("guardian"),
        )
        assert other_child.status_code == 404

    async def test_grid_costs_the_same_queries_for_1_or_30_students(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        from sqlalchemy import event

        from tests.journal.learning_events import course_created

        small = uuid.uuid4()
        await feed(
            journal_app, course_created(world, course_id=small, student_ids=[world.id("student")])
        )
        big_students = [uuid.uuid4() for _ in range(30)]
        big = uuid.uuid4()
        await feed(journal_app, course_created(world, course_id=big, student_ids=big_students))
        lessons = [
            lesson_scheduled(world, cid, date(2026, 11, d))
            for cid in (small, big)
            for d in range(2, 28)
        ]
        await feed(journal_app, *lessons)

        engine = journal_app.state.database.engine
        counted: list[str] = []

        def count(*args: object) -> None:
            counted.append("q")

        params = {"from": "2026-11-01", "to": "2026-11-30"}
        sizes = []
        for cid in (small, big):
            counted.clear()
            event.listen(engine.sync_engine, "before_cursor_execute", count)
            try:
                r = await client.get(
                    f"{API}/courses/{cid}/grid", params=params, headers=world.headers("teacher")
                )
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", count)
            assert r.status_code == 200, r.text
            sizes.append(len(counted))
        assert sizes[0] == sizes[1]
        assert len(r.json()["rows"]) == 30
        assert all(len(row["marks"]) == 26 for row in r.json()["rows"])
        assert len(r.json()["lessons"]) == 26
