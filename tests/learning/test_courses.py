"""Courses (LE-1): creation checked against the directory, reading by role, changes,
archive, and the course events."""

from __future__ import annotations

import uuid

import httpx

from tests.learning.courses_support import API, create_course, create_lesson, events
from tests.support.service_world import World


class TestCreate:
    async def test_admin_creates_a_course_with_level_and_year_from_the_class(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(
            client,
            world,
            caller="admin",
            teachers=("teacher", "teacher2"),
            delivery="blended",
            work_program_title="Рабочая программа по математике, 7 класс",
            work_program_url="https://school.example/rp/math7.pdf",
            hours_per_week=5,
        )
        assert course["class_name"] == "7Б"
        assert course["grade"] == 7
        assert course["level"] == "basic"
        assert course["academic_year_id"] == str(world.year_id)
        assert course["subgroup"] is None
        assert course["student_ids"] is None
        assert [t["id"] for t in course["teachers"]] == [
            str(world.id("teacher")),
            str(world.id("teacher2")),
        ]
        assert course["teachers"][0]["name"] == "Иванова Анна"
        assert course["delivery"] == "blended"
        assert course["hours_per_week"] == 5.0

        primary = await create_course(
            client, world, class_name="3А", teachers=("teacher2",), caller="teacher2"
        )
        assert primary["level"] == "primary"

    async def test_a_teacher_must_list_themself(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        r = await client.post(
            f"{API}/courses",
            json={
                "subject": "Физика",
                "class_group_id": str(world.class_id()),
                "teacher_ids": [str(world.id("teacher2"))],
            },
            headers=world.headers("teacher"),
        )
        assert r.status_code == 403
        assert r.json()["type"] == "urn:eo:problem:teacher-must-teach"

    async def test_unknown_class_and_non_teachers_are_refused(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        base = {"subject": "Физика", "teacher_ids": [str(world.id("teacher"))]}
        for group in (uuid.uuid4(), other_world.class_id()):
            r = await client.post(
                f"{API}/courses",
                json={**base, "class_group_id": str(group)},
                headers=world.headers("admin"),
            )
            assert r.status_code == 422, r.text
            assert r.json()["type"] == "urn:eo:problem:class-group-not-found"
            assert r.json()["detail"] == "Класс не найден в этой школе"
        for teacher in (world.id("student"), other_world.id("teacher"), uuid.uuid4()):
            r = await client.post(
                f"{API}/courses",
                json={
                    **base,
                    "class_group_id": str(world.class_id()),
                    "teacher_ids": [str(teacher)],
                },
                headers=world.headers("admin"),
            )
            assert r.status_code == 422
            assert r.json()["type"] == "urn:eo:problem:not-a-teacher"
        r = await client.get(f"{API}/courses", headers=world.headers("admin"))
        assert r.json()["items"] == []

    async def test_subgroup_students_must_be_members_of_the_class(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = {
            "subject": "Английский язык",
            "class_group_id": str(world.class_id()),
            "teacher_ids": [str(world.id("teacher"))],
            "subgroup": "группа 1",
        }
        r = await client.post(
            f"{API}/courses",
            json={**body, "student_ids": [str(world.id("student3"))]},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:student-not-in-class"
        r = await client.post(f"{API}/courses", json=body, headers=world.headers("teacher"))
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:validation-error"
        course = await create_course(
            client,
            world,
            subject="Английский язык",
            subgroup="группа 1",
            student_ids=[str(world.id("student"))],
        )
        assert course["student_ids"] == [str(world.id("student"))]

    async def test_bad_bodies(self, client: httpx.AsyncClient, world: World) -> None:
        base = {
            "subject": "Физика",
            "class_group_id": str(world.class_id()),
            "teacher_ids": [str(world.id("teacher"))],
        }
        bad = [
            {**base, "subject": "  "},
            {**base, "subject": "a\x00b"},
            {**base, "teacher_ids": []},
            {**base, "teacher_ids": [str(world.id("teacher"))] * 2},
            {**base, "delivery": "online"},
            {**base, "work_program_url": "ftp://example.org/x"},
            {**base, "hours_per_week": 1.25},
            {**base, "student_ids": [str(world.id("student"))]},
            {**base, "unknown": 1},
        ]
        for body in bad:
            r = await client.post(f"{API}/courses", json=body, headers=world.headers("teacher"))
            assert r.status_code == 422, body
            assert r.headers["content-type"] == "application/problem+json"
        r = await client.get(f"{API}/courses", headers=world.headers("admin"))
        assert r.json()["items"] == []

    async def test_the_same_subject_twice_is_a_conflict(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        await create_course(client, world, subject="Алгебра")
        r = await client.post(
            f"{API}/courses",
            json={
                "subject": " алгебра ",
                "class_group_id": str(world.class_id()),
                "teacher_ids": [str(world.id("teacher"))],
            },
            headers=world.headers("teacher"),
        )
        assert r.status_code == 409
        assert r.json()["type"] == "urn:eo:problem:course-exists"
        # another sub-group of the same subject is another course
        await create_course(
            client,
            world,
            subject="Алгебра",
            subgroup="профильная",
            student_ids=[str(world.id("student2"))],
        )


class TestRead:
    async def test_students_and_guardians_see_their_courses(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
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

        async def ids(caller: str, **params: str) -> set[str]:
            r = await client.get(f"{API}/courses", params=params, headers=world.headers(caller))
            assert r.status_code == 200, r.text
            return {c["id"] for c in r.json()["items"]}

        assert await ids("student") == {math["id"]}
        assert await ids("student2") == {math["id"], english["id"]}
        assert await ids("student3") == {reading["id"]}
        assert await ids("guardian") == {math["id"]}
        assert await ids("guardian2") == {math["id"], english["id"]}
        everything = {math["id"], english["id"], reading["id"]}
        for caller in ("admin", "staff", "teacher"):
            assert await ids(caller) == everything
        assert await ids("admin", class_group_id=str(world.class_id("3А"))) == {reading["id"]}
        assert await ids("admin", teacher_id=str(world.id("teacher2"))) == {reading["id"]}
        assert await ids("admin", academic_year_id=str(world.year_id)) == everything
        assert await ids("admin", academic_year_id=str(uuid.uuid4())) == set()
        assert await ids("teacher", student_id=str(world.id("student2"))) == {
            math["id"],
            english["id"],
        }

        # a guardian asking for another child, a student for a classmate: 404
        r = await client.get(
            f"{API}/courses",
            params={"student_id": str(world.id("student2"))},
            headers=world.headers("guardian"),
        )
        assert r.status_code == 404
        r = await client.get(f"{API}/courses/{english['id']}", headers=world.headers("student"))
        assert r.status_code == 404
        r = await client.get(f"{API}/courses/{english['id']}", headers=world.headers("guardian2"))
        assert r.status_code == 200
        assert r.json()["subgroup"] == "группа 2"

    async def test_pages(self, client: httpx.AsyncClient, world: World) -> None:
        for n in range(3):
            await create_course(client, world, subject=f"Предмет {n}")
        r = await client.get(f"{API}/courses", params={"limit": 2}, headers=world.headers("admin"))
        assert len(r.json()["items"]) == 2
        assert 'rel="next"' in r.headers["link"]
        r2 = await client.get(
            f"{API}/courses",
            params={"limit": 2, "cursor": r.json()["next_cursor"]},
            headers=world.headers("admin"),
        )
        assert len(r2.json()["items"]) == 1
        assert r2.json()["next_cursor"] is None

    async def test_another_schools_course_is_not_found(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        course = await create_course(client, world)
        r = await client.get(f"{API}/courses/{course['id']}", headers=other_world.headers("admin"))
        assert r.status_code == 404
        r = await client.get(f"{API}/courses", headers=other_world.headers("admin"))
        assert r.json()["items"] == []


class TestChange:
    async def test_update_fields_teachers_and_subgroup(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        url = f"{API}/courses/{course['id']}"
        r = await client.patch(
            url,
            json={
                "subject": "Математика (углублённая)",
                "teacher_ids": [str(world.id("teacher")), str(world.id("teacher2"))],
                "subgroup": "группа 1",
                "student_ids": [str(world.id("student2"))],
                "work_program_url": "https://school.example/rp.pdf",
            },
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["subject"] == "Математика (углублённая)"
        assert body["student_ids"] == [str(world.id("student2"))]
        assert len(body["teachers"]) == 2
        # the second teacher may now change it; a teacher can't remove themself
        r = await client.patch(
            url,
            json={"teacher_ids": [str(world.id("teacher"))]},
            headers=world.headers("teacher2"),
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:teacher-must-teach"
        r = await client.patch(
            url,
            json={"teacher_ids": [str(world.id("teacher2")), str(world.id("teacher"))]},
            headers=world.headers("teacher2"),
        )
        assert [t["id"] for t in r.json()["teachers"]] == [
            str(world.id("teacher2")),
            str(world.id("teacher")),
        ]
        # back to the whole class
        r = await client.patch(url, json={"subgroup": None}, headers=world.headers("admin"))
        assert r.status_code == 200
        assert r.json()["subgroup"] is None
        assert r.json()["student_ids"] is None
        r = await client.get(f"{API}/courses", headers=world.headers("student"))
        assert [c["id"] for c in r.json()["items"]] == [course["id"]]

        r = await client.patch(url, json={"subject": None}, headers=world.headers("admin"))
        assert r.status_code == 422
        r = await client.patch(
            url,
            json={"subgroup": "группа 1", "student_ids": [str(world.id("student3"))]},
            headers=world.headers("admin"),
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:student-not-in-class"

    async def test_only_its_teachers_and_admins_change_a_course(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        url = f"{API}/courses/{course['id']}"
        for caller in ("teacher2", "staff", "student", "guardian"):
            r = await client.patch(url, json={"subject": "X"}, headers=world.headers(caller))
            assert r.status_code == 403, caller
        r = await client.get(url, headers=world.headers("admin"))
        assert r.json()["subject"] == "Математика"

    async def test_archive_freezes_the_course_and_restore_brings_it_back(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        url = f"{API}/courses/{course['id']}"
        r = await client.post(f"{url}/archive", headers=world.headers("teacher"))
        assert r.status_code == 200
        assert r.json()["is_archived"] is True
        r = await client.post(f"{url}/archive", headers=world.headers("teacher"))
        assert r.status_code == 200
        for method, path, body in (
            ("PATCH", url, {"subject": "X"}),
            ("POST", f"{url}/topics", {"title": "Тема", "planned_hours": 1}),
            ("POST", f"{url}/lessons", {"date": "2026-11-26", "starts_at": "09:00"}),
        ):
            r = await client.request(method, path, json=body, headers=world.headers("teacher"))
            assert r.status_code == 409, path
            assert r.json()["type"] == "urn:eo:problem:course-archived"
        r = await client.get(f"{API}/courses", headers=world.headers("admin"))
        assert r.json()["items"] == []
        r = await client.get(
            f"{API}/courses", params={"archived": "true"}, headers=world.headers("admin")
        )
        assert [c["id"] for c in r.json()["items"]] == [course["id"]]
        r = await client.post(f"{url}/restore", headers=world.headers("admin"))
        assert r.json()["is_archived"] is False
        await create_lesson(client, world, course["id"])


class TestEvents:
    async def test_course_created_and_updated_payloads(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(
            client,
            world,
            subject="Английский язык",
            subgroup="группа 1",
            student_ids=[str(world.id("student"))],
            work_program_title="РП",
        )
        await client.patch(
            f"{API}/courses/{course['id']}",
            json={"delivery": "distance_only"},
            headers=world.headers("teacher"),
        )
        # a change that changes nothing emits nothing
        await client.patch(
            f"{API}/courses/{course['id']}",
            json={"delivery": "distance_only"},
            headers=world.headers("teacher"),
        )
        found = await events(client, world, "course.created", "course.updated")
        assert [e["type"] for e in found] == ["course.created", "course.updated"]
        payload = found[0]["payload"]
        assert payload == {
            "id": course["id"],
            "subject": "Английский язык",
            "class_group_id": str(world.class_id()),
            "class_name": "7Б",
            "grade": 7,
            "level": "basic",
            "subgroup": "группа 1",
            "student_ids": [str(world.id("student"))],
            "teacher_ids": [str(world.id("teacher"))],
            "academic_year_id": str(world.year_id),
            "delivery": "in_person",
            "work_program_title": "РП",
            "work_program_url": None,
            "hours_per_week": None,
            "is_archived": False,
            "external_ids": {},
        }
        assert found[1]["payload"]["delivery"] == "distance_only"
        assert found[1]["aggregate_id"] == course["id"]
