"""Opt-out applications under §3.9 (CO-4): who files, for which programs, the lifecycle
submitted → registered → withdrawn with its history and events, and bad input."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
from fastapi import FastAPI

from tests.compliance.optouts_support import (
    API,
    Extra,
    add_class,
    add_course,
    add_student,
    application,
    file,
    link_guardian,
    optout_events,
    problem,
    register,
    school_today,
    stored,
    years_before,
)
from tests.support.service_world import World


class TestLifecycle:
    async def test_guardian_files_admin_registers_filer_withdraws_with_full_history(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        today = school_today()
        created = await file(
            client, world.headers("guardian"), world.id("student"), document_number="7"
        )
        assert created["status"] == "submitted"
        assert created["student"] == {"id": str(world.id("student")), "name": "Соколов Артём"}
        assert created["class_group"] == {
            "id": str(world.class_id("7Б")),
            "name": "7Б",
            "grade": 7,
        }
        assert created["level"] == "basic"
        assert created["course_ids"] is None
        assert created["filed_by"]["id"] == str(world.id("guardian"))
        assert created["filed_by_role"] == "guardian"
        assert created["filed_on"] == today.isoformat()
        assert created["document"] == {
            "number": "7",
            "date": (today - timedelta(days=1)).isoformat(),
        }
        assert created["registration"] is None
        assert created["effective_from"] is None
        assert "§3.9" in created["legal_basis"]
        assert [(h["from_status"], h["to_status"]) for h in created["history"]] == [
            (None, "submitted")
        ]

        registered = await register(
            client, world, created["id"], comment="Принято, организовать обучение очно"
        )
        assert registered["status"] == "registered"
        assert registered["registration"] == {
            "number": "вх-15",
            "date": today.isoformat(),
            "registered_by": str(world.id("admin")),
        }
        assert registered["effective_from"] == today.isoformat()

        r = await client.post(
            f"{API}/optouts/{created['id']}/withdraw",
            json={"comment": "Переходим на смешанное обучение"},
            headers=world.headers("guardian"),
        )
        assert r.status_code == 200, r.text
        withdrawn = r.json()
        assert withdrawn["status"] == "withdrawn"
        assert withdrawn["effective_to"] == today.isoformat()
        history = withdrawn["history"]
        assert [(h["from_status"], h["to_status"], h["actor_role"]) for h in history] == [
            (None, "submitted", "guardian"),
            ("submitted", "registered", "admin"),
            ("registered", "withdrawn", "guardian"),
        ]
        assert [h["actor_id"] for h in history] == [
            str(world.id("guardian")),
            str(world.id("admin")),
            str(world.id("guardian")),
        ]
        assert history[1]["comment"] == "Принято, организовать обучение очно"
        assert history[2]["comment"] == "Переходим на смешанное обучение"
        assert all(h["at"] for h in history)

        # the same story in the outbox, each payload complete for learning
        events = await optout_events(client, world)
        assert [e["type"] for e in events] == [
            "optout.submitted",
            "optout.registered",
            "optout.withdrawn",
        ]
        payload = events[1]["payload"]
        assert payload["id"] == created["id"]
        assert payload["student_id"] == str(world.id("student"))
        assert payload["student_name"] == "Соколов Артём"
        assert payload["class_group_id"] == str(world.class_id("7Б"))
        assert payload["class_group_ids"] == [str(world.class_id("7Б"))]
        assert payload["grade"] == 7
        assert payload["level"] == "basic"
        assert payload["status"] == "registered"
        assert payload["course_ids"] is None
        assert payload["document"] == created["document"]
        assert payload["registration"]["number"] == "вх-15"
        assert payload["effective_from"] == today.isoformat()
        assert payload["effective_to"] is None
        assert events[2]["payload"]["effective_to"] == today.isoformat()
        assert [e["payload"]["version"] for e in events] == [1, 2, 3]

        # a new application after the withdrawal is fine
        await file(client, world.headers("guardian"), world.id("student"))

    async def test_staff_registers_with_dates_and_admin_withdraws_someone_elses(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        today = school_today()
        created = await file(
            client,
            world.headers("guardian"),
            world.id("student"),
            document_date=(today - timedelta(days=10)).isoformat(),
        )
        registered = await register(
            client,
            world,
            created["id"],
            as_="staff",
            registered_on=(today - timedelta(days=5)).isoformat(),
            effective_from=(today + timedelta(days=7)).isoformat(),
        )
        assert registered["history"][-1]["actor_role"] == "staff"
        assert registered["registration"]["date"] == (today - timedelta(days=5)).isoformat()
        assert registered["effective_from"] == (today + timedelta(days=7)).isoformat()
        # staff does not withdraw, another guardian neither; an admin does
        for who in ("staff", "teacher"):
            r = await client.post(
                f"{API}/optouts/{created['id']}/withdraw", headers=world.headers(who)
            )
            assert r.status_code == 403, r.text
        r = await client.post(
            f"{API}/optouts/{created['id']}/withdraw", headers=world.headers("guardian2")
        )
        problem(r, 404, "optout-not-found")
        r = await client.post(
            f"{API}/optouts/{created['id']}/withdraw", headers=world.headers("admin")
        )
        assert r.status_code == 200, r.text
        assert r.json()["history"][-1]["actor_role"] == "admin"

    async def test_transitions_out_of_order_are_conflicts_and_change_nothing(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        created = await file(client, world.headers("guardian"), world.id("student"))
        await register(client, world, created["id"])
        before = await stored(compliance_app, world.school_id)
        r = await client.post(
            f"{API}/optouts/{created['id']}/register",
            json={"registration_number": "вх-16"},
            headers=world.headers("admin"),
        )
        problem(r, 409, "optout-not-submitted")
        r = await client.post(
            f"{API}/optouts/{created['id']}/withdraw", headers=world.headers("admin")
        )
        assert r.status_code == 200
        r = await client.post(
            f"{API}/optouts/{created['id']}/withdraw", headers=world.headers("admin")
        )
        problem(r, 409, "optout-already-withdrawn")
        r = await client.post(
            f"{API}/optouts/{created['id']}/register",
            json={"registration_number": "вх-17"},
            headers=world.headers("admin"),
        )
        problem(r, 409, "optout-not-submitted")
        after = await stored(compliance_app, world.school_id)
        assert after == (before[0], before[1] + 1, before[2] + 1)  # only the one withdrawal

    async def test_one_active_application_per_student(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        await file(client, world.headers("guardian"), world.id("student"))
        before = await stored(compliance_app, world.school_id)
        r = await client.post(
            f"{API}/optouts",
            json=application(world.id("student")),
            headers=world.headers("guardian"),
        )
        problem(r, 409, "optout-already-active")
        assert await stored(compliance_app, world.school_id) == before

    async def test_application_for_named_courses(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        maths = await add_course(compliance_app, world, world.class_id("7Б"))
        created = await file(
            client, world.headers("guardian"), world.id("student"), course_ids=[str(maths)]
        )
        assert created["course_ids"] == [str(maths)]
        events = await optout_events(client, world)
        assert events[-1]["payload"]["course_ids"] == [str(maths)]


class TestWhoFiles:
    async def test_an_adult_student_files_their_own_a_minor_is_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        today = school_today()
        extra = Extra(world)
        eleven = await add_class(compliance_app, extra, "11А", 11)
        # 18 today; 18 tomorrow (17 on the filing date)
        adult = await add_student(
            compliance_app, extra, "adult", class_id=eleven, birth_date=years_before(today, 18)
        )
        minor = await add_student(
            compliance_app,
            extra,
            "minor",
            class_id=eleven,
            birth_date=years_before(today, 18) + timedelta(days=1),
        )
        r = await client.post(
            f"{API}/optouts", json=application(minor), headers=extra.headers("minor")
        )
        body = problem(r, 403, "optout-student-under-18")
        assert "§3.9" in body["detail"]
        assert "17" in body["detail"]
        assert await stored(compliance_app, world.school_id) == (0, 0, 0)

        created = await file(client, extra.headers("adult"), adult)
        assert created["filed_by_role"] == "student"
        assert created["level"] == "secondary"
        assert created["class_group"]["grade"] == 11
        # the adult student withdraws their own
        r = await client.post(
            f"{API}/optouts/{created['id']}/withdraw", headers=extra.headers("adult")
        )
        assert r.status_code == 200, r.text
        assert r.json()["history"][-1]["actor_role"] == "student"

    async def test_a_student_without_a_birth_date_cannot_file_alone(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        extra = Extra(world)
        eleven = await add_class(compliance_app, extra, "11Б", 11)
        unknown = await add_student(
            compliance_app, extra, "nobirth", class_id=eleven, birth_date=None
        )
        r = await client.post(
            f"{API}/optouts", json=application(unknown), headers=extra.headers("nobirth")
        )
        problem(r, 403, "optout-student-age-unknown")
        assert await stored(compliance_app, world.school_id) == (0, 0, 0)

    async def test_people_not_entitled_are_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        student = world.id("student")
        for who in ("teacher", "admin", "staff"):
            r = await client.post(
                f"{API}/optouts", json=application(student), headers=world.headers(who)
            )
            body = problem(r, 403, "optout-filer-not-entitled")
            assert "§3.9" in body["detail"]
        # a 13-year-old for themself
        r = await client.post(
            f"{API}/optouts", json=application(student), headers=world.headers("student")
        )
        problem(r, 403, "optout-student-under-18")
        # another guardian's child, another student, an unknown student
        for who, whom in (
            ("guardian2", student),
            ("student2", student),
            ("guardian", uuid.uuid4()),
            ("guardian", world.id("teacher")),
        ):
            r = await client.post(
                f"{API}/optouts", json=application(whom), headers=world.headers(who)
            )
            problem(r, 404, "student-not-found")
        assert await stored(compliance_app, world.school_id) == (0, 0, 0)


class TestWhichPrograms:
    async def test_primary_school_is_refused_citing_the_clause(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        await link_guardian(compliance_app, world, world.id("guardian"), world.id("student3"))
        r = await client.post(
            f"{API}/optouts",
            json=application(world.id("student3")),
            headers=world.headers("guardian"),
        )
        body = problem(r, 422, "optout-primary-not-allowed")
        assert "§3.9" in body["detail"]
        assert "3А" in body["detail"]
        assert await stored(compliance_app, world.school_id) == (0, 0, 0)

    async def test_distance_only_courses_and_programs_are_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        online = await add_course(
            compliance_app,
            world,
            world.class_id("7Б"),
            subject="Информатика",
            delivery="distance_only",
        )
        maths = await add_course(compliance_app, world, world.class_id("7Б"))
        r = await client.post(
            f"{API}/optouts",
            json=application(world.id("student"), course_ids=[str(maths), str(online)]),
            headers=world.headers("guardian"),
        )
        body = problem(r, 422, "optout-distance-only-program")
        assert "§3.9" in body["detail"]
        assert "Информатика" in body["detail"]

        # a class whose whole program is delivered only with ЭО/ДОТ
        extra = Extra(world)
        nine = await add_class(compliance_app, extra, "9В", 9)
        pupil = await add_student(compliance_app, extra, "pupil", class_id=nine, birth_date=None)
        await link_guardian(compliance_app, world, world.id("guardian"), pupil)
        await add_course(compliance_app, world, nine, delivery="distance_only", grade=9)
        r = await client.post(
            f"{API}/optouts", json=application(pupil), headers=world.headers("guardian")
        )
        problem(r, 422, "optout-distance-only-program")

        # a course of another class
        r = await client.post(
            f"{API}/optouts",
            json=application(world.id("student"), course_ids=[str(uuid.uuid4())]),
            headers=world.headers("guardian"),
        )
        problem(r, 422, "course-not-of-student")
        assert await stored(compliance_app, world.school_id) == (0, 0, 0)

    async def test_a_student_in_no_class(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        extra = Extra(world)
        lone = await add_student(compliance_app, extra, "lone", class_id=None, birth_date=None)
        await link_guardian(compliance_app, world, world.id("guardian"), lone)
        r = await client.post(
            f"{API}/optouts", json=application(lone), headers=world.headers("guardian")
        )
        problem(r, 422, "student-without-class")
        assert await stored(compliance_app, world.school_id) == (0, 0, 0)


class TestBadDates:
    async def test_filing_with_bad_dates(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        today = school_today()
        student = world.id("student")
        r = await client.post(
            f"{API}/optouts",
            json=application(student, document_date=(today + timedelta(days=1)).isoformat()),
            headers=world.headers("guardian"),
        )
        problem(r, 422, "document-date-in-future")
        for bad in ("2026-13-01", "вчера", "1812-09-07", None):
            r = await client.post(
                f"{API}/optouts",
                json=application(student, document_date=bad),
                headers=world.headers("guardian"),
            )
            problem(r, 422, "validation-error")
        r = await client.post(
            f"{API}/optouts",
            json=application(student, reason="a\x00b"),
            headers=world.headers("guardian"),
        )
        problem(r, 422, "validation-error")
        assert await stored(compliance_app, world.school_id) == (0, 0, 0)

    async def test_registering_with_bad_dates_changes_nothing(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        today = school_today()
        created = await file(
            client,
            world.headers("guardian"),
            world.id("student"),
            document_date=(today - timedelta(days=3)).isoformat(),
        )
        before = await stored(compliance_app, world.school_id)
        cases = [
            (
                {"registered_on": (today + timedelta(days=1)).isoformat()},
                "registration-date-in-future",
            ),
            (
                {"registered_on": (today - timedelta(days=4)).isoformat()},
                "registration-before-document",
            ),
            (
                {"effective_from": (today - timedelta(days=4)).isoformat()},
                "effective-before-document",
            ),
            (
                {"effective_from": (today + timedelta(days=400)).isoformat()},
                "effective-date-too-far",
            ),
        ]
        for extra, code in cases:
            r = await client.post(
                f"{API}/optouts/{created['id']}/register",
                json={"registration_number": "вх-1", **extra},
                headers=world.headers("admin"),
            )
            problem(r, 422, code)
        for body in ({}, {"registration_number": ""}, {"registration_number": "1", "x": 1}):
            r = await client.post(
                f"{API}/optouts/{created['id']}/register", json=body, headers=world.headers("admin")
            )
            problem(r, 422, "validation-error")
        r = await client.post(
            f"{API}/optouts/{uuid.uuid4()}/register",
            json={"registration_number": "вх-1"},
            headers=world.headers("admin"),
        )
        problem(r, 404, "optout-not-found")
        assert await stored(compliance_app, world.school_id) == before
        r = await client.get(f"{API}/optouts/{created['id']}", headers=world.headers("admin"))
        assert r.json()["status"] == "submitted"


class TestReads:
    async def test_who_reads_which_applications(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        mine = await file(client, world.headers("guardian"), world.id("student"))
        theirs = await file(client, world.headers("guardian2"), world.id("student2"))
        await register(client, world, mine["id"])

        async def ids(who: str, **params: str) -> list[str]:
            r = await client.get(f"{API}/optouts", params=params, headers=world.headers(who))
            assert r.status_code == 200, r.text
            return sorted(item["id"] for item in r.json()["items"])

        assert await ids("admin") == sorted([mine["id"], theirs["id"]])
        assert await ids("staff", status="registered") == [mine["id"]]
        assert await ids("admin", student_id=str(world.id("student2"))) == [theirs["id"]]
        assert await ids("admin", class_group_id=str(world.class_id("3А"))) == []
        assert await ids("guardian") == [mine["id"]]
        assert await ids("student") == [mine["id"]]
        assert await ids("student2") == [theirs["id"]]
        r = await client.get(
            f"{API}/optouts",
            params={"student_id": str(world.id("student2"))},
            headers=world.headers("guardian"),
        )
        problem(r, 404, "student-not-found")
        r = await client.get(f"{API}/optouts/{theirs['id']}", headers=world.headers("guardian"))
        problem(r, 404, "optout-not-found")
        r = await client.get(f"{API}/optouts", headers=world.headers("teacher"))
        assert r.status_code == 403

    async def test_teachers_see_opted_out_students_of_their_classes(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        today = school_today()
        registered = await file(client, world.headers("guardian"), world.id("student"))
        await register(client, world, registered["id"])
        later = await file(client, world.headers("guardian2"), world.id("student2"))
        await register(
            client, world, later["id"], effective_from=(today + timedelta(days=3)).isoformat()
        )

        async def students(who: str, **params: str) -> list[str]:
            r = await client.get(
                f"{API}/optouts/students", params=params, headers=world.headers(who)
            )
            assert r.status_code == 200, r.text
            return [s["student"]["id"] for s in r.json()]

        # teacher: homeroom of 7Б; teacher2: homeroom of 3А, no course in 7Б
        assert await students("teacher") == [str(world.id("student"))]
        assert await students("teacher2") == []
        assert sorted(
            await students("admin", on=(today + timedelta(days=3)).isoformat())
        ) == sorted([str(world.id("student")), str(world.id("student2"))])
        # a course in 7Б makes it teacher2's class too
        await add_course(compliance_app, world, world.class_id("7Б"), teacher="teacher2")
        assert await students("teacher2", class_group_id=str(world.class_id("7Б"))) == [
            str(world.id("student"))
        ]
        r = await client.get(
            f"{API}/optouts/students",
            params={"class_group_id": str(world.class_id("3А"))},
            headers=world.headers("teacher"),
        )
        problem(r, 404, "class-group-not-found")
        r = await client.get(f"{API}/optouts/students", headers=world.headers("teacher"))
        item = r.json()[0]
        assert item["student"]["name"] == "Соколов Артём"
        assert item["class_group"]["name"] == "7Б"
        assert item["effective_from"] == today.isoformat()
        assert item["course_ids"] is None
