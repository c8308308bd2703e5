"""Checks (CO-2, Reg §2.5): a lesson plan, a class's day, a student's day, a school's week;
the school's settings (block or warn, a combined daily limit); the recorded history;
service callers; refused input."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.compliance.models import NormCheckRun
from tests.compliance.norms_support import (
    API,
    REGULATION,
    SANPIN,
    assert_problem,
    only_rule,
    spread_lesson,
)
from tests.support.service_world import World, service_headers

MONDAY = date(2026, 12, 7)


def lesson(*segments: tuple[str, int], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "duration_minutes": 45,
        "delivery_form": "in_person",
        "segments": [{"device": d, "minutes": m} for d, m in segments],
    }
    body.update(extra)
    return body


async def runs(app: FastAPI, world: World) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count(NormCheckRun.id)).where(NormCheckRun.school_id == world.school_id)
        return int((await session.execute(stmt)).scalar_one())


async def post(
    client: httpx.AsyncClient, what: str, body: dict[str, Any], headers: dict[str, str]
) -> dict[str, Any]:
    response = await client.post(f"{API}/checks/{what}", json=body, headers=headers)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


async def put_settings(client: httpx.AsyncClient, world: World, **body: Any) -> httpx.Response:
    settings = {"violation_mode": "block", "combined_daily_limit_enabled": False, **body}
    return await client.put(f"{API}/settings", json=settings, headers=world.headers("admin"))


class TestLessonPlan:
    async def test_a_compliant_lesson_passes_and_is_recorded(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        body = {
            "grade": 7,
            "date": "2026-12-07",
            "ref": "lesson-1",
            **lesson(("pc", 15), ("interactive_whiteboard", 5)),
        }
        result = await post(client, "lesson", body, world.headers("teacher"))
        assert result["status"] == "passed"
        assert result["blocking"] is False
        assert result["violations"] == []
        assert result["kind"] == "lesson"
        assert result["checked_on"] == "2026-12-07"
        assert result["school_id"] == str(world.school_id)
        assert result["totals"] == {
            "school": {"pc": 15, "interactive_whiteboard": 5},
            "home": {},
            "combined": 20,
        }
        assert [s["code"] for s in result["rule_sets"]] == [
            SANPIN,
            "sp-2.4.3648-20",
            REGULATION,
        ]
        assert await runs(compliance_app, world) == 1
        stored = await client.get(
            f"{API}/checks/{result['check_id']}", headers=world.headers("staff")
        )
        assert stored.status_code == 200
        assert stored.json()["subject"]["lesson_ref"] == "lesson-1"
        assert stored.json()["requested_by"] == str(world.id("teacher"))

    async def test_the_date_defaults_to_the_school_day(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        result = await post(client, "lesson", {"grade": 3, **lesson()}, world.headers("admin"))
        today = date.today()
        assert abs((date.fromisoformat(result["checked_on"]) - today).days) <= 1

    async def test_first_and_second_hour_by_start_time(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        plan = {"grade": 10, "day_starts_at": "08:30", **lesson(("pc", 25))}
        first = await post(
            client, "lesson", {**plan, "starts_at": "08:30"}, world.headers("teacher")
        )
        assert first["status"] == "passed"
        second = await post(
            client, "lesson", {**plan, "starts_at": "09:30"}, world.headers("teacher")
        )
        v = only_rule(second, f"{REGULATION}:continuous:any:g10-11:h2")
        assert (v["limit"], v["actual"]) == (20, 25)
        unknown = await post(
            client, "lesson", {"grade": 10, **lesson(("pc", 25))}, world.headers("teacher")
        )
        assert (
            "второго часа"
            in only_rule(unknown, f"{REGULATION}:continuous:any:g10-11:h2")["message"]
        )

    async def test_grade_from_the_class_group(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        body = {"class_group_id": str(world.class_id("3А")), **lesson(("tablet", 16))}
        result = await post(client, "lesson", body, world.headers("teacher"))
        v = only_rule(result, f"{SANPIN}:per_lesson:tablet:g3-4")
        assert v["limit"] == 15
        mismatch = await client.post(
            f"{API}/checks/lesson", json={**body, "grade": 5}, headers=world.headers("teacher")
        )
        assert_problem(mismatch, 422, "grade-mismatch")
        foreign = await client.post(
            f"{API}/checks/lesson",
            json={"class_group_id": str(other_world.class_id()), **lesson()},
            headers=world.headers("teacher"),
        )
        assert_problem(foreign, 404, "class-group-not-found")

    async def test_a_person_names_only_their_own_school(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        own = await post(
            client,
            "lesson",
            {"school_id": str(world.school_id), "grade": 5, **lesson()},
            world.headers("staff"),
        )
        assert own["status"] == "passed"
        response = await client.post(
            f"{API}/checks/lesson",
            json={"school_id": str(other_world.school_id), "grade": 5, **lesson()},
            headers=world.headers("admin"),
        )
        assert_problem(response, 404, "school-not-found")


class TestServiceCaller:
    async def test_learning_checks_before_publishing(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = {"school_id": str(world.school_id), "grade": 6, **lesson(("tablet", 21))}
        result = await post(client, "lesson", body, service_headers("learning"))
        assert result["blocking"] is True
        assert result["school_id"] == str(world.school_id)
        history = await client.get(f"{API}/checks", headers=world.headers("admin"))
        item = history.json()["items"][0]
        assert item["requested_by_service"] is True
        assert item["id"] == result["check_id"]

    async def test_the_school_is_required_and_must_exist(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.post(
            f"{API}/checks/class-day",
            json={"grade": 6, "lessons": []},
            headers=service_headers(),
        )
        assert_problem(response, 422, "school-id-required")
        response = await client.post(
            f"{API}/checks/class-day",
            json={"school_id": str(uuid.uuid4()), "grade": 6, "lessons": []},
            headers=service_headers(),
        )
        assert_problem(response, 404, "school-not-found")


class TestDays:
    async def test_class_day_totals_per_device(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        lessons = [
            spread_lesson("tablet", 20, ref="a"),
            spread_lesson("tablet", 20, ref="b"),
            spread_lesson("tablet", 20, ref="c"),
            {
                **spread_lesson("tablet", 1, ref="d"),
                "segments": [{"device": "tablet", "minutes": 1}],
            },
        ]
        result = await post(
            client,
            "class-day",
            {"grade": 8, "date": "2026-12-07", "lessons": lessons},
            world.headers("teacher"),
        )
        v = only_rule(result, f"{SANPIN}:daily_school:tablet:g5-9")
        assert (v["limit"], v["actual"], v["date"]) == (60, 61, "2026-12-07")
        assert result["totals"]["school"] == {"tablet": 61}

    async def test_class_day_points_at_the_lesson(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        lessons = [lesson(("pc", 10), ref="first"), lesson(("pc", 31), ref="second")]
        result = await post(
            client, "class-day", {"grade": 9, "lessons": lessons}, world.headers("teacher")
        )
        per_lesson = [v for v in result["violations"] if v["measure"] == "per_lesson"]
        assert [(v["lesson_index"], v["lesson_ref"]) for v in per_lesson] == [(1, "second")]

    async def test_grades_10_11_second_lesson_is_the_second_hour(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        lessons = [lesson(("pc", 25)), lesson(("pc", 25))]
        result = await post(
            client, "class-day", {"grade": 11, "lessons": lessons}, world.headers("teacher")
        )
        found = [(v["rule_id"], v["lesson_index"]) for v in result["violations"]]
        assert found == [(f"{REGULATION}:continuous:any:g10-11:h2", 1)]

    async def test_student_day_adds_home_work(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = {
            "student_id": str(world.id("student")),
            "lessons": [spread_lesson("laptop", 30), spread_lesson("laptop", 30)],
            "home": [
                {"device": "laptop", "minutes": 60, "ref": "hw-1"},
                {"device": "tablet", "minutes": 30, "ref": "hw-2"},
            ],
        }
        result = await post(client, "student-day", body, world.headers("teacher"))
        # the student is in 7Б: laptop 60 a day at school and 120 at home, both within
        assert result["status"] == "passed", result["violations"]
        assert result["totals"] == {
            "school": {"laptop": 60},
            "home": {"laptop": 60, "tablet": 30},
            "combined": 150,
        }
        body["home"].append({"device": "laptop", "minutes": 61})
        over = await post(client, "student-day", body, world.headers("teacher"))
        v = only_rule(over, f"{SANPIN}:daily_home:laptop:g5-9")
        assert (v["limit"], v["actual"]) == (120, 121)

    async def test_student_must_be_a_student_of_the_school(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        for student in (world.id("guardian"), other_world.id("student")):
            response = await client.post(
                f"{API}/checks/student-day",
                json={"student_id": str(student), "lessons": []},
                headers=world.headers("teacher"),
            )
            assert_problem(response, 404, "student-not-found")


class TestSettings:
    async def test_defaults_and_update(self, client: httpx.AsyncClient, world: World) -> None:
        defaults = await client.get(f"{API}/settings", headers=world.headers("teacher"))
        assert defaults.status_code == 200
        assert defaults.json() == {
            "violation_mode": "block",
            "combined_daily_limit_enabled": False,
            "combined_daily_limit_minutes": None,
            "revision": 0,
            "updated_at": None,
            "updated_by": None,
        }
        response = await put_settings(
            client,
            world,
            violation_mode="warn",
            combined_daily_limit_enabled=True,
            combined_daily_limit_minutes=120,
        )
        assert response.status_code == 200, response.text
        assert response.json()["revision"] == 1
        again = await put_settings(client, world, violation_mode="warn")
        assert again.json()["revision"] == 2
        assert again.json()["combined_daily_limit_enabled"] is False
        read = await client.get(f"{API}/settings", headers=world.headers("staff"))
        assert read.json()["violation_mode"] == "warn"
        assert read.json()["updated_by"] == str(world.id("admin"))
        feed = await client.get(
            "/api/v1/compliance/events",
            params={"types": "norm_settings.updated"},
            headers=world.headers("admin"),
        )
        assert [e["payload"]["revision"] for e in feed.json()["items"]] == [1, 2]

    async def test_enabled_limit_needs_minutes(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await put_settings(client, world, combined_daily_limit_enabled=True)
        assert_problem(response, 422, "validation-error")
        response = await put_settings(
            client, world, combined_daily_limit_enabled=True, combined_daily_limit_minutes=0
        )
        assert_problem(response, 422, "validation-error")

    async def test_warn_mode_never_blocks(self, client: httpx.AsyncClient, world: World) -> None:
        await put_settings(client, world, violation_mode="warn")
        result = await post(
            client, "lesson", {"grade": 6, **spread_lesson("tablet", 21)}, world.headers("teacher")
        )
        assert result["status"] == "warned"
        assert result["blocking"] is False
        assert result["violation_mode"] == "warn"
        v = only_rule(result, f"{SANPIN}:per_lesson:tablet:g5-9")
        assert (v["severity"], v["rule_severity"]) == ("warn", "block")

    async def test_combined_daily_limit(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        await put_settings(
            client, world, combined_daily_limit_enabled=True, combined_daily_limit_minutes=99
        )
        lessons = [
            spread_lesson("pc", 30),
            spread_lesson("pc", 30),
            spread_lesson("tablet", 20),
            spread_lesson("tablet", 20),
        ]
        day = await post(
            client, "class-day", {"grade": 7, "lessons": lessons}, world.headers("teacher")
        )
        v = only_rule(day, "school-settings:combined_daily:any:g1-11")
        assert (v["set_code"], v["set_version"], v["set_kind"]) == (
            "school-settings",
            1,
            "settings",
        )
        assert (v["limit"], v["actual"], v["device"]) == (99, 100, None)
        assert "school-settings" in [s["code"] for s in day["rule_sets"]]
        # per device each total is within table 6.8 (pc 60, tablet 40): only the combined rule
        student = await post(
            client,
            "student-day",
            {"grade": 7, "lessons": lessons[:1], "home": [{"device": "tablet", "minutes": 71}]},
            world.headers("teacher"),
        )
        assert only_rule(student, "school-settings:combined_daily:any:g1-11")["actual"] == 101
        assert student["totals"]["combined"] == 101
        # another school has its own settings
        other = await post(
            client, "class-day", {"grade": 7, "lessons": lessons}, other_world.headers("teacher")
        )
        assert other["status"] == "passed"


class TestWeek:
    @staticmethod
    def week(classes: int = 3, per_day: int = 6, days: int = 5) -> dict[str, Any]:
        return {
            "classes": [
                {
                    "ref": f"{5 + c % 7}{'АБВ'[c % 3]}",
                    "grade": 5 + c % 7,
                    "days": [
                        {
                            "date": (MONDAY + timedelta(days=d)).isoformat(),
                            "lessons": [
                                lesson(("pc", 10), lesson_number=n + 1) for n in range(per_day)
                            ],
                        }
                        for d in range(days)
                    ],
                }
                for c in range(classes)
            ]
        }

    async def test_week_violations_name_class_day_and_lesson(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = self.week(classes=33)
        body["school_id"] = str(world.school_id)
        body["classes"][4]["days"][2]["lessons"][3] = lesson(
            ("tablet", 21), ref="x", lesson_number=4
        )
        result = await post(client, "school-week", body, service_headers("learning"))
        assert result["kind"] == "school_week"
        assert result["checked_on"] == MONDAY.isoformat()
        per_lesson = [v for v in result["violations"] if v["measure"] == "per_lesson"]
        assert [
            (v["class_index"], v["class_ref"], v["date"], v["lesson_index"], v["lesson_ref"])
            for v in per_lesson
        ] == [(4, body["classes"][4]["ref"], (MONDAY + timedelta(days=2)).isoformat(), 3, "x")]
        # 6 lessons × 10 min of PC = 60 a day: at the limit for grades 5–9, over it nowhere
        assert {v["measure"] for v in result["violations"]} <= {"per_lesson", "continuous"}
        history = await client.get(
            f"{API}/checks", params={"kind": "school_week"}, headers=world.headers("staff")
        )
        assert history.json()["items"][0]["subject"] == {
            "classes": 33,
            "lessons": 990,
            "first_date": MONDAY.isoformat(),
            "last_date": (MONDAY + timedelta(days=4)).isoformat(),
        }

    async def test_week_uses_class_groups(self, client: httpx.AsyncClient, world: World) -> None:
        body = {
            "classes": [
                {
                    "class_group_id": str(world.class_id("3А")),
                    "days": [{"date": "2026-12-07", "lessons": [lesson(("pc", 26))]}],
                }
            ]
        }
        result = await post(client, "school-week", body, world.headers("admin"))
        v = only_rule(result, f"{SANPIN}:per_lesson:pc:g3-4")
        assert v["class_ref"] == "3А"

    @pytest.mark.parametrize(
        ("mutate", "code"),
        [
            (lambda b: b["classes"][0]["days"].append(b["classes"][0]["days"][0]), "duplicate-day"),
            (
                lambda b: b["classes"][1]["days"][0].update(
                    date=(MONDAY + timedelta(days=7)).isoformat()
                ),
                "week-span-too-long",
            ),
            (lambda b: b["classes"][2].update(grade=12), "grade-out-of-range"),
            (
                lambda b: b["classes"][2]["days"][1]["lessons"][0]["segments"][0].update(
                    device="tv"
                ),
                "unknown-device-type",
            ),
            (lambda b: [c.update(days=[]) for c in b["classes"]], "week-empty"),
        ],
    )
    async def test_bad_weeks_are_refused(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        mutate: Any,
        code: str,
    ) -> None:
        body = self.week()
        mutate(body)
        response = await client.post(
            f"{API}/checks/school-week", json=body, headers=world.headers("teacher")
        )
        assert_problem(response, 422, code)
        assert await runs(compliance_app, world) == 0


class TestRefusedInput:
    @pytest.mark.parametrize(
        ("body", "code", "field", "clause"),
        [
            (
                {"grade": 5, **lesson(("projector", 5))},
                "unknown-device-type",
                "body.segments.0.device",
                "табл. 6.8",
            ),
            (
                {"grade": 5, **lesson(("pc", -5))},
                "minutes-out-of-range",
                "body.segments.0.minutes",
                "табл. 6.8",
            ),
            (
                {"grade": 5, **lesson(("pc", 1441))},
                "minutes-out-of-range",
                "body.segments.0.minutes",
                "табл. 6.8",
            ),
            (
                {"grade": 5, **lesson(("pc", 46))},
                "minutes-exceed-lesson",
                "body.segments.0.minutes",
                "табл. 6.8",
            ),
            (
                {"grade": 5, **lesson(duration_minutes=2000)},
                "lesson-duration-out-of-range",
                "body.duration_minutes",
                "п. 5.11",
            ),
            ({"grade": 0, **lesson()}, "grade-out-of-range", "body.grade", "табл. 6.8"),
            ({"grade": 12, **lesson()}, "grade-out-of-range", "body.grade", "табл. 6.8"),
            ({"age": 4, **lesson()}, "age-out-of-range", "body.age", "п. 2.10.2"),
            ({"age": 8, **lesson()}, "age-out-of-range", "body.age", "табл. 6.8"),
            (
                {"age": 5, **lesson(("tablet", 5))},
                "device-not-allowed-for-age",
                "body.segments.0.device",
                "табл. 6.8",
            ),
            ({**lesson()}, "subject-required", "body", "табл. 6.8"),
            (
                {"grade": 5, **lesson(delivery_form="hybrid")},
                "unknown-delivery-form",
                "body.delivery_form",
                "п. 5.11",
            ),
        ],
    )
    async def test_lesson(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        body: dict[str, Any],
        code: str,
        field: str,
        clause: str,
    ) -> None:
        response = await client.post(
            f"{API}/checks/lesson", json=body, headers=world.headers("teacher")
        )
        problem = assert_problem(response, 422, code, clause)
        assert problem["errors"][0]["field"] == field
        assert await runs(compliance_app, world) == 0

    async def test_day_paths_point_at_the_lesson(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = {"grade": 5, "lessons": [lesson(("pc", 5)), lesson(("pc", 5), ("camera", 1))]}
        response = await client.post(
            f"{API}/checks/class-day", json=body, headers=world.headers("teacher")
        )
        problem = assert_problem(response, 422, "unknown-device-type")
        assert problem["errors"][0]["field"] == "body.lessons.1.segments.1.device"

    async def test_home_input(self, client: httpx.AsyncClient, world: World) -> None:
        for home, code in (
            ([{"device": "interactive_whiteboard", "minutes": 10}], "home-norm-not-defined"),
            ([{"device": "pc", "minutes": -1}], "minutes-out-of-range"),
            ([{"device": "pc", "minutes": 1441}], "minutes-out-of-range"),
        ):
            response = await client.post(
                f"{API}/checks/student-day",
                json={"grade": 5, "home": home},
                headers=world.headers("teacher"),
            )
            assert_problem(response, 422, code, "табл. 6.8")

    async def test_malformed(self, client: httpx.AsyncClient, world: World) -> None:
        response = await client.post(
            f"{API}/checks/lesson",
            content=b"{not json",
            headers={**world.headers("teacher"), "content-type": "application/json"},
        )
        assert_problem(response, 400, "malformed-json")
        for body in (
            {"grade": "5", **lesson()},
            {"grade": 5, **lesson(), "unknown": 1},
            {"grade": 5, **lesson(), "segments": [{"device": "pc", "minutes": 5.5}]},
            {"grade": 5, "delivery_form": "in_person"},
        ):
            response = await client.post(
                f"{API}/checks/lesson", json=body, headers=world.headers("teacher")
            )
            assert_problem(response, 422, "validation-error")


class TestHistory:
    async def test_newest_first_with_filters_and_pages(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        ids = []
        for minutes in (5, 21, 5, 21):
            result = await post(
                client,
                "lesson",
                {"grade": 6, **lesson(("tablet", minutes))},
                world.headers("teacher"),
            )
            ids.append(result["check_id"])
        await post(client, "class-day", {"grade": 6, "lessons": []}, world.headers("teacher"))
        await post(client, "lesson", {"grade": 6, **lesson()}, other_world.headers("teacher"))

        everything = await client.get(f"{API}/checks", headers=world.headers("admin"))
        assert len(everything.json()["items"]) == 5
        lessons = await client.get(
            f"{API}/checks", params={"kind": "lesson"}, headers=world.headers("admin")
        )
        assert [i["id"] for i in lessons.json()["items"]] == list(reversed(ids))
        blocked = await client.get(
            f"{API}/checks", params={"status": "blocked"}, headers=world.headers("admin")
        )
        assert [i["id"] for i in blocked.json()["items"]] == [ids[3], ids[1]]
        first = await client.get(
            f"{API}/checks", params={"limit": 3}, headers=world.headers("staff")
        )
        rest = await client.get(
            f"{API}/checks",
            params={"limit": 3, "cursor": first.json()["next_cursor"]},
            headers=world.headers("staff"),
        )
        seen = [i["id"] for i in first.json()["items"] + rest.json()["items"]]
        assert len(seen) == len(set(seen)) == 5
        assert rest.json()["next_cursor"] is None
        foreign = await client.get(f"{API}/checks/{ids[0]}", headers=other_world.headers("admin"))
        assert_problem(foreign, 404, "check-run-not-found")
