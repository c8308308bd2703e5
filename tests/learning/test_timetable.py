"""The timetable (LE-3): lessons checked against the academic year, the plan and the
lesson length; weekly templates and idempotent generation; moves, substitutions and
cancellations with their events."""

from __future__ import annotations

from typing import Any

import httpx

from tests.learning.courses_support import API, add_topics, create_course, create_lesson, events
from tests.support.service_world import World


async def lessons_of(
    client: httpx.AsyncClient, world: World, caller: str = "teacher", **params: str
) -> list[dict[str, Any]]:
    query = {"from": "2026-09-01", "to": "2026-11-30", **params}
    r = await client.get(f"{API}/timetable", params=query, headers=world.headers(caller))
    assert r.status_code == 200, r.text
    return list(r.json()["lessons"])


class TestCreateLesson:
    async def test_a_lesson_with_everything(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world, teachers=("teacher", "teacher2"))
        (topic,) = await add_topics(client, world, course["id"], ["Дроби"])
        lesson = await create_lesson(
            client,
            world,
            course["id"],
            day="2026-11-26",
            starts_at="09:00",
            duration_minutes=30,
            lesson_number=2,
            topic_id=topic["id"],
            organisational_form="practical",
            delivery_form="distance",
            support_mode="online_consultation",
            devices=[
                {"device": "laptop", "minutes": 15, "kind": "interactive"},
                {"device": "tablet", "minutes": 5, "kind": "viewing"},
            ],
            video_room_url="https://sferum.ru/?call_link=abc",
            homework="№ 12, 14",
        )
        assert lesson["date"] == "2026-11-26"
        assert lesson["starts_at"] == "09:00"
        # Europe/Samara is UTC+4
        assert lesson["starts_at_utc"].startswith("2026-11-26T05:00:00")
        assert lesson["topic"] == {"id": topic["id"], "position": 1, "title": "Дроби"}
        assert lesson["screen_minutes"] == 20
        assert lesson["teacher"]["id"] == str(world.id("teacher"))
        assert lesson["teacher"]["name"] == "Иванова Анна"
        assert [t["id"] for t in lesson["teachers"]] == [
            str(world.id("teacher")),
            str(world.id("teacher2")),
        ]
        assert lesson["course"]["class_name"] == "7Б"
        assert lesson["course"]["level"] == "basic"
        assert lesson["status"] == "scheduled"
        assert lesson["version"] == 1

        (event,) = await events(client, world, "lesson.scheduled")
        assert event["aggregate_id"] == lesson["id"]
        assert event["payload"] == {
            "id": lesson["id"],
            "course_id": course["id"],
            "course": {
                "subject": "Математика",
                "class_group_id": str(world.class_id()),
                "grade": 7,
                "level": "basic",
                "subgroup": None,
                "student_ids": None,
                "teacher_ids": [str(world.id("teacher")), str(world.id("teacher2"))],
            },
            "date": "2026-11-26",
            "starts_at": "09:00",
            "starts_at_utc": "2026-11-26T05:00:00+00:00",
            "duration_minutes": 30,
            "lesson_number": 2,
            "topic": {"id": topic["id"], "position": 1, "title": "Дроби"},
            "organisational_form": "practical",
            "delivery_form": "distance",
            "support_mode": "online_consultation",
            "devices": [
                {"device": "laptop", "minutes": 15, "kind": "interactive"},
                {"device": "tablet", "minutes": 5, "kind": "viewing"},
            ],
            "video_room_url": "https://sferum.ru/?call_link=abc",
            "room": None,
            "status": "scheduled",
            "cancel_reason": None,
            "substitute_teacher_id": None,
            "teacher_id": str(world.id("teacher")),
            "homework": "№ 12, 14",
            "alternative": None,
            "moved_from_date": None,
            "version": 1,
            # no compliance in this test: published marked "not checked" (Reg §2.5)
            "compliance_status": "not_checked",
        }
        assert lesson["compliance"]["status"] == "not_checked"

    async def test_a_lesson_outside_the_academic_year(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        for day in ("2026-08-31", "2027-06-01"):
            r = await client.post(
                f"{API}/courses/{course['id']}/lessons",
                json={"date": day, "starts_at": "09:00"},
                headers=world.headers("teacher"),
            )
            assert r.status_code == 422
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["type"] == "urn:eo:problem:lesson-outside-academic-year"
            assert r.json()["detail"].startswith("Урок вне учебного года")
        assert await events(client, world, "lesson.scheduled") == []

    async def test_an_unknown_topic(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world)
        other = await create_course(client, world, subject="Физика")
        (foreign,) = await add_topics(client, world, other["id"], ["Чужая тема"])
        for topic_id in (foreign["id"], "7b3e4f6a-1111-4222-8333-944455556666"):
            r = await client.post(
                f"{API}/courses/{course['id']}/lessons",
                json={"date": "2026-11-26", "starts_at": "09:00", "topic_id": topic_id},
                headers=world.headers("teacher"),
            )
            assert r.status_code == 422
            assert r.json()["type"] == "urn:eo:problem:topic-not-in-plan"
        assert await lessons_of(client, world) == []

    async def test_bad_input(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world)
        url = f"{API}/courses/{course['id']}/lessons"
        base = {"date": "2026-11-26", "starts_at": "09:00", "duration_minutes": 30}
        rules = [
            {**base, "devices": [{"device": "pc", "minutes": 31, "kind": "viewing"}]},
            {
                **base,
                "devices": [
                    {"device": "pc", "minutes": 20, "kind": "viewing"},
                    {"device": "tablet", "minutes": 11, "kind": "interactive"},
                ],
            },
        ]
        for body in rules:
            r = await client.post(url, json=body, headers=world.headers("teacher"))
            assert r.status_code == 422, body
            assert r.json()["type"] == "urn:eo:problem:devices-exceed-duration"
        malformed = [
            {**base, "organisational_form": "webinar"},
            {**base, "delivery_form": "online"},
            {**base, "support_mode": "chat"},
            {**base, "devices": [{"device": "phone", "minutes": 5, "kind": "viewing"}]},
            {**base, "devices": [{"device": "pc", "minutes": 0, "kind": "viewing"}]},
            {**base, "devices": [{"device": "pc", "minutes": 5, "kind": "gaming"}]},
            {**base, "video_room_url": "http://sferum.ru/call"},
            {**base, "video_room_url": "javascript:alert(1)"},
            {**base, "starts_at": "25:00"},
            {**base, "starts_at": "09:00:30"},
            {**base, "starts_at": "09:00+03:00"},
            {**base, "date": 20261126},
            {**base, "date": "26.11.2026"},
            {**base, "duration_minutes": 0},
            {**base, "duration_minutes": "30"},
            {**base, "homework": "a\x00"},
            {**base, "extra": True},
        ]
        for body in malformed:
            r = await client.post(url, json=body, headers=world.headers("teacher"))
            assert r.status_code == 422, body
            assert r.json()["type"] == "urn:eo:problem:validation-error", body
        assert await lessons_of(client, world) == []

    async def test_one_lesson_of_a_course_at_a_time(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        await create_lesson(client, world, course["id"])
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json={"date": "2026-11-26", "starts_at": "09:00"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 409
        assert r.json()["type"] == "urn:eo:problem:lesson-slot-taken"


class TestTemplates:
    async def test_generation_is_idempotent_and_stays_in_the_year(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        url = f"{API}/courses/{course['id']}/timetable"
        teacher = world.headers("teacher")
        monday = await client.post(
            f"{url}/templates",
            json={"weekday": 1, "starts_at": "09:00", "lesson_number": 2, "room": "214"},
            headers=teacher,
        )
        assert monday.status_code == 201, monday.text
        wednesday = await client.post(
            f"{url}/templates",
            json={
                "weekday": 3,
                "starts_at": "10:00",
                "duration_minutes": 30,
                "delivery_form": "distance",
                "support_mode": "online_study",
                "devices": [{"device": "pc", "minutes": 20, "kind": "interactive"}],
                "video_room_url": "https://sferum.ru/call/1",
            },
            headers=teacher,
        )
        assert wednesday.status_code == 201, wednesday.text
        r = await client.post(
            f"{url}/templates", json={"weekday": 1, "starts_at": "09:00"}, headers=teacher
        )
        assert r.status_code == 409
        assert r.json()["type"] == "urn:eo:problem:template-slot-taken"
        r = await client.get(f"{url}/templates", headers=world.headers("student"))
        assert [t["weekday"] for t in r.json()] == [1, 3]

        # 30.11 … 13.12.2026: two Mondays and two Wednesdays
        period = {"from": "2026-11-30", "to": "2026-12-13"}
        r = await client.post(f"{url}/generate", json=period, headers=teacher)
        assert r.status_code == 200, r.text
        assert (r.json()["created"], r.json()["skipped"]) == (4, 0)
        again = await client.post(f"{url}/generate", json=period, headers=teacher)
        assert (again.json()["created"], again.json()["skipped"]) == (0, 4)

        lessons = await lessons_of(client, world, **{"from": "2026-11-30", "to": "2026-12-13"})
        assert [(ls["date"], ls["starts_at"]) for ls in lessons] == [
            ("2026-11-30", "09:00"),
            ("2026-12-02", "10:00"),
            ("2026-12-07", "09:00"),
            ("2026-12-09", "10:00"),
        ]
        assert lessons[0]["room"] == "214"
        assert lessons[0]["lesson_number"] == 2
        assert lessons[1]["delivery_form"] == "distance"
        assert lessons[1]["devices"] == [{"device": "pc", "minutes": 20, "kind": "interactive"}]
        assert lessons[1]["template_id"] == wednesday.json()["id"]
        assert len(await events(client, world, "lesson.scheduled")) == 4

        # the end of the year cuts the period
        r = await client.post(
            f"{url}/generate", json={"from": "2027-05-24", "to": "2027-06-30"}, headers=teacher
        )
        assert r.json()["to"] == "2027-05-31"
        assert r.json()["created"] == 3  # Monday 24, Wednesday 26, Monday 31 May
        r = await client.post(
            f"{url}/generate", json={"from": "2027-06-01", "to": "2027-06-30"}, headers=teacher
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:lesson-outside-academic-year"
        r = await client.post(
            f"{url}/generate", json={"from": "2027-06-30", "to": "2027-06-01"}, headers=teacher
        )
        assert r.status_code == 422

    async def test_moved_and_cancelled_lessons_are_not_generated_again(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        url = f"{API}/courses/{course['id']}/timetable"
        teacher = world.headers("teacher")
        await client.post(
            f"{url}/templates", json={"weekday": 1, "starts_at": "09:00"}, headers=teacher
        )
        period = {"from": "2026-11-30", "to": "2026-12-13"}
        first, second = (await client.post(f"{url}/generate", json=period, headers=teacher)).json()[
            "lesson_ids"
        ]
        r = await client.post(
            f"{API}/lessons/{first}/move",
            json={"date": "2026-12-01", "starts_at": "12:00"},
            headers=teacher,
        )
        assert r.status_code == 200, r.text
        r = await client.post(
            f"{API}/lessons/{second}/cancel", json={"reason": "Карантин"}, headers=teacher
        )
        assert r.status_code == 200
        again = await client.post(f"{url}/generate", json=period, headers=teacher)
        assert (again.json()["created"], again.json()["skipped"]) == (0, 2)

    async def test_update_and_delete_a_template(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        url = f"{API}/courses/{course['id']}/timetable/templates"
        teacher = world.headers("teacher")
        t = (
            await client.post(url, json={"weekday": 2, "starts_at": "08:30"}, headers=teacher)
        ).json()
        r = await client.patch(
            f"{url}/{t['id']}",
            json={"starts_at": "08:45", "duration_minutes": 30, "devices": []},
            headers=teacher,
        )
        assert r.status_code == 200, r.text
        assert r.json()["starts_at"] == "08:45"
        r = await client.patch(
            f"{url}/{t['id']}",
            json={"devices": [{"device": "pc", "minutes": 31, "kind": "viewing"}]},
            headers=teacher,
        )
        assert r.status_code == 422
        r = await client.patch(f"{url}/{t['id']}", json={"weekday": None}, headers=teacher)
        assert r.status_code == 422
        r = await client.delete(f"{url}/{t['id']}", headers=teacher)
        assert r.status_code == 204
        r = await client.delete(f"{url}/{t['id']}", headers=teacher)
        assert r.status_code == 404
        r = await client.post(
            f"{API}/courses/{course['id']}/timetable/generate",
            json={"from": "2026-12-01", "to": "2026-12-31"},
            headers=teacher,
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:no-templates"


class TestChanges:
    async def test_move_keeps_the_original_place(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        lesson = await create_lesson(client, world, course["id"], day="2026-11-26")
        url = f"{API}/lessons/{lesson['id']}/move"
        teacher = world.headers("teacher")
        r = await client.post(
            url, json={"date": "2026-11-27", "starts_at": "11:00", "room": "101"}, headers=teacher
        )
        assert r.status_code == 200, r.text
        moved = r.json()
        assert (moved["date"], moved["starts_at"]) == ("2026-11-27", "11:00")
        assert moved["starts_at_utc"].startswith("2026-11-27T07:00:00")
        assert (moved["moved_from_date"], moved["moved_from_starts_at"]) == ("2026-11-26", "09:00")
        assert moved["room"] == "101"
        assert moved["version"] == 2
        r = await client.post(
            url, json={"date": "2026-11-30", "starts_at": "11:00"}, headers=teacher
        )
        assert r.json()["moved_from_date"] == "2026-11-26"
        assert r.json()["version"] == 3
        r = await client.post(
            url, json={"date": "2027-07-01", "starts_at": "11:00"}, headers=teacher
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:lesson-outside-academic-year"
        changed = await events(client, world, "lesson.changed")
        assert [e["payload"]["version"] for e in changed] == [2, 3]
        assert changed[-1]["payload"]["date"] == "2026-11-30"
        assert changed[-1]["payload"]["moved_from_date"] == "2026-11-26"

    async def test_substitution(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world)
        lesson = await create_lesson(client, world, course["id"])
        url = f"{API}/lessons/{lesson['id']}"
        r = await client.post(
            f"{url}/substitute",
            json={"substitute_teacher_id": str(world.id("student"))},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:not-a-teacher"
        r = await client.post(
            f"{url}/substitute",
            json={"substitute_teacher_id": str(world.id("teacher2"))},
            headers=world.headers("admin"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["teacher"]["id"] == str(world.id("teacher2"))
        assert r.json()["substitute_teacher"]["name"] == "Петров Сергей"
        (event,) = await events(client, world, "lesson.changed")
        assert event["payload"]["teacher_id"] == str(world.id("teacher2"))
        assert event["payload"]["substitute_teacher_id"] == str(world.id("teacher2"))

        # the substitute sees it among their lessons and may set the homework …
        mine = await lessons_of(client, world, "teacher2")
        assert [ls["id"] for ls in mine] == [lesson["id"]]
        r = await client.patch(url, json={"homework": "Стр. 40"}, headers=world.headers("teacher2"))
        assert r.status_code == 200, r.text
        assert r.json()["homework"] == "Стр. 40"
        # … but not move or cancel it
        r = await client.post(
            f"{url}/cancel", json={"reason": "—"}, headers=world.headers("teacher2")
        )
        assert r.status_code == 403
        r = await client.post(
            f"{url}/substitute",
            json={"substitute_teacher_id": None},
            headers=world.headers("teacher"),
        )
        assert r.json()["substitute_teacher"] is None
        assert r.json()["teacher"]["id"] == str(world.id("teacher"))
        assert await lessons_of(client, world, "teacher2") == []

    async def test_update_topic_devices_and_links(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        (topic,) = await add_topics(client, world, course["id"], ["Тема"])
        lesson = await create_lesson(client, world, course["id"], duration_minutes=30)
        url = f"{API}/lessons/{lesson['id']}"
        teacher = world.headers("teacher")
        r = await client.patch(
            url,
            json={
                "topic_id": topic["id"],
                "delivery_form": "e_learning",
                "devices": [{"device": "interactive_panel", "minutes": 10, "kind": "viewing"}],
                "video_room_url": "https://sferum.ru/call/2",
            },
            headers=teacher,
        )
        assert r.status_code == 200, r.text
        assert r.json()["topic"]["title"] == "Тема"
        assert r.json()["version"] == 2
        r = await client.patch(
            url, json={"topic_id": None, "video_room_url": None}, headers=teacher
        )
        assert r.json()["topic"] is None
        assert r.json()["video_room_url"] is None
        for body in (
            {"devices": [{"device": "pc", "minutes": 31, "kind": "viewing"}]},
            {"topic_id": "7b3e4f6a-1111-4222-8333-944455556666"},
            {"delivery_form": None},
            {},
        ):
            r = await client.patch(url, json=body, headers=teacher)
            assert r.status_code == 422, body
        r = await client.get(url, headers=world.headers("student"))
        assert r.json()["version"] == 3

    async def test_cancel(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world)
        lesson = await create_lesson(client, world, course["id"])
        url = f"{API}/lessons/{lesson['id']}"
        r = await client.post(
            f"{url}/cancel", json={"reason": ""}, headers=world.headers("teacher")
        )
        assert r.status_code == 422
        r = await client.post(
            f"{url}/cancel", json={"reason": "Болезнь учителя"}, headers=world.headers("teacher")
        )
        assert r.status_code == 200
        assert (r.json()["status"], r.json()["cancel_reason"]) == ("cancelled", "Болезнь учителя")
        (event,) = await events(client, world, "lesson.cancelled")
        assert event["payload"]["status"] == "cancelled"
        assert event["payload"]["cancel_reason"] == "Болезнь учителя"
        assert event["payload"]["version"] == 2
        for path, body in (
            ("/cancel", {"reason": "ещё раз"}),
            ("/move", {"date": "2026-11-27", "starts_at": "09:00"}),
        ):
            r = await client.post(f"{url}{path}", json=body, headers=world.headers("teacher"))
            assert r.status_code == 409
            assert r.json()["type"] == "urn:eo:problem:lesson-cancelled"
        # the time is free again
        await create_lesson(client, world, course["id"])
        shown = await lessons_of(client, world, include_cancelled="false")
        assert [ls["status"] for ls in shown] == ["scheduled"]
        assert len(await lessons_of(client, world)) == 2


class TestReading:
    async def test_who_sees_which_lessons(self, client: httpx.AsyncClient, world: World) -> None:
        math = await create_course(client, world)
        english = await create_course(
            client,
            world,
            subject="Английский язык",
            subgroup="группа 2",
            student_ids=[str(world.id("student2"))],
        )
        reading = await create_course(
            client,
            world,
            subject="Чтение",
            class_name="3А",
            teachers=("teacher2",),
            caller="teacher2",
        )
        m = await create_lesson(client, world, math["id"], day="2026-11-26", starts_at="09:00")
        e = await create_lesson(client, world, english["id"], day="2026-11-26", starts_at="08:00")
        rd = await create_lesson(
            client, world, reading["id"], day="2026-11-27", starts_at="09:00", caller="teacher2"
        )

        async def ids(caller: str, **params: str) -> list[str]:
            return [ls["id"] for ls in await lessons_of(client, world, caller, **params)]

        assert await ids("student") == [m["id"]]
        assert await ids("student2") == [e["id"], m["id"]]
        assert await ids("student3") == [rd["id"]]
        assert await ids("guardian") == [m["id"]]
        assert await ids("guardian2") == [e["id"], m["id"]]
        assert await ids("teacher") == [e["id"], m["id"]]
        assert await ids("teacher2") == [rd["id"]]
        assert await ids("teacher", class_group_id=str(world.class_id("3А"))) == [rd["id"]]
        assert await ids("teacher", student_id=str(world.id("student2"))) == [e["id"], m["id"]]
        assert await ids("staff", teacher_id=str(world.id("teacher2"))) == [rd["id"]]
        assert await ids("admin", course_id=english["id"]) == [e["id"]]
        assert await ids("student", class_group_id=str(world.class_id())) == [e["id"], m["id"]]

        r = await client.get(
            f"{API}/timetable",
            params={"from": "2026-11-26", "to": "2026-11-26"},
            headers=world.headers("student2"),
        )
        body = r.json()
        assert body["from"] == body["to"] == "2026-11-26"
        assert body["timezone"] == "Europe/Samara"
        english_lesson = body["lessons"][0]
        assert english_lesson["course"]["subject"] == "Английский язык"
        assert english_lesson["course"]["subgroup"] == "группа 2"
        assert english_lesson["teachers"][0]["name"] == "Иванова Анна"

        async def status(caller: str, **params: str) -> int:
            query = {"from": "2026-09-01", "to": "2026-09-30", **params}
            r = await client.get(f"{API}/timetable", params=query, headers=world.headers(caller))
            return r.status_code

        assert await status("guardian", student_id=str(world.id("student2"))) == 404
        assert await status("student", student_id=str(world.id("student2"))) == 404
        assert await status("student", class_group_id=str(world.class_id("3А"))) == 404
        assert await status("guardian", course_id=reading["id"]) == 404
        assert await status("teacher", teacher_id=str(world.id("teacher2"))) == 404
        assert await status("admin", teacher_id=str(world.id("student"))) == 404
        assert await status("admin") == 400
        assert (
            await status("admin", student_id=str(world.id("student")), course_id=math["id"]) == 400
        )
        r = await client.get(f"{API}/lessons/{e['id']}", headers=world.headers("student"))
        assert r.status_code == 404
        r = await client.get(f"{API}/lessons/{e['id']}", headers=world.headers("guardian2"))
        assert r.status_code == 200

    async def test_a_guardian_of_several_children_names_one(
        self, client: httpx.AsyncClient, world: World, learning_app: Any
    ) -> None:
        from tests.learning.courses_support import add_student

        course = await create_course(client, world)
        lesson = await create_lesson(client, world, course["id"])
        second = await add_student(learning_app, world, "7Б", guardian="guardian")
        r = await client.get(
            f"{API}/timetable",
            params={"from": "2026-11-01", "to": "2026-11-30"},
            headers=world.headers("guardian"),
        )
        assert r.status_code == 400
        assert r.json()["type"] == "urn:eo:problem:student-id-required"
        found = await lessons_of(client, world, "guardian", student_id=str(second))
        assert [ls["id"] for ls in found] == [lesson["id"]]

    async def test_date_ranges(self, client: httpx.AsyncClient, world: World) -> None:
        for params, code in (
            ({"from": "2026-09-01", "to": "2026-12-02"}, "date-range-too-long"),
            ({"from": "2026-09-10", "to": "2026-09-01"}, "invalid-date-range"),
        ):
            r = await client.get(
                f"{API}/timetable", params=params, headers=world.headers("student")
            )
            assert r.status_code == 400
            assert r.json()["type"] == f"urn:eo:problem:{code}"
        r = await client.get(
            f"{API}/timetable",
            params={"from": "2026-09-01", "to": "2026-12-01"},
            headers=world.headers("student"),
        )
        assert r.status_code == 200
        r = await client.get(
            f"{API}/timetable",
            params={"from": "01.09.2026", "to": "2026-09-02"},
            headers=world.headers("student"),
        )
        assert r.status_code == 422
