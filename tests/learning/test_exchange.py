"""Courses' external ids, the timetable CSV and iCalendar feeds (ID-9, GW-5, LE-3)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx
import icalendar
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import Lesson
from tests.learning.assignments_support import create_assignment
from tests.learning.courses_support import API, create_course, create_lesson, events
from tests.support.service_world import World


def problem(r: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = r.json()
    assert body["type"] == f"urn:eo:problem:{code}"
    return body


async def lesson_count(app: FastAPI, world: World) -> int:
    async with app.state.database.session() as session:
        return int(
            (
                await session.execute(
                    select(func.count())
                    .select_from(Lesson)
                    .where(Lesson.school_id == world.school_id)
                )
            ).scalar_one()
        )


class TestCourseExternalIds:
    async def test_set_lookup_event_and_remove(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world, subject="Физика")
        admin = world.headers("admin")
        url = f"{API}/courses/{course['id']}/external-ids/moya_shkola"
        r = await client.put(url, json={"value": " 100234 "}, headers=admin)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "entity_type": "course",
            "entity_id": course["id"],
            "system": "moya_shkola",
            "value": "100234",
        }
        found = await client.get(
            f"{API}/external-ids/lookup",
            params={"system": "moya_shkola", "value": "100234"},
            headers=world.headers("teacher2"),
        )
        assert found.status_code == 200
        assert found.json()["id"] == course["id"]
        assert found.json()["external_ids"] == {"moya_shkola": "100234"}
        updated = [
            e
            for e in await events(client, world, "course.updated")
            if e["payload"]["id"] == course["id"]
        ]
        assert updated[-1]["payload"]["external_ids"] == {"moya_shkola": "100234"}

        assert (await client.delete(url, headers=admin)).status_code == 204
        r = await client.get(
            f"{API}/external-ids/lookup",
            params={"system": "moya_shkola", "value": "100234"},
            headers=admin,
        )
        problem(r, 404, "external-id-not-found")
        problem(await client.delete(url, headers=admin), 404, "external-id-not-found")

    async def test_a_value_names_one_course_of_the_school(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        first = await create_course(client, world, subject="Химия")
        second = await create_course(client, world, subject="Биология")
        admin = world.headers("admin")
        put = f"{API}/courses/{{}}/external-ids/regional"
        assert (
            await client.put(put.format(first["id"]), json={"value": "R-1"}, headers=admin)
        ).status_code == 200
        r = await client.put(put.format(second["id"]), json={"value": "R-1"}, headers=admin)
        problem(r, 409, "external-id-taken")
        # another school may use the same value for its own course
        theirs = await create_course(client, other_world, subject="Химия")
        r = await client.put(
            put.format(theirs["id"]), json={"value": "R-1"}, headers=other_world.headers("admin")
        )
        assert r.status_code == 200
        found = await client.get(
            f"{API}/external-ids/lookup",
            params={"system": "regional", "value": "R-1"},
            headers=admin,
        )
        assert found.json()["id"] == first["id"]

    async def test_unknown_system_and_bad_values_are_422(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world, subject="Информатика")
        admin = world.headers("admin")
        r = await client.put(
            f"{API}/courses/{course['id']}/external-ids/gosuslugi",
            json={"value": "1"},
            headers=admin,
        )
        assert r.status_code == 422
        for body in ({"value": ""}, {"value": "a\x00b"}, {"value": "x" * 201}, {}):
            r = await client.put(
                f"{API}/courses/{course['id']}/external-ids/sferum", json=body, headers=admin
            )
            assert r.status_code == 422, body
        r = await client.get(
            f"{API}/external-ids/lookup", params={"system": "vk", "value": "1"}, headers=admin
        )
        assert r.status_code == 422
        assert (await client.get(f"{API}/courses/{course['id']}", headers=admin)).json()[
            "external_ids"
        ] == {}


class TestTimetableCsv:
    async def test_import_then_export(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        course = await create_course(client, world, subject="География")
        await client.put(
            f"{API}/courses/{course['id']}/external-ids/regional",
            json={"value": "GEO-7B"},
            headers=world.headers("admin"),
        )
        body = (
            "course_id;course_external_system;course_external_id;date;starts_at;"
            "duration_minutes;delivery_form;room;video_room_url;homework\n"
            f"{course['id']};;;2026-12-01;09:00;45;in_person;205;;§ 12, вопросы 1–3\n"
            ";regional;GEO-7B;02.12.2026;10:00;;distance;;https://sferum.ru/r/1;"
            '"Карта, ""контурная"""\n'
        )
        r = await client.post(
            f"{API}/timetable/import",
            content=body.encode(),
            headers={**world.headers("teacher"), "Content-Type": "text/csv; charset=utf-8"},
        )
        assert r.status_code == 201, r.text
        assert r.json()["created"] == 2
        scheduled = await events(client, world, "lesson.scheduled")
        assert set(r.json()["lesson_ids"]) <= {e["payload"]["id"] for e in scheduled}

        exported = await client.get(
            f"{API}/timetable/export.csv",
            params={"from": "2026-12-01", "to": "2026-12-02", "course_id": course["id"]},
            headers=world.headers("staff"),
        )
        assert exported.status_code == 200
        lines = exported.text.split("\r\n")
        assert lines[0].startswith("lesson_id,course_id,course_external_ids,subject,class")
        assert "regional=GEO-7B" in lines[1]
        assert ",2026-12-01,09:00,45," in lines[1]
        assert "distance" in lines[2]
        assert '"Карта, ""контурная"""' in lines[2]

    async def test_a_file_with_bad_rows_changes_nothing(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        course = await create_course(client, world, subject="История")
        await create_lesson(client, world, course["id"], day="2026-12-03", starts_at="09:00")
        before = await lesson_count(learning_app, world)
        before_events = len(await events(client, world, "lesson.scheduled"))
        body = (
            "course_id,date,starts_at,delivery_form,video_room_url\n"
            f"{course['id']},2026-12-04,09:00,,\n"  # fine
            f"{course['id']},2026-13-01,09:00,,\n"  # line 3: no such date
            f"{course['id']},2026-12-03,09:00,,\n"  # line 4: the slot is taken
            f"{course['id']},2026-12-04,09:00,,\n"  # line 5: same as line 2
            f"{course['id']},2026-12-05,9:7,online,http://x\n"  # line 6: three errors
            f"{uuid.uuid4()},2026-12-05,09:00,,\n"  # line 7: unknown course
            f"{course['id']},2027-07-01,09:00,,\n"  # line 8: outside the year
        )
        r = await client.post(
            f"{API}/timetable/import",
            content=body.encode(),
            headers={**world.headers("teacher"), "Content-Type": "text/csv"},
        )
        details = problem(r, 422, "timetable-import-invalid")
        found = {(e["line"], e["field"], e["code"]) for e in details["errors"]}  # type: ignore[attr-defined]
        assert found == {
            (3, "date", "invalid-value"),
            (4, "starts_at", "lesson-slot-taken"),
            (5, "starts_at", "duplicate-lesson"),
            (6, "starts_at", "invalid-value"),
            (6, "delivery_form", "invalid-value"),
            (6, "video_room_url", "invalid-value"),
            (7, "course_id", "unknown-course"),
            (8, "date", "lesson-outside-academic-year"),
        }
        assert details["errors_total"] == 8
        assert await lesson_count(learning_app, world) == before
        assert len(await events(client, world, "lesson.scheduled")) == before_events

    async def test_broken_files(self, client: httpx.AsyncClient, world: World) -> None:
        teacher = world.headers("teacher")
        cases = [
            (b"", "empty-file"),
            (b"course_id,date,starts_at\n", "empty-file"),
            (b"course_id,date,starts_at,colour\nx,2026-12-01,09:00,red\n", "unknown-column"),
            (b"course_id,date\nx,2026-12-01\n", "missing-column"),
            (
                "course_id,date,starts_at\nx,2026-12-01,09:00\n".encode("cp1251") + b"\xff",
                "not-utf8",
            ),
        ]
        for raw, code in cases:
            r = await client.post(
                f"{API}/timetable/import",
                content=raw,
                headers={**teacher, "Content-Type": "text/csv"},
            )
            body = problem(r, 422, "timetable-import-invalid")
            assert code in {e["code"] for e in body["errors"]}, (raw, body)  # type: ignore[attr-defined]
        r = await client.post(
            f"{API}/timetable/import",
            content=b"a",
            headers={**teacher, "Content-Type": "text/plain"},
        )
        problem(r, 415, "csv-required")


class TestCalendarFeeds:
    async def test_a_students_feed_parses_back(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        course = await create_course(client, world, subject="Литература; чтение, анализ")
        long_homework = "Прочитать «Капитанскую дочку», главы 1–3. " * 5
        today = datetime.now(UTC).date()
        lesson = await create_lesson(
            client,
            world,
            course["id"],
            day=today.isoformat(),
            starts_at="10:00",
            delivery_form="distance",
            video_room_url="https://sferum.ru/room/42",
            homework=long_homework,
        )
        assignment = await create_assignment(
            client,
            world,
            uuid.UUID(course["id"]),
            due_at=f"{today.isoformat()}T18:00:00",
        )
        r = await client.post(
            f"{API}/calendar-feeds",
            json={"kind": "student", "target_id": str(world.id("student"))},
            headers=world.headers("guardian"),
        )
        assert r.status_code == 201, r.text
        feed = r.json()
        assert feed["url"].endswith(feed["path"])
        assert len(feed["token"]) >= 43

        raw = (await client.get(feed["path"])).content
        for line in raw.split(b"\r\n"):
            assert len(line) <= 75
        cal = icalendar.Calendar.from_ical(raw)
        assert cal["VERSION"] == "2.0"
        events_ = {str(e["UID"]): e for e in cal.walk("VEVENT")}
        mine = events_[f"lesson-{lesson['id']}@eo-platform"]
        assert str(mine["SUMMARY"]).startswith("Литература; чтение, анализ (7Б)")
        assert mine.decoded("DTSTART") == datetime.fromisoformat(lesson["starts_at_utc"])
        assert (mine.decoded("DTEND") - mine.decoded("DTSTART")).total_seconds() == 40 * 60
        assert str(mine["URL"]) == "https://sferum.ru/room/42"
        assert long_homework.strip() in str(mine["DESCRIPTION"])
        assert "DTSTAMP" in mine
        deadline = events_[f"assignment-{assignment['id']}@eo-platform"]
        assert str(deadline["SUMMARY"]).startswith("Срок сдачи: ")

        listed = await client.get(f"{API}/calendar-feeds", headers=world.headers("guardian"))
        assert listed.json()[0]["last_used_at"] is not None

    async def test_revoked_and_lost_rights(
        self, client: httpx.AsyncClient, learning_app: FastAPI, world: World
    ) -> None:
        r = await client.post(
            f"{API}/calendar-feeds",
            json={"kind": "class", "target_id": str(world.class_id("7Б"))},
            headers=world.headers("teacher2"),
        )
        feed = r.json()
        assert (await client.get(feed["path"])).status_code == 200
        r = await client.delete(
            f"{API}/calendar-feeds/{feed['id']}", headers=world.headers("admin")
        )
        assert r.status_code == 204
        problem(await client.get(feed["path"]), 404, "calendar-feed-not-found")
        # revoking twice changes nothing
        assert (
            await client.delete(
                f"{API}/calendar-feeds/{feed['id']}", headers=world.headers("admin")
            )
        ).status_code == 204

    async def test_bad_requests(self, client: httpx.AsyncClient, world: World) -> None:
        teacher = world.headers("teacher")
        r = await client.post(f"{API}/calendar-feeds", json={"kind": "class"}, headers=teacher)
        problem(r, 422, "target-required")
        r = await client.post(f"{API}/calendar-feeds", json={"kind": "parent"}, headers=teacher)
        assert r.status_code == 422
        r = await client.post(
            f"{API}/calendar-feeds",
            json={"kind": "class", "target_id": str(uuid.uuid4())},
            headers=teacher,
        )
        problem(r, 404, "class-group-not-found")
