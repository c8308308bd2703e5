"""Marks CSV, the daily exchange package and the OneRoster 1.2 export (GW-5, ID-9)."""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.directory import apply_identity_event
from services.journal.models import Mark, directory, kernel
from tests.journal.learning_events import (
    course_created,
    feed,
    lesson_scheduled,
    plan_updated,
)
from tests.support.service_world import World

API = "/api/v1/journal"
CSV = {"Content-Type": "text/csv"}


async def set_external_id(
    app: FastAPI, world: World, entity_type: str, entity_id: uuid.UUID, system: str, value: str
) -> None:
    """identity's ``external_id.set`` applied to the journal's directory replica."""
    async with app.state.database.session() as session:
        await apply_identity_event(
            session,
            directory,
            {
                "id": str(uuid.uuid4()),
                "type": "external_id.set",
                "school_id": str(world.school_id),
                "payload": {
                    "id": str(uuid.uuid4()),
                    "entity_type": entity_type,
                    "entity_id": str(entity_id),
                    "system": system,
                    "value": value,
                },
            },
        )
        await session.commit()


async def school_with_a_day(app: FastAPI, world: World) -> dict[str, Any]:
    """A 7Б maths course (with external ids) and two lessons on 2026-11-20, one on 11-23."""
    course_id = uuid.uuid4()
    created = course_created(world, course_id=course_id)
    created["payload"]["external_ids"] = {"moya_shkola": "MS-MATH-7B", "regional": "R-77"}
    plan, topics = plan_updated(world, course_id, ["Дроби", "Проценты"])
    first = lesson_scheduled(
        world, course_id, date(2026, 11, 20), topic=(topics[0], "Дроби"), delivery_form="distance"
    )
    second = lesson_scheduled(world, course_id, date(2026, 11, 23), topic=(topics[1], "Проценты"))
    await feed(app, created, plan, first, second)
    await set_external_id(app, world, "user", world.id("student"), "moya_shkola", "MS-S1")
    await set_external_id(app, world, "user", world.id("student2"), "regional", "R-S2")
    await set_external_id(app, world, "class_group", world.class_id("7Б"), "moya_shkola", "MS-7B")
    return {
        "course": course_id,
        "topics": topics,
        "lessons": [first["payload"]["id"], second["payload"]["id"]],
    }


async def mark_count(app: FastAPI, world: World) -> tuple[int, int]:
    async with app.state.database.session() as session:
        marks = await session.execute(
            select(func.count()).select_from(Mark).where(Mark.school_id == world.school_id)
        )
        events = await session.execute(
            select(func.count())
            .select_from(kernel.outbox)
            .where(kernel.outbox.school_id == world.school_id)
        )
        return int(marks.scalar_one()), int(events.scalar_one())


def problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = r.json()
    assert body["type"] == f"urn:eo:problem:{code}", body
    return body


class TestMarksCsv:
    async def test_import_then_export(
        self, client: httpx.AsyncClient, journal_app: FastAPI, world: World
    ) -> None:
        s = await school_with_a_day(journal_app, world)
        body = (
            "student_id;student_external_system;student_external_id;date;lesson_id;value;"
            "control_type;weight;comment\n"
            f"{world.id('student')};;;;{s['lessons'][0]};5;;;Отлично\n"
            f';regional;R-S2;21.11.2026;;4;interim_attestation;1,5;"Контрольная; вариант 2"\n'
        )
        r = await client.post(
            f"{API}/courses/{s['course']}/marks/import",
            content=body.encode(),
            headers={**world.headers("teacher"), **CSV},
        )
        assert r.status_code == 201, r.text
        assert r.json()["created"] == 2
        exported = await client.get(
            f"{API}/courses/{s['course']}/marks/export.csv",
            params={"from": "2026-11-01", "to": "2026-11-30"},
            headers=world.headers("admin"),
        )
        assert exported.status_code == 200
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [(r["date"], r["value"], r["control_type"], r["weight"]) for r in rows] == [
            ("2026-11-20", "5", "current_control", "1.00"),
            ("2026-11-21", "4", "interim_attestation", "1.50"),
        ]
        assert rows[0]["lesson_id"] == s["lessons"][0]
        assert rows[0]["student_external_ids"] == "moya_shkola=MS-S1"
        assert rows[1]["student_id"] == str(world.id("student2"))
        assert rows[1]["comment"] == "Контрольная; вариант 2"
        history = await client.get(
            f"{API}/marks/{r.json()['mark_ids'][0]}/history", headers=world.headers("teacher")
        )
        assert history.json()["changes"][0]["via"] == "csv-import"

    async def test_a_file_with_bad_rows_changes_nothing(
        self, client: httpx.AsyncClient, journal_app: FastAPI, world: World
    ) -> None:
        s = await school_with_a_day(journal_app, world)
        other_course = uuid.uuid4()
        other_lesson = lesson_scheduled(world, other_course, date(2026, 11, 20))
        await feed(
            journal_app,
            course_created(world, course_id=other_course, subject="Физика"),
            other_lesson,
        )
        config = {
            "academic_year_id": str(world.year_id),
            "kind": "half_year",
            "periods": [
                {"starts_on": "2026-09-01", "ends_on": "2026-10-31"},
                {"starts_on": "2026-11-01", "ends_on": "2027-05-31"},
            ],
        }
        admin = world.headers("admin")
        assert (await client.put(f"{API}/periods", json=config, headers=admin)).status_code == 200
        first = (await client.get(f"{API}/periods", headers=admin)).json()["items"][0]["id"]
        assert (
            await client.post(f"{API}/periods/{first}/close", json={}, headers=admin)
        ).status_code == 200
        before = await mark_count(journal_app, world)
        student = world.id("student")
        body = (
            "student_id,student_external_system,student_external_id,date,lesson_id,value,weight\n"
            f"{student},,,2026-11-20,,5,\n"  # 2: fine
            f"{world.id('student3')},,,2026-11-20,,5,\n"  # 3: not in the course (3А)
            f",moya_shkola,NOPE,2026-11-20,,5,\n"  # 4: unknown external id
            f"{student},,,2026-11-20,,6,0\n"  # 5: not on the scale, bad weight
            f"{student},,,,{other_lesson['payload']['id']},5,\n"  # 6: another course's lesson
            f"{student},,,2027-08-01,,5,\n"  # 7: outside the year
            f"{student},,,2026-10-15,,5,\n"  # 8: a closed period
            f",gosuslugi,1,2026-11-20,,5,\n"  # 9: unknown system
            f"{student},,,,,,\n"  # 10: no date, no value
        )
        r = await client.post(
            f"{API}/courses/{s['course']}/marks/import",
            content=body.encode(),
            headers={**world.headers("teacher"), **CSV},
        )
        details = problem(r, 422, "marks-import-invalid")
        assert {(e["line"], e["field"], e["code"]) for e in details["errors"]} == {
            (3, "student_id", "student-not-in-course"),
            (4, "student_external_id", "unknown-student"),
            (5, "value", "value-not-in-scale"),
            (5, "weight", "invalid-value"),
            (6, "lesson_id", "lesson-not-in-course"),
            (7, "date", "date-outside-year"),
            (8, "date", "period-closed"),
            (9, "student_external_system", "invalid-value"),
            (10, "date", "missing"),
            (10, "value", "missing"),
        }
        assert "строках 3, 4, 5" in details["detail"]
        assert await mark_count(journal_app, world) == before


class TestDailyPackage:
    async def test_a_day_keyed_by_external_ids(
        self, client: httpx.AsyncClient, journal_app: FastAPI, world: World
    ) -> None:
        s = await school_with_a_day(journal_app, world)
        teacher = world.headers("teacher")
        lesson = s["lessons"][0]
        r = await client.put(
            f"{API}/lessons/{lesson}/record",
            json={
                "topic_id": str(s["topics"][1]),
                "delivery_form": "e_learning",
                "homework": "§ 5",
            },
            headers=teacher,
        )
        assert r.status_code == 201, r.text
        r = await client.put(
            f"{API}/lessons/{lesson}/attendance",
            json={"entries": [{"student_id": str(world.id("student2")), "reason": "illness"}]},
            headers=teacher,
        )
        assert r.status_code == 200, r.text
        r = await client.post(
            f"{API}/lessons/{lesson}/marks",
            json={"marks": [{"student_id": str(world.id("student")), "value": "5"}]},
            headers=teacher,
        )
        assert r.status_code == 201, r.text
        await client.post(
            f"{API}/marks",
            json={
                "course_id": str(s["course"]),
                "student_id": str(world.id("student2")),
                "value": "зачёт",
                "date": "2026-11-20",
            },
            headers=teacher,
        )

        r = await client.get(
            f"{API}/exchange/daily",
            params={"date": "2026-11-20", "external_system": "moya_shkola"},
            headers=world.headers("staff"),
        )
        assert r.status_code == 200, r.text
        package = r.json()
        assert package["format"] == "eo-daily-v1"
        assert package["date"] == "2026-11-20"
        assert package["school"]["id"] == str(world.school_id)
        (entry,) = package["lessons"]
        assert entry["course"]["key"] == "MS-MATH-7B"
        assert entry["course"]["external_ids"] == {"moya_shkola": "MS-MATH-7B", "regional": "R-77"}
        assert entry["class_group"] == {
            "id": str(world.class_id("7Б")),
            "key": "MS-7B",
            "external_ids": {"moya_shkola": "MS-7B"},
            "name": "7Б",
        }
        assert (entry["planned_delivery_form"], entry["delivery_form"]) == (
            "distance",
            "e_learning",
        )
        assert (entry["topic"], entry["homework"], entry["recorded"]) == ("Проценты", "§ 5", True)
        assert entry["attendance"][0]["student"]["external_ids"] == {"regional": "R-S2"}
        assert entry["attendance"][0]["student"]["key"] is None
        assert (entry["attendance"][0]["status"], entry["attendance"][0]["reason"]) == (
            "absent",
            "illness",
        )
        assert [(m["student"]["key"], m["value"]) for m in entry["marks"]] == [("MS-S1", "5")]
        assert [m["value"] for m in package["marks_without_lesson"]] == ["зачёт"]
        assert package["unmapped"] >= 2  # the teacher and student2 have no moya_shkola id

        empty = await client.get(
            f"{API}/exchange/daily", params={"date": "2026-11-21"}, headers=world.headers("admin")
        )
        assert empty.json()["lessons"] == []
        assert empty.json()["external_system"] is None

    async def test_bad_parameters(self, client: httpx.AsyncClient, world: World) -> None:
        admin = world.headers("admin")
        r = await client.get(
            f"{API}/exchange/daily",
            params={"date": "2026-11-20", "format": "fgis-v9"},
            headers=admin,
        )
        problem(r, 422, "unknown-format")
        r = await client.get(
            f"{API}/exchange/daily",
            params={"date": "2026-11-20", "external_system": "gosuslugi"},
            headers=admin,
        )
        assert r.status_code == 422
        r = await client.get(f"{API}/exchange/daily", params={"date": "20.11.2026"}, headers=admin)
        assert r.status_code == 422
        r = await client.get(
            f"{API}/exchange/oneroster.zip",
            params={"academic_year_id": str(uuid.uuid4())},
            headers=admin,
        )
        problem(r, 404, "academic-year-not-found")


# The OneRoster 1.2 CSV binding (1EdTech, "OneRoster 1.2 CSV Tables"): the columns a
# file must have, written out from the specification's tables (required fields).
REQUIRED_COLUMNS = {
    "academicSessions.csv": ["sourcedId", "title", "type", "startDate", "endDate", "schoolYear"],
    "orgs.csv": ["sourcedId", "name", "type"],
    "users.csv": ["sourcedId", "enabledUser", "username", "givenName", "familyName"],
    "roles.csv": ["sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"],
    "courses.csv": ["sourcedId", "title", "orgSourcedId"],
    "classes.csv": [
        "sourcedId",
        "title",
        "courseSourcedId",
        "classType",
        "schoolSourcedId",
        "termSourcedIds",
    ],
    "enrollments.csv": ["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
    "categories.csv": ["sourcedId", "title"],
    "lineItems.csv": [
        "sourcedId",
        "title",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "gradingPeriodSourcedId",
    ],
    "results.csv": [
        "sourcedId",
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreStatus",
        "scoreDate",
    ],
}
# Every file header begins with these three (bulk files leave the last two empty).
COMMON_HEAD = ["sourcedId", "status", "dateLastModified"]
ENUMS = {
    ("academicSessions.csv", "type"): {"gradingPeriod", "semester", "schoolYear", "term"},
    ("orgs.csv", "type"): {"department", "school", "district", "local", "state", "national"},
    ("users.csv", "enabledUser"): {"true", "false"},
    ("roles.csv", "roleType"): {"primary", "secondary"},
    ("roles.csv", "role"): {
        "aide",
        "counselor",
        "districtAdministrator",
        "guardian",
        "parent",
        "principal",
        "proctor",
        "relative",
        "siteAdministrator",
        "student",
        "systemAdministrator",
        "teacher",
    },
    ("classes.csv", "classType"): {"homeroom", "scheduled"},
    ("enrollments.csv", "role"): {
        "administrator",
        "proctor",
        "student",
        "teacher",
        "aide",
        "guardian",
    },
    ("results.csv", "scoreStatus"): {
        "exempt",
        "fully graded",
        "not submitted",
        "partially graded",
        "submitted",
    },
}


def read_zip(raw: bytes) -> dict[str, list[dict[str, str]]]:
    files: dict[str, list[dict[str, str]]] = {}
    headers: dict[str, list[str]] = {}
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            assert not text.startswith("\ufeff")
            reader = csv.DictReader(io.StringIO(text))
            files[name] = list(reader)
            headers[name] = list(reader.fieldnames or [])
    files["_headers"] = [{"name": n, "columns": ",".join(c)} for n, c in headers.items()]
    return files


class TestOneRoster:
    async def test_round_trip_against_the_specification(
        self, client: httpx.AsyncClient, journal_app: FastAPI, world: World
    ) -> None:
        s = await school_with_a_day(journal_app, world)
        teacher = world.headers("teacher")
        await client.post(
            f"{API}/lessons/{s['lessons'][0]}/marks",
            json={
                "marks": [
                    {"student_id": str(world.id("student")), "value": "5"},
                    {"student_id": str(world.id("student2")), "value": "зачёт", "comment": "ok"},
                ]
            },
            headers=teacher,
        )
        await client.post(
            f"{API}/marks",
            json={
                "course_id": str(s["course"]),
                "student_id": str(world.id("student")),
                "value": "3",
                "date": "2026-11-24",
                "control_type": "interim_attestation",
            },
            headers=teacher,
        )
        r = await client.get(f"{API}/exchange/oneroster.zip", headers=world.headers("admin"))
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "application/zip"
        files = read_zip(r.content)
        headers = {h["name"]: h["columns"].split(",") for h in files.pop("_headers")}

        manifest = {row["propertyName"]: row["value"] for row in files.pop("manifest.csv")}
        assert headers["manifest.csv"] == ["propertyName", "value"]
        assert manifest["manifest.version"] == "1.0"
        assert manifest["oneroster.version"] == "1.2"
        for name in REQUIRED_COLUMNS:
            assert manifest[f"file.{name.removesuffix('.csv')}"] == "bulk"
        assert set(files) == set(REQUIRED_COLUMNS)
        for name, required in REQUIRED_COLUMNS.items():
            assert headers[name][:3] == COMMON_HEAD, name
            assert set(required) <= set(headers[name]), (name, set(required) - set(headers[name]))
            for row in files[name]:
                for column in required:
                    assert row[column] != "", (name, column, row)
                assert row["status"] == ""
                assert row["dateLastModified"] == ""
            ids = [row["sourcedId"] for row in files[name]]
            assert len(ids) == len(set(ids)), name
        for (name, column), allowed in ENUMS.items():
            assert {row[column] for row in files[name]} <= allowed, (name, column)

        def ids(name: str) -> set[str]:
            return {row["sourcedId"] for row in files[name]}

        # references resolve within the package
        users, classes = ids("users.csv"), ids("classes.csv")
        sessions, orgs = ids("academicSessions.csv"), ids("orgs.csv")
        assert orgs == {str(world.school_id)}
        assert {r["userSourcedId"] for r in files["enrollments.csv"]} <= users
        assert {r["classSourcedId"] for r in files["enrollments.csv"]} <= classes
        assert {r["courseSourcedId"] for r in files["classes.csv"]} <= ids("courses.csv")
        assert {t for r in files["classes.csv"] for t in r["termSourcedIds"].split(",")} <= sessions
        assert {r["classSourcedId"] for r in files["lineItems.csv"]} <= classes
        assert {r["categorySourcedId"] for r in files["lineItems.csv"]} <= ids("categories.csv")
        assert {r["gradingPeriodSourcedId"] for r in files["lineItems.csv"]} <= sessions
        assert {r["lineItemSourcedId"] for r in files["results.csv"]} <= ids("lineItems.csv")
        assert {r["studentSourcedId"] for r in files["results.csv"]} <= users
        assert {r["userSourcedId"] for r in files["roles.csv"]} <= users

        # the data comes back: people, external ids, enrolments, marks
        student = next(u for u in files["users.csv"] if u["sourcedId"] == str(world.id("student")))
        assert (student["familyName"], student["givenName"]) == ("Соколов", "Артём")
        assert student["userIds"] == "{moya_shkola:MS-S1}"
        assert student["grades"] == "07"
        assert student["agentSourcedIds"] == str(world.id("guardian"))
        roles = {(r["userSourcedId"], r["role"]) for r in files["roles.csv"]}
        assert (str(world.id("admin")), "siteAdministrator") in roles
        enrolled = {
            (r["userSourcedId"], r["role"], r["primary"])
            for r in files["enrollments.csv"]
            if r["classSourcedId"] == str(s["course"])
        }
        assert enrolled == {
            (str(world.id("student")), "student", "false"),
            (str(world.id("student2")), "student", "false"),
            (str(world.id("teacher")), "teacher", "true"),
        }
        (cls,) = [c for c in files["classes.csv"] if c["sourcedId"] == str(s["course"])]
        assert (cls["title"], cls["classCode"]) == ("Математика 7Б", "MS-MATH-7B")
        results = sorted(
            (
                r["studentSourcedId"] == str(world.id("student")),
                r["score"],
                r["textScore"],
                r["scoreDate"],
            )
            for r in files["results.csv"]
        )
        assert results == [
            (False, "", "зачёт", "2026-11-20"),
            (True, "3.0", "3", "2026-11-24"),
            (True, "5.0", "5", "2026-11-20"),
        ]
        assert len(files["lineItems.csv"]) == 2  # the lesson's column and the attestation
        # two exports name every record alike
        again = read_zip(
            (
                await client.get(f"{API}/exchange/oneroster.zip", headers=world.headers("admin"))
            ).content
        )
        assert {r["sourcedId"] for r in again["lineItems.csv"]} == ids("lineItems.csv")
