"""Consultations: bad input gets a clear problem+json and leaves nothing behind (LE-9)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import ConsultationSlot
from tests.learning.extras_support import assert_problem, day
from tests.learning.test_consultations import URL, approved, book, propose, slot_body
from tests.support.service_world import World


async def slot_count(app: FastAPI, world: World) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count()).where(ConsultationSlot.school_id == world.school_id)
        return int((await session.execute(stmt)).scalar_one())


def fields(body: dict[str, Any]) -> list[str]:
    return [e["field"] for e in body.get("errors") or []]


class TestRefusedSlots:
    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"capacity": 0}, "body.capacity"),
            ({"capacity": -3}, "body.capacity"),
            ({"capacity": "5"}, "body.capacity"),
            ({"duration_minutes": 0}, "body.duration_minutes"),
            ({"duration_minutes": 600}, "body.duration_minutes"),
            ({"format": "hybrid"}, "body.format"),
            ({"room_url": "http://sferum.ru/call"}, "body.room_url"),
            ({"room_url": "ftp://sferum.ru/call"}, "body.room_url"),
            ({"room_url": "javascript:alert(1)"}, "body.room_url"),
            ({"room_url": "https://"}, "body.room_url"),
            ({"starts_at": "25:00"}, "body.starts_at"),
            ({"starts_at": "15:30:15"}, "body.starts_at"),
            ({"starts_at": "15:30+03:00"}, "body.starts_at"),
            ({"date": "2026-02-30"}, "body.date"),
            ({"date": "0001-01-01"}, "body.date"),
            ({"date": "9999-12-31"}, "body.date"),
            ({"topic": "a\x00b"}, "body.topic"),
            ({"unknown": 1}, "body.unknown"),
        ],
    )
    async def test_validation(
        self,
        client: httpx.AsyncClient,
        world: World,
        learning_app: FastAPI,
        overrides: dict[str, Any],
        field: str,
    ) -> None:
        r = await client.post(
            URL, json=slot_body(world, **overrides), headers=world.headers("teacher")
        )
        body = assert_problem(r, 422, "validation-error")
        assert field in fields(body), body
        assert await slot_count(learning_app, world) == 0

    async def test_online_needs_link_and_offline_a_room(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        body = slot_body(world)
        body.pop("room_url")
        r = await client.post(URL, json=body, headers=world.headers("teacher"))
        problem = assert_problem(r, 422, "validation-error")
        assert "ссылку" in problem["errors"][0]["message"]
        r = await client.post(
            URL, json=slot_body(world, format="offline"), headers=world.headers("teacher")
        )
        assert_problem(r, 422, "validation-error")
        assert await slot_count(learning_app, world) == 0

    async def test_past_slot(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        r = await client.post(
            URL, json=slot_body(world, date=day(world, -1)), headers=world.headers("teacher")
        )
        assert_problem(r, 422, "consultation-in-past")
        r = await client.post(
            URL,
            json=slot_body(world, date=day(world, -1), teacher_id=str(world.id("teacher"))),
            headers=world.headers("admin"),
        )
        assert_problem(r, 422, "consultation-in-past")
        assert await slot_count(learning_app, world) == 0

    async def test_unknown_course(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        r = await client.post(
            URL,
            json=slot_body(world, course_id="00000000-0000-4000-8000-000000000000"),
            headers=world.headers("teacher"),
        )
        assert_problem(r, 404, "course-not-found")

    async def test_bad_updates_change_nothing(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        slot = await propose(client, world)
        h = world.headers("teacher")
        r = await client.patch(f"{URL}/{slot['id']}", json={"room_url": "http://x.ru"}, headers=h)
        assert_problem(r, 422, "validation-error")
        r = await client.patch(f"{URL}/{slot['id']}", json={"capacity": None}, headers=h)
        assert_problem(r, 422, "validation-error")
        r = await client.patch(f"{URL}/{slot['id']}", json={"date": day(world, -2)}, headers=h)
        assert_problem(r, 422, "consultation-in-past")
        r = await client.patch(f"{URL}/{slot['id']}", json={"format": "offline"}, headers=h)
        assert_problem(r, 422, "consultation-place-missing")
        fresh = await client.get(f"{URL}/{slot['id']}", headers=h)
        assert fresh.json()["date"] == slot["date"]
        assert fresh.json()["format"] == "online"

    async def test_bad_list_queries(self, client: httpx.AsyncClient, world: World) -> None:
        h = world.headers("student")
        assert_problem(await client.get(URL, params={"date_from": "вчера"}, headers=h), 422)
        assert_problem(await client.get(URL, params={"status": "lost"}, headers=h), 422)
        assert_problem(
            await client.get(URL, params={"cursor": "not-a-cursor"}, headers=h),
            400,
            "invalid-cursor",
        )
        assert_problem(
            await client.get(
                URL, params={"date_from": day(world, 0), "date_to": day(world, 800)}, headers=h
            ),
            422,
            "date-range-too-long",
        )
        for edge in ("0001-01-01", "9999-12-31"):
            assert_problem(
                await client.get(URL, params={"date_from": edge}, headers=h),
                422,
                "invalid-date-range",
            )
            assert_problem(
                await client.get(URL, params={"date_to": edge}, headers=h),
                422,
                "invalid-date-range",
            )


class TestRefusedBookings:
    async def test_unapproved_and_unknown(self, client: httpx.AsyncClient, world: World) -> None:
        slot = await propose(client, world)
        assert_problem(
            await book(client, world, slot["id"], "student"), 422, "consultation-not-approved"
        )
        assert_problem(
            await book(client, world, "00000000-0000-4000-8000-000000000000", "student"),
            404,
            "consultation-not-found",
        )
        r = await client.post(
            f"{URL}/{slot['id']}/bookings",
            json={"student_id": "x"},
            headers=world.headers("student"),
        )
        assert_problem(r, 422, "validation-error")

    async def test_approving_is_for_admins(self, client: httpx.AsyncClient, world: World) -> None:
        slot = await propose(client, world)
        for who in ("teacher", "staff", "student"):
            r = await client.post(f"{URL}/{slot['id']}/approve", headers=world.headers(who))
            assert_problem(r, 403)

    async def test_full_slot_message(self, client: httpx.AsyncClient, world: World) -> None:
        slot = await approved(client, world, capacity=1)
        await book(client, world, slot["id"], "student")
        body = assert_problem(await book(client, world, slot["id"], "student2"), 409)
        assert body["detail"] == "Свободных мест на консультации нет"
