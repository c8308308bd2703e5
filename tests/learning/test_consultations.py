"""Consultations on an approved schedule (LE-9, Reg §2.4): proposing, approving,
booking within capacity (also under concurrency), cancelling, and who sees what."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select, update

from services.learning.models import ConsultationBooking, ConsultationSlot
from tests.learning.extras_support import API, assert_problem, day, make_course
from tests.support.service_world import World

URL = f"{API}/consultations"


def slot_body(world: World, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "topic": "Подготовка к контрольной работе",
        "date": day(world, 3),
        "starts_at": "15:30",
        "duration_minutes": 40,
        "format": "online",
        "room_url": "https://sferum.ru/?call_link=abc123",
        "capacity": 5,
    }
    body.update(overrides)
    return body


async def propose(
    client: httpx.AsyncClient, world: World, who: str = "teacher", **overrides: Any
) -> dict[str, Any]:
    response = await client.post(
        URL, json=slot_body(world, **overrides), headers=world.headers(who)
    )
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def approved(client: httpx.AsyncClient, world: World, **overrides: Any) -> dict[str, Any]:
    slot = await propose(client, world, **overrides)
    response = await client.post(f"{URL}/{slot['id']}/approve", headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def book(
    client: httpx.AsyncClient, world: World, slot_id: str, who: str, student: str | None = None
) -> httpx.Response:
    body = {"student_id": str(world.id(student))} if student else {}
    return await client.post(f"{URL}/{slot_id}/bookings", json=body, headers=world.headers(who))


async def slot_row(app: FastAPI, slot_id: str) -> ConsultationSlot:
    async with app.state.database.session() as session:
        row: ConsultationSlot | None = await session.get(ConsultationSlot, uuid.UUID(slot_id))
        assert row is not None
        return row


async def bookings_count(app: FastAPI, slot_id: str) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count()).where(
            ConsultationBooking.slot_id == uuid.UUID(slot_id),
            ConsultationBooking.status == "booked",
        )
        return int((await session.execute(stmt)).scalar_one())


async def move_to_past(app: FastAPI, slot_id: str) -> None:
    """The slot started an hour ago (time passes; the API never schedules the past)."""
    async with app.state.database.session() as session:
        await session.execute(
            update(ConsultationSlot)
            .where(ConsultationSlot.id == uuid.UUID(slot_id))
            .values(starts_at_utc=datetime.now(UTC) - timedelta(hours=1))
        )


class TestSchedule:
    async def test_teacher_proposes_admin_approves(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        slot = await propose(client, world)
        assert slot["status"] == "proposed"
        assert slot["bookable"] is False
        assert slot["teacher_id"] == str(world.id("teacher"))
        assert slot["teacher_name"] == "Иванова Анна"
        assert slot["ends_at"] == "16:10:00"
        # 15:30 in Samara (UTC+4) is 11:30 UTC
        assert slot["starts_at_utc"].startswith(f"{day(world, 3)}T11:30:00")

        # a proposal is not on the students' schedule yet, and cannot be booked
        assert (
            await client.get(f"{URL}/{slot['id']}", headers=world.headers("student"))
        ).status_code == 404
        listed = await client.get(URL, headers=world.headers("student"))
        assert listed.json()["items"] == []
        assert_problem(
            await book(client, world, slot["id"], "student"), 422, "consultation-not-approved"
        )
        # another teacher does not see someone else's proposal; the teacher and admin do
        assert (
            await client.get(f"{URL}/{slot['id']}", headers=world.headers("teacher2"))
        ).status_code == 404
        for who in ("teacher", "admin", "staff"):
            r = await client.get(f"{URL}/{slot['id']}", headers=world.headers(who))
            assert r.status_code == 200, who

        response = await client.post(f"{URL}/{slot['id']}/approve", headers=world.headers("admin"))
        assert response.status_code == 200
        body = response.json()
        assert body["status"] == "approved"
        assert body["approved_by"] == str(world.id("admin"))
        assert body["bookable"] is True
        for who in ("student", "guardian", "teacher2", "student3"):
            r = await client.get(URL, headers=world.headers(who))
            assert [s["id"] for s in r.json()["items"]] == [slot["id"]], who

    async def test_admin_created_slot_is_approved(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = slot_body(
            world, teacher_id=str(world.id("teacher2")), format="offline", room="каб. 12"
        )
        body.pop("room_url")
        response = await client.post(URL, json=body, headers=world.headers("admin"))
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "approved"
        assert response.json()["room"] == "каб. 12"
        assert response.json()["teacher_id"] == str(world.id("teacher2"))

        without_teacher = slot_body(world)
        r = await client.post(URL, json=without_teacher, headers=world.headers("admin"))
        assert_problem(r, 422, "teacher-required")
        not_teacher = slot_body(world, teacher_id=str(world.id("student")))
        r = await client.post(URL, json=not_teacher, headers=world.headers("admin"))
        assert_problem(r, 422, "not-a-teacher")

    async def test_teacher_proposes_only_for_self_and_own_course(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        other_course = await make_course(learning_app, world, teacher="teacher2")
        r = await client.post(
            URL,
            json=slot_body(world, teacher_id=str(world.id("teacher2"))),
            headers=world.headers("teacher"),
        )
        assert_problem(r, 403)
        r = await client.post(
            URL,
            json=slot_body(world, course_id=str(other_course)),
            headers=world.headers("teacher"),
        )
        assert_problem(r, 403)
        r = await client.post(
            URL,
            json=slot_body(world, teacher_id=str(world.id("teacher")), course_id=str(other_course)),
            headers=world.headers("admin"),
        )
        assert_problem(r, 422, "teacher-not-of-course")

    async def test_list_by_date_range_in_order(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        late = await approved(client, world, date=day(world, 5), starts_at="10:00")
        early = await approved(client, world, date=day(world, 2), starts_at="16:00")
        same_day = await approved(client, world, date=day(world, 2), starts_at="09:00")
        far = await approved(client, world, date=day(world, 40))

        def ids(r: httpx.Response) -> list[str]:
            assert r.status_code == 200, r.text
            return [s["id"] for s in r.json()["items"]]

        h = world.headers("student")
        everything = await client.get(URL, headers=h)
        assert ids(everything) == [same_day["id"], early["id"], late["id"], far["id"]]
        window = await client.get(
            URL, params={"date_from": day(world, 2), "date_to": day(world, 5)}, headers=h
        )
        assert ids(window) == [same_day["id"], early["id"], late["id"]]
        one_day = await client.get(
            URL, params={"date_from": day(world, 2), "date_to": day(world, 2)}, headers=h
        )
        assert ids(one_day) == [same_day["id"], early["id"]]

        first = await client.get(URL, params={"limit": 2}, headers=h)
        assert ids(first) == [same_day["id"], early["id"]]
        rest = await client.get(
            URL, params={"limit": 2, "cursor": first.json()["next_cursor"]}, headers=h
        )
        assert ids(rest) == [late["id"], far["id"]]
        assert rest.json()["next_cursor"] is None

        by_teacher = await client.get(
            URL, params={"teacher_id": str(world.id("teacher2"))}, headers=h
        )
        assert ids(by_teacher) == []
        backwards = await client.get(
            URL, params={"date_from": day(world, 5), "date_to": day(world, 2)}, headers=h
        )
        assert_problem(backwards, 422, "invalid-date-range")

    async def test_course_slots_open_only_to_its_students(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        course = await make_course(learning_app, world)  # 7Б: student, student2
        slot = await approved(client, world, course_id=str(course))
        assert slot["course_subject"] == "Математика"
        seen = await client.get(URL, headers=world.headers("student"))
        assert [s["id"] for s in seen.json()["items"]] == [slot["id"]]
        hidden = await client.get(URL, headers=world.headers("student3"))
        assert hidden.json()["items"] == []
        r = await client.get(f"{URL}/{slot['id']}", headers=world.headers("student3"))
        assert_problem(r, 404, "consultation-not-found")
        r = await book(client, world, slot["id"], "student3")
        assert_problem(r, 422, "consultation-course-not-taken")
        assert (await book(client, world, slot["id"], "student")).status_code == 201


class TestChanges:
    async def test_teacher_edits_room_but_not_approved_time(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        slot = await approved(client, world)
        h = world.headers("teacher")
        r = await client.patch(
            f"{URL}/{slot['id']}",
            json={"room_url": "https://sferum.ru/?call_link=new", "topic": "Дроби"},
            headers=h,
        )
        assert r.status_code == 200, r.text
        assert r.json()["room_url"] == "https://sferum.ru/?call_link=new"
        assert r.json()["status"] == "approved"
        r = await client.patch(f"{URL}/{slot['id']}", json={"starts_at": "17:00"}, headers=h)
        assert_problem(r, 403, "consultation-schedule-approved")
        r = await client.patch(
            f"{URL}/{slot['id']}", json={"starts_at": "17:00"}, headers=world.headers("admin")
        )
        assert r.status_code == 200
        assert r.json()["starts_at"] == "17:00:00"
        assert r.json()["starts_at_utc"].startswith(f"{day(world, 3)}T13:00:00")
        r = await client.patch(
            f"{URL}/{slot['id']}", json={"topic": "x"}, headers=world.headers("teacher2")
        )
        assert_problem(r, 403)

    async def test_proposal_time_is_the_teachers(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        slot = await propose(client, world)
        r = await client.patch(
            f"{URL}/{slot['id']}",
            json={"date": day(world, 4), "duration_minutes": 30},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["date"] == day(world, 4)
        assert r.json()["duration_minutes"] == 30

    async def test_capacity_never_below_bookings(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        slot = await approved(client, world, capacity=3)
        assert (await book(client, world, slot["id"], "student")).status_code == 201
        assert (await book(client, world, slot["id"], "student2")).status_code == 201
        r = await client.patch(
            f"{URL}/{slot['id']}", json={"capacity": 1}, headers=world.headers("teacher")
        )
        assert_problem(r, 422, "capacity-below-bookings")
        assert (await slot_row(learning_app, slot["id"])).capacity == 3
        r = await client.patch(
            f"{URL}/{slot['id']}", json={"capacity": 2}, headers=world.headers("teacher")
        )
        assert r.status_code == 200
        assert r.json()["capacity"] == 2
        assert r.json()["seats_left"] == 0
        assert r.json()["bookable"] is False

    async def test_cancel_slot(self, client: httpx.AsyncClient, world: World) -> None:
        slot = await approved(client, world)
        assert (await book(client, world, slot["id"], "student")).status_code == 201
        r = await client.post(
            f"{URL}/{slot['id']}/cancel",
            json={"reason": "Болезнь педагога"},
            headers=world.headers("student"),
        )
        assert_problem(r, 403)
        r = await client.post(
            f"{URL}/{slot['id']}/cancel",
            json={"reason": "Болезнь педагога"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200
        assert r.json()["status"] == "cancelled"
        assert r.json()["cancel_reason"] == "Болезнь педагога"
        # the student still sees it (as cancelled) and cannot book it any more
        seen = await client.get(f"{URL}/{slot['id']}", headers=world.headers("student"))
        assert seen.json()["status"] == "cancelled"
        assert_problem(
            await book(client, world, slot["id"], "student2"), 422, "consultation-cancelled"
        )
        r = await client.post(f"{URL}/{slot['id']}/approve", headers=world.headers("admin"))
        assert_problem(r, 422, "consultation-cancelled")


class TestBooking:
    async def test_book_cancel_and_rebook(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        slot = await approved(client, world, capacity=2)
        r = await book(client, world, slot["id"], "student")
        assert r.status_code == 201, r.text
        booking = r.json()
        assert booking["student_id"] == str(world.id("student"))
        assert booking["status"] == "booked"
        assert booking["student_name"] == "Соколов Артём"

        seen = await client.get(f"{URL}/{slot['id']}", headers=world.headers("student"))
        assert seen.json()["booked"] == 1
        assert seen.json()["my_bookings"] == [
            {"booking_id": booking["id"], "student_id": str(world.id("student"))}
        ]
        other = await client.get(f"{URL}/{slot['id']}", headers=world.headers("student2"))
        assert other.json()["my_bookings"] == []

        assert_problem(
            await book(client, world, slot["id"], "student"), 409, "consultation-already-booked"
        )
        mine = await client.get(
            URL, params={"booked_only": "true"}, headers=world.headers("student")
        )
        assert [s["id"] for s in mine.json()["items"]] == [slot["id"]]
        theirs = await client.get(
            URL, params={"booked_only": "true"}, headers=world.headers("student2")
        )
        assert theirs.json()["items"] == []

        cancel = f"{URL}/{slot['id']}/bookings/{booking['id']}/cancel"
        assert_problem(await client.post(cancel, headers=world.headers("student2")), 404)
        assert_problem(await client.post(cancel, headers=world.headers("teacher")), 403)
        r = await client.post(cancel, headers=world.headers("student"))
        assert r.status_code == 200
        assert r.json()["status"] == "cancelled"
        assert r.json()["cancelled_by"] == str(world.id("student"))
        assert (await slot_row(learning_app, slot["id"])).booked == 0
        again = await client.post(cancel, headers=world.headers("student"))
        assert again.status_code == 200
        assert (await slot_row(learning_app, slot["id"])).booked == 0

        rebook = await book(client, world, slot["id"], "student")
        assert rebook.status_code == 201
        assert rebook.json()["id"] == booking["id"]
        assert rebook.json()["status"] == "booked"
        assert (await slot_row(learning_app, slot["id"])).booked == 1

    async def test_over_capacity_is_refused(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        slot = await approved(client, world, capacity=1)
        assert (await book(client, world, slot["id"], "student")).status_code == 201
        body = assert_problem(
            await book(client, world, slot["id"], "student2"), 409, "consultation-full"
        )
        assert "мест" in body["detail"]
        assert await bookings_count(learning_app, slot["id"]) == 1
        assert (await slot_row(learning_app, slot["id"])).booked == 1

    async def test_guardian_books_for_linked_child_only(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        slot = await approved(client, world)
        r = await book(client, world, slot["id"], "guardian", student="student")
        assert r.status_code == 201, r.text
        assert r.json()["booked_by"] == str(world.id("guardian"))
        r = await book(client, world, slot["id"], "guardian", student="student2")
        assert_problem(r, 404, "student-not-found")
        r = await book(client, world, slot["id"], "guardian")
        assert_problem(r, 422, "student-required")
        seen = await client.get(f"{URL}/{slot['id']}", headers=world.headers("guardian"))
        assert [b["student_id"] for b in seen.json()["my_bookings"]] == [str(world.id("student"))]
        # a student books only themself
        r = await book(client, world, slot["id"], "student2", student="student3")
        assert_problem(r, 404)
        # the guardian cancels the child's booking
        booking_id = seen.json()["my_bookings"][0]["booking_id"]
        r = await client.post(
            f"{URL}/{slot['id']}/bookings/{booking_id}/cancel", headers=world.headers("guardian")
        )
        assert r.status_code == 200
        r = await client.post(
            f"{URL}/{slot['id']}/bookings/{booking_id}/cancel", headers=world.headers("guardian2")
        )
        assert_problem(r, 404)

    async def test_teacher_sees_bookings_of_own_slots(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        slot = await approved(client, world)
        await book(client, world, slot["id"], "student")
        await book(client, world, slot["id"], "guardian2", student="student2")
        r = await client.get(f"{URL}/{slot['id']}/bookings", headers=world.headers("teacher"))
        assert r.status_code == 200
        assert {b["student_id"] for b in r.json()} == {
            str(world.id("student")),
            str(world.id("student2")),
        }
        for who in ("admin", "staff"):
            r = await client.get(f"{URL}/{slot['id']}/bookings", headers=world.headers(who))
            assert r.status_code == 200
        for who in ("teacher2", "student", "guardian"):
            r = await client.get(f"{URL}/{slot['id']}/bookings", headers=world.headers(who))
            assert_problem(r, 403)

    async def test_started_slot_cannot_be_booked_or_left(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        slot = await approved(client, world)
        booking = (await book(client, world, slot["id"], "student")).json()
        await move_to_past(learning_app, slot["id"])
        r = await book(client, world, slot["id"], "student2")
        assert_problem(r, 422, "consultation-started")
        r = await client.post(
            f"{URL}/{slot['id']}/bookings/{booking['id']}/cancel",
            headers=world.headers("student"),
        )
        assert_problem(r, 422, "consultation-started")
        assert await bookings_count(learning_app, slot["id"]) == 1
        r = await client.patch(
            f"{URL}/{slot['id']}", json={"topic": "Поздно"}, headers=world.headers("teacher")
        )
        assert_problem(r, 422, "consultation-started")

    async def test_staff_teachers_and_admins_do_not_book(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        slot = await approved(client, world)
        for who in ("teacher", "admin", "staff"):
            r = await book(client, world, slot["id"], who, student="student")
            assert_problem(r, 403)

    async def test_other_school_slot_is_not_found(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        slot = await approved(client, world)
        r = await book(client, other_world, slot["id"], "student")
        assert_problem(r, 404, "consultation-not-found")
        r = await client.get(f"{URL}/{slot['id']}", headers=other_world.headers("admin"))
        assert_problem(r, 404)
        r = await client.get(URL, headers=other_world.headers("admin"))
        assert r.json()["items"] == []


class TestConcurrency:
    async def test_last_seat_goes_to_exactly_one(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        slot = await approved(client, world, capacity=1)
        first, second = await asyncio.gather(
            book(client, world, slot["id"], "student"),
            book(client, world, slot["id"], "student2"),
        )
        statuses = sorted([first.status_code, second.status_code])
        assert statuses == [201, 409], (first.text, second.text)
        loser = first if first.status_code == 409 else second
        assert_problem(loser, 409, "consultation-full")
        assert await bookings_count(learning_app, slot["id"]) == 1
        assert (await slot_row(learning_app, slot["id"])).booked == 1

    async def test_many_students_never_exceed_capacity(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        slot = await approved(client, world, capacity=2)
        results = await asyncio.gather(
            book(client, world, slot["id"], "student"),
            book(client, world, slot["id"], "student2"),
            book(client, world, slot["id"], "student3"),
            book(client, world, slot["id"], "guardian", student="student"),
        )
        created = [r for r in results if r.status_code == 201]
        assert len(created) == 2, [r.text for r in results]
        assert all(r.status_code in (201, 409) for r in results), [r.text for r in results]
        assert await bookings_count(learning_app, slot["id"]) == 2
        assert (await slot_row(learning_app, slot["id"])).booked == 2

    async def test_same_student_twice_at_once_is_booked_once(
        self, client: httpx.AsyncClient, world: World, learning_app: FastAPI
    ) -> None:
        slot = await approved(client, world, capacity=5)
        results = await asyncio.gather(
            book(client, world, slot["id"], "student"),
            book(client, world, slot["id"], "guardian", student="student"),
        )
        assert sorted(r.status_code for r in results) == [201, 409], [r.text for r in results]
        assert await bookings_count(learning_app, slot["id"]) == 1
        assert (await slot_row(learning_app, slot["id"])).booked == 1
