"""The administration's dashboard (CO-8) and the DOT-training flags (CO-7, §3.4).

Each section is built from what compliance knows: its own checks, alerts, notices and
opt-outs, learning's timetable and works from learning's feed, and teachers' training
from identity's feed.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from services.common.directory import apply_identity_event
from services.compliance.models import OptOut, ScreenTimeAlert, directory
from tests.compliance.attestation_support import (
    assert_problem,
    learning_event,
    school_today,
    seed_course,
    seed_lesson,
)
from tests.compliance.deadlines_support import create_notice, program_change
from tests.support.service_world import World

DASHBOARD = "/api/v1/compliance/dashboard"
FLAGS = "/api/v1/compliance/dot-training/flags"


async def dashboard(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    r = await client.get(DASHBOARD, headers=world.headers("staff"))
    assert r.status_code == 200, r.text
    return dict(r.json())


async def record_training(
    app: FastAPI, world: World, teacher: str, valid_until: date | None
) -> None:
    async with app.state.database.session() as session:
        await apply_identity_event(
            session,
            directory,
            {
                "id": str(uuid.uuid4()),
                "type": "teacher_training.recorded",
                "school_id": str(world.school_id),
                "payload": {
                    "id": str(uuid.uuid4()),
                    "teacher_id": str(world.id(teacher)),
                    "teacher": {"last_name": "Петров", "first_name": "Сергей"},
                    "trained_for_dot": True,
                    "valid_until": valid_until.isoformat() if valid_until else None,
                },
            },
        )
        await session.commit()


def iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat()


async def received(
    app: FastAPI,
    world: World,
    course_id: uuid.UUID,
    *,
    at: datetime,
    due: datetime | None,
    assignment_id: uuid.UUID | None = None,
    version: int = 1,
    student: str = "student",
) -> uuid.UUID:
    submission_id = uuid.uuid4()
    payload: dict[str, Any] = {
        "id": str(submission_id),
        "assignment_id": str(assignment_id or uuid.uuid4()),
        "course_id": str(course_id),
        "student_id": str(world.id(student)),
        "version": version,
        "received_at": iso(at),
        "received_local_date": at.date().isoformat(),
        "channel": "platform",
        "late": False,
        "recorded_by": str(world.id(student)),
    }
    if due is not None:
        payload["review_due_at"] = iso(due)
    await learning_event(app, world, "submission.received", payload)
    return submission_id


async def reviewed(app: FastAPI, world: World, submission_id: uuid.UUID, at: datetime) -> None:
    await learning_event(
        app,
        world,
        "review.completed",
        {"id": str(uuid.uuid4()), "submission_id": str(submission_id), "reviewed_at": iso(at)},
    )


class TestUntrainedTeachers:
    async def test_distance_lessons_of_untrained_teachers_are_flagged(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        tomorrow = school_today(world) + timedelta(days=1)
        course = await seed_course(compliance_app, world, teachers=("teacher", "teacher2"))
        flagged = await seed_lesson(compliance_app, world, course, on=tomorrow, teacher="teacher2")
        await seed_lesson(compliance_app, world, course, on=tomorrow, teacher="teacher")
        await seed_lesson(
            compliance_app,
            world,
            course,
            on=tomorrow,
            teacher="teacher2",
            delivery_form="in_person",
        )
        await seed_lesson(
            compliance_app, world, course, on=tomorrow, teacher="teacher2", status="cancelled"
        )
        # no teacher on the lesson: the course's teachers teach it (teacher2 untrained)
        by_course = await seed_lesson(
            compliance_app, world, course, on=tomorrow, teacher=None, delivery_form="e_learning"
        )

        r = await client.get(FLAGS, headers=world.headers("admin"))
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["lessons"], body["teachers"]) == (2, 1)
        assert {(f["lesson_id"], f["teacher_id"], f["reason"]) for f in body["items"]} == {
            (str(flagged), str(world.id("teacher2")), "no_training"),
            (str(by_course), str(world.id("teacher2")), "no_training"),
        }
        assert body["items"][0]["class_name"] == "7Б"
        board = await dashboard(client, world)
        assert board["untrained_teachers"]["count"] == 2

        # identity records teacher2's training: valid until the day before the lessons
        await record_training(compliance_app, world, "teacher2", tomorrow - timedelta(days=1))
        r = await client.get(FLAGS, headers=world.headers("admin"))
        assert {f["reason"] for f in r.json()["items"]} == {"training_expired"}
        await record_training(compliance_app, world, "teacher2", None)
        r = await client.get(FLAGS, headers=world.headers("admin"))
        assert r.json()["items"] == []
        assert (await dashboard(client, world))["untrained_teachers"]["count"] == 0

    async def test_bad_periods_are_refused(self, client: httpx.AsyncClient, world: World) -> None:
        r = await client.get(
            FLAGS, params={"from": "2026-12-01", "to": "2026-11-01"}, headers=world.headers("admin")
        )
        assert_problem(r, 400, "invalid-period")
        r = await client.get(
            FLAGS, params={"from": "2026-01-01", "to": "2028-01-01"}, headers=world.headers("admin")
        )
        assert_problem(r, 400, "period-too-long")
        r = await client.get(DASHBOARD, params={"limit": 0}, headers=world.headers("admin"))
        assert_problem(r, 422, "validation-error")


class TestDashboard:
    async def test_an_empty_school_has_nothing_open(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        board = await dashboard(client, world)
        assert board["today"] == school_today(world).isoformat()
        for section in (
            "plan_violations",
            "screen_time_alerts",
            "deadlines",
            "unreviewed_works",
            "optouts_without_alternative",
            "untrained_teachers",
        ):
            assert board[section]["count"] == 0, section
            assert board[section]["items"] == [], section

    async def test_every_section_counts_what_is_open(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        other_world: World,
    ) -> None:
        today = school_today(world)
        now = datetime.now(UTC)

        # plan violations: a lesson over the PC limit, then the same lesson fixed
        check = {
            "ref": "lesson-42",
            "class_group_id": str(world.class_id("7Б")),
            "date": (today + timedelta(days=1)).isoformat(),
            "duration_minutes": 45,
            "delivery_form": "in_person",
            "segments": [
                {"device": "pc", "minutes": 5, "kind": "viewing", "start_minute": m}
                for m in range(0, 42, 6)
            ],
        }
        r = await client.post(
            "/api/v1/compliance/norms/checks/lesson", json=check, headers=world.headers("teacher")
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "blocked"
        other = {**check, "ref": "lesson-43"}
        await client.post(
            "/api/v1/compliance/norms/checks/lesson", json=other, headers=world.headers("teacher")
        )
        board = await dashboard(client, world)
        assert board["plan_violations"]["count"] == 2
        assert {i["lesson_ref"] for i in board["plan_violations"]["items"]} == {
            "lesson-42",
            "lesson-43",
        }
        fixed = {**check, "segments": check["segments"][:4]}
        r = await client.post(
            "/api/v1/compliance/norms/checks/lesson", json=fixed, headers=world.headers("teacher")
        )
        assert r.json()["status"] == "passed"
        board = await dashboard(client, world)
        assert [i["lesson_ref"] for i in board["plan_violations"]["items"]] == ["lesson-43"]

        # deadlines: a program change whose 10 working days have passed
        await create_notice(
            client,
            world,
            program_change(decision_or_change_date=(today - timedelta(days=40)).isoformat()),
        )

        # screen-time alerts (written by the screen-time feature)
        async with compliance_app.state.database.session() as session:
            for school, student, day, threshold in (
                (world, "student", today, 100),
                (world, "student2", today - timedelta(days=1), 80),
                (world, "student", today - timedelta(days=10), 100),  # too old
                (other_world, "student", today, 100),  # another school
            ):
                session.add(
                    ScreenTimeAlert(
                        school_id=school.school_id,
                        student_id=school.id(student),
                        class_group_id=school.class_id("7Б"),
                        day=day,
                        device="pc",
                        measure="daily_home",
                        threshold=threshold,
                        used_minutes=125 if threshold == 100 else 100,
                        limit_minutes=120,
                        rule_id="sanpin:home:pc:g5-9",
                        set_code="sanpin-1.2.3685-21",
                        set_version=1,
                        clause="СанПиН 1.2.3685-21, табл. 6.8",
                    )
                )
            await session.commit()

        # works: overdue, pending, reviewed in time, reviewed late, a superseded version
        course = await seed_course(compliance_app, world)
        overdue = await received(
            compliance_app, world, course, at=now - timedelta(days=2), due=now - timedelta(days=1)
        )
        await received(compliance_app, world, course, at=now, due=now + timedelta(hours=3))
        in_time = await received(
            compliance_app, world, course, at=now - timedelta(days=2), due=now - timedelta(days=1)
        )
        await reviewed(compliance_app, world, in_time, now - timedelta(days=2) + timedelta(hours=1))
        late = await received(
            compliance_app, world, course, at=now - timedelta(days=3), due=now - timedelta(days=2)
        )
        await reviewed(compliance_app, world, late, now - timedelta(hours=5))
        work = uuid.uuid4()
        await received(
            compliance_app,
            world,
            course,
            at=now - timedelta(days=3),
            due=now - timedelta(days=2),
            assignment_id=work,
            student="student2",
        )
        newer = await received(
            compliance_app,
            world,
            course,
            at=now - timedelta(days=2),
            due=None,  # an older event without the deadline: learning's rule, 18:00
            assignment_id=work,
            student="student2",
            version=2,
        )

        # an opt-out in force, and distance lessons without / with an alternative
        distance = await seed_course(compliance_app, world, teachers=("teacher",), subject="ИЗО")
        only_distance = await seed_course(
            compliance_app, world, subject="Информатика", delivery="distance_only"
        )
        gap = await seed_lesson(compliance_app, world, distance, on=today + timedelta(days=2))
        await seed_lesson(
            compliance_app,
            world,
            distance,
            on=today + timedelta(days=3),
            alternative="Очное занятие в кабинете 12",
        )
        await seed_lesson(compliance_app, world, only_distance, on=today + timedelta(days=2))
        async with compliance_app.state.database.session() as session:
            session.add(
                OptOut(
                    school_id=world.school_id,
                    student_id=world.id("student"),
                    class_group_id=world.class_id("7Б"),
                    grade=7,
                    course_ids=None,
                    status="registered",
                    filed_by=world.id("guardian"),
                    filed_by_role="guardian",
                    filed_on=today,
                    document_date=today,
                    registered_on=today,
                    registered_by=world.id("admin"),
                    effective_from=today,
                )
            )
            await session.commit()

        board = await dashboard(client, world)
        alerts = board["screen_time_alerts"]
        assert (alerts["count"], alerts["over_limit"], alerts["students"]) == (2, 1, 2)
        assert alerts["items"][0]["student_name"] == "Соколов Артём"
        deadlines = board["deadlines"]
        assert (deadlines["late"], deadlines["due_soon"], deadlines["count"]) == (1, 0, 1)
        assert deadlines["items"][0]["state"] == "late"
        works = board["unreviewed_works"]
        assert works["count"] == 2
        assert {w["submission_id"] for w in works["items"]} == {str(overdue), str(newer)}
        assert works["reviewed_late_30_days"] == 1
        assert works["items"][0]["teacher_ids"] == [str(world.id("teacher"))]
        gaps = board["optouts_without_alternative"]
        assert (gaps["count"], gaps["lessons"]) == (1, 1)
        assert gaps["items"][0]["student_id"] == str(world.id("student"))
        assert gaps["items"][0]["first_lesson_id"] == str(gap)

        # the other school sees none of it; limit shortens the lists, not the counts
        assert (await dashboard(client, other_world))["unreviewed_works"]["count"] == 0
        r = await client.get(DASHBOARD, params={"limit": 1}, headers=world.headers("admin"))
        assert r.json()["unreviewed_works"]["count"] == 2
        assert len(r.json()["unreviewed_works"]["items"]) == 1
