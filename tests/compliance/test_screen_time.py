"""Actual screen time (CO-3): intervals reported in batches, stored once, merged, placed
at school or at home, totalled per day of the school against the daily limits in force,
alerts at 80 % and 100 % raised once; bad input refused with nothing stored."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.compliance.norms.data import SANPIN_HOME_DAY, SANPIN_SCHOOL_DAY
from tests.compliance.screen_time_support import (
    API,
    alert_events,
    at,
    day_of,
    interval,
    limit,
    notifications_of,
    recent_day,
    report,
    schedule_lesson,
    school_counts,
    stored_alerts,
    stored_intervals,
    usage,
    utc,
)
from tests.support.service_world import World, service_headers

SANPIN = "sanpin-1.2.3685-21"


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


class TestReport:
    async def test_a_batch_is_stored_and_totalled_per_device_and_place(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        body = ok(
            await report(
                client,
                world,
                [
                    interval(world, "pc", at(day, 16, 0), at(day, 16, 30), context="home"),
                    interval(world, "tablet", at(day, 9, 0), minutes=20, context="school"),
                    interval(world, "pc", at(day, 17, 0), at(day, 17, 5), student="student2"),
                ],
            )
        )
        assert body["intervals_received"] == 3
        assert body["seconds_added"] == (30 + 20 + 5) * 60
        assert body["alerts"] == []
        days = {(d["student_id"], d["date"]): d for d in body["days"]}
        mine = days[(str(world.id("student")), day.isoformat())]
        assert usage(mine) == {("pc", "home"): 1800, ("tablet", "school"): 1200}
        assert mine["grade"] == 7
        assert mine["timezone"] == "Europe/Samara"
        assert mine["total_minutes"] == 50

        read = await day_of(client, world, day)
        assert usage(read) == usage(mine)
        assert [(i["device"], i["context"], i["context_source"]) for i in read["intervals"]] == [
            ("tablet", "school", "reported"),
            ("pc", "home", "reported"),
        ]
        pc_home = limit(read, "daily_home", "pc")
        assert pc_home["limit_minutes"] == 120
        assert pc_home["used_minutes"] == 30
        assert pc_home["percent"] == 25
        assert pc_home["threshold_reached"] is None
        assert pc_home["set_code"] == SANPIN
        assert pc_home["clause"] == SANPIN_HOME_DAY
        tablet_school = limit(read, "daily_school", "tablet")
        assert tablet_school["limit_minutes"] == 60
        assert tablet_school["clause"] == SANPIN_SCHOOL_DAY
        rows = await stored_intervals(compliance_app, world)
        assert [(r.device, r.day, r.seconds) for r in rows] == [
            ("tablet", day, 1200),
            ("pc", day, 1800),
        ]
        assert rows[1].started_at == utc(at(day, 16, 0))
        assert rows[1].reported_by == world.id("admin")

    async def test_a_report_sent_twice_is_stored_once(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        batch = [interval(world, "laptop", at(day, 15, 0), at(day, 15, 40))]
        assert ok(await report(client, world, batch))["seconds_added"] == 2400
        again = ok(await report(client, world, batch))
        assert again["seconds_added"] == 0
        assert usage(again["days"][0]) == {("laptop", "home"): 2400}
        rows = await stored_intervals(compliance_app, world)
        assert len(rows) == 1

    async def test_overlapping_and_touching_intervals_are_merged(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        ok(await report(client, world, [interval(world, "pc", at(day, 10, 0), at(day, 10, 30))]))
        added = ok(
            await report(
                client,
                world,
                [
                    interval(world, "pc", at(day, 10, 20), at(day, 10, 50)),
                    # in the same batch: overlapping the previous one, and touching it
                    interval(world, "pc", at(day, 10, 40), at(day, 10, 55)),
                    interval(world, "pc", at(day, 10, 55), at(day, 11, 0)),
                ],
            )
        )
        assert added["seconds_added"] == 30 * 60
        rows = await stored_intervals(compliance_app, world)
        assert [(utc(r.started_at), utc(r.ended_at), r.seconds) for r in rows] == [
            (utc(at(day, 10, 0)), utc(at(day, 11, 0)), 3600)
        ]
        # a gap keeps intervals apart
        ok(await report(client, world, [interval(world, "pc", at(day, 11, 5), at(day, 11, 10))]))
        assert len(await stored_intervals(compliance_app, world)) == 2
        # filling the gap joins them into one
        ok(await report(client, world, [interval(world, "pc", at(day, 10, 59), at(day, 11, 6))]))
        rows = await stored_intervals(compliance_app, world)
        assert [(utc(r.started_at), utc(r.ended_at), r.seconds) for r in rows] == [
            (utc(at(day, 10, 0)), utc(at(day, 11, 10)), 4200)
        ]

    async def test_time_on_one_device_counts_once_whatever_the_place(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        ok(
            await report(
                client,
                world,
                [
                    interval(world, "pc", at(day, 12, 0), at(day, 12, 30), context="school"),
                    interval(world, "pc", at(day, 12, 15), at(day, 12, 45), context="home"),
                    # another device at the same time is its own time
                    interval(world, "tablet", at(day, 12, 0), at(day, 12, 30), context="home"),
                ],
            )
        )
        assert usage(await day_of(client, world, day)) == {
            ("pc", "school"): 1800,
            ("pc", "home"): 900,
            ("tablet", "home"): 1800,
        }

    async def test_an_interval_across_midnight_counts_on_both_days(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day(3)
        ok(
            await report(
                client,
                world,
                [interval(world, "tablet", at(day, 23, 30), at(day + timedelta(days=1), 0, 45))],
            )
        )
        assert usage(await day_of(client, world, day)) == {("tablet", "home"): 1800}
        assert usage(await day_of(client, world, day + timedelta(days=1))) == {
            ("tablet", "home"): 2700
        }

    async def test_the_student_reports_about_themself_without_naming_anyone(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        body = ok(
            await report(
                client,
                world,
                [interval(world, "tablet", at(day, 18, 0), minutes=15, student=None)],
                caller="student",
            )
        )
        assert body["days"][0]["student_id"] == str(world.id("student"))
        (row,) = await stored_intervals(compliance_app, world)
        assert row.reported_by == world.id("student")

    async def test_a_client_app_reports_with_a_service_token(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        response = await client.post(
            f"{API}/intervals",
            json={
                "school_id": str(world.school_id),
                "intervals": [interval(world, "laptop", at(day, 19, 0), minutes=25)],
            },
            headers=service_headers(),
        )
        assert ok(response)["seconds_added"] == 1500

    async def test_an_idempotency_key_replays_the_first_answer(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        batch = [interval(world, "pc", at(day, 20, 0), minutes=10)]
        first = await report(client, world, batch, **{"Idempotency-Key": "st-report-1"})
        second = await report(client, world, batch, **{"Idempotency-Key": "st-report-1"})
        assert ok(first)["seconds_added"] == 600
        assert second.status_code == 200
        assert second.headers.get("Idempotent-Replayed") == "true"
        assert second.json() == first.json()
        assert len(await stored_intervals(compliance_app, world)) == 1


class TestContextFromTimetable:
    async def test_time_inside_a_lesson_of_the_class_is_school_the_rest_home(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        await schedule_lesson(compliance_app, world, day, time(9, 0))  # 09:00–09:40
        ok(
            await report(
                client,
                world,
                [interval(world, "laptop", at(day, 8, 50), at(day, 9, 50), context=None)],
            )
        )
        read = await day_of(client, world, day)
        assert usage(read) == {("laptop", "school"): 2400, ("laptop", "home"): 1200}
        assert {(i["context"], i["context_source"]) for i in read["intervals"]} == {
            ("school", "timetable"),
            ("home", "timetable"),
        }
        assert limit(read, "daily_school", "laptop")["used_minutes"] == 40

    async def test_a_lesson_of_another_class_does_not_count(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        await schedule_lesson(compliance_app, world, day, time(9, 0), class_name="3А")
        ok(
            await report(
                client,
                world,
                [interval(world, "pc", at(day, 9, 0), at(day, 9, 30), context=None)],
            )
        )
        assert usage(await day_of(client, world, day)) == {("pc", "home"): 1800}

    async def test_the_reporters_place_wins_over_the_timetable(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        await schedule_lesson(compliance_app, world, day, time(9, 0))
        ok(
            await report(
                client,
                world,
                [interval(world, "pc", at(day, 9, 0), at(day, 9, 30), context="home")],
            )
        )
        assert usage(await day_of(client, world, day)) == {("pc", "home"): 1800}


class TestAlerts:
    async def test_80_and_100_percent_are_raised_once_each(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()

        async def school_pc(start: tuple[int, int], end: tuple[int, int]) -> dict[str, Any]:
            return ok(
                await report(
                    client,
                    world,
                    [interval(world, "pc", at(day, *start), at(day, *end), context="school")],
                )
            )

        # grade 7, PC at school: 60 minutes a day (табл. 6.8); 80 % is 48 minutes
        below = await school_pc((9, 0), (9, 47))
        assert below["alerts"] == []
        assert limit(below["days"][0], "daily_school", "pc")["percent"] == 78
        first = await school_pc((9, 47), (9, 48))
        assert [
            (a["threshold"], a["used_minutes"], a["limit_minutes"]) for a in first["alerts"]
        ] == [(80, 48, 60)]
        assert (await school_pc((9, 0), (9, 48)))["alerts"] == []  # the same time again
        full = await school_pc((9, 48), (10, 0))
        assert [(a["threshold"], a["used_minutes"]) for a in full["alerts"]] == [(100, 60)]
        assert (await school_pc((10, 0), (10, 5)))["alerts"] == []

        alerts = await stored_alerts(compliance_app, world)
        assert [(a.device, a.measure, a.threshold, a.day) for a in alerts] == [
            ("pc", "daily_school", 80, day),
            ("pc", "daily_school", 100, day),
        ]
        assert {a.clause for a in alerts} == {SANPIN_SCHOOL_DAY}

        events = await alert_events(compliance_app, world)
        assert len(events) == 2
        payload = events[1]
        assert payload["student_id"] == str(world.id("student"))
        assert payload["student_name"] == "Соколов Артём"
        assert payload["class_group_id"] == str(world.class_id("7Б"))
        assert payload["class_name"] == "7Б"
        assert payload["device"] == "pc"
        assert payload["date"] == day.isoformat()
        assert payload["threshold"] == 100
        assert payload["used_minutes"] == 60
        assert payload["limit_minutes"] == 60
        assert payload["measure"] == "daily_school"
        assert payload["context"] == "school"
        assert payload["set_code"] == SANPIN
        assert payload["clause"] == SANPIN_SCHOOL_DAY
        assert payload["rule_id"] == "sanpin-1.2.3685-21:daily_school:pc:g5-9"

        copies = await notifications_of(compliance_app, world)
        assert [(n.recipient_id, n.recipient_role, n.on_behalf_of) for n in copies] == [
            (world.id("student"), "student", None),
            (world.id("guardian"), "guardian", world.id("student")),
        ] * 2
        assert {n.topic for n in copies} == {"screen_time.alert"}
        assert {n.state for n in copies} == {"pending"}
        assert "48 мин из 60 мин" in copies[0].body
        assert copies[2].subject.startswith("Норма времени работы с ЭСО исчерпана")

        listed = await client.get(f"{API}/alerts", headers=world.headers("guardian"))
        assert [a["threshold"] for a in ok(listed)["items"]] == [80, 100]

    async def test_home_time_is_measured_against_the_home_column(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        # grade 7, tablet at home including leisure: 120 minutes; 80 % is 96 minutes
        body = ok(
            await report(client, world, [interval(world, "tablet", at(day, 14, 0), minutes=96)])
        )
        (alert,) = body["alerts"]
        assert (alert["measure"], alert["device"], alert["threshold"]) == (
            "daily_home",
            "tablet",
            80,
        )
        assert alert["limit_minutes"] == 120
        assert alert["clause"] == SANPIN_HOME_DAY

    async def test_a_device_without_a_home_norm_raises_nothing(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        body = ok(
            await report(
                client,
                world,
                [interval(world, "interactive_whiteboard", at(day, 14, 0), minutes=300)],
            )
        )
        assert body["alerts"] == []
        assert body["days"][0]["limits"] == []

    async def test_a_stricter_school_set_is_the_limit(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        created = await client.post(
            "/api/v1/compliance/norms/rule-sets",
            json={
                "code": "screen-strict",
                "title": "Нормы школы",
                "source": "Приказ № 7",
                "effective_from": (day - timedelta(days=10)).isoformat(),
                "effective_to": None,
                "rules": [
                    {
                        "measure": "daily_school",
                        "device": "pc",
                        "grade_from": 5,
                        "grade_to": 9,
                        "limit_minutes": 40,
                        "clause": "Приказ № 7, п. 2",
                    }
                ],
            },
            headers=world.headers("admin"),
        )
        assert created.status_code == 201, created.text
        body = ok(
            await report(
                client,
                world,
                [interval(world, "pc", at(day, 9, 0), minutes=32, context="school")],
            )
        )
        (alert,) = body["alerts"]
        assert (alert["threshold"], alert["limit_minutes"], alert["set_code"]) == (
            80,
            40,
            "screen-strict",
        )
        assert alert["clause"] == "Приказ № 7, п. 2"

    async def test_the_schools_combined_limit_counts_every_device(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        put = await client.put(
            "/api/v1/compliance/norms/settings",
            json={
                "violation_mode": "block",
                "combined_daily_limit_enabled": True,
                "combined_daily_limit_minutes": 50,
            },
            headers=world.headers("admin"),
        )
        assert put.status_code == 200, put.text
        body = ok(
            await report(
                client,
                world,
                [
                    interval(world, "pc", at(day, 14, 0), minutes=25),
                    interval(world, "tablet", at(day, 15, 0), minutes=25, context="school"),
                ],
            )
        )
        assert [(a["device"], a["measure"], a["threshold"]) for a in body["alerts"]] == [
            ("all", "combined_daily", 80),
            ("all", "combined_daily", 100),
        ]


def _shift(item: dict[str, Any], **changes: Any) -> dict[str, Any]:
    out = {**item, **changes}
    return {k: v for k, v in out.items() if v is not None}


class TestBadInput:
    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"device": "smartphone"}, "unknown-device-type"),
            ({"minutes": -5}, "minutes-out-of-range"),
            ({"minutes": 0}, "minutes-out-of-range"),
            ({"minutes": 100_000}, "minutes-out-of-range"),
            ({"ended_at": "before"}, "interval-end-before-start"),
            ({"ended_at": "same"}, "interval-end-before-start"),
            ({"ended_at": "two-days"}, "interval-too-long"),
            ({"started_at": "future"}, "interval-in-future"),
            ({"started_at": "old"}, "interval-too-old"),
            ({"started_at": "naive"}, "interval-timezone-required"),
            ({"ended_at": "both"}, "interval-end-required"),
            ({"student_id": None}, "student-required"),
        ],
    )
    async def test_refused_with_nothing_stored(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        change: dict[str, Any],
        code: str,
    ) -> None:
        day = recent_day()
        start = at(day, 10, 0)
        good = interval(world, "pc", start, at(day, 10, 30))
        bad = dict(good)
        for key, value in change.items():
            if key == "ended_at":
                bad["ended_at"] = {
                    "before": (start - timedelta(minutes=1)).isoformat(),
                    "same": start.isoformat(),
                    "two-days": (start + timedelta(days=1, minutes=1)).isoformat(),
                    "both": bad["ended_at"],
                }[value]
                if value == "both":
                    bad["minutes"] = 30
            elif key == "started_at":
                moment = {
                    "future": at(recent_day(-3), 10, 0),
                    "old": at(day - timedelta(days=60), 10, 0),
                    "naive": start,
                }[value]
                bad["started_at"] = (
                    moment.replace(tzinfo=None).isoformat()
                    if value == "naive"
                    else moment.isoformat()
                )
                if value != "naive":
                    bad.pop("ended_at")
                    bad["minutes"] = 30
            elif key == "minutes":
                bad.pop("ended_at")
                bad["minutes"] = value
            elif value is None:
                bad.pop(key)
            else:
                bad[key] = value
        # a good interval first: one bad interval refuses the whole batch
        response = await report(client, world, [good, bad])
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"] == f"urn:eo:problem:{code}"
        assert problem["detail"].startswith("Интервал №2")
        assert problem["errors"][0]["field"].startswith("body.intervals.1")
        assert await school_counts(compliance_app, world) == (0, 0, 0, 0)

    async def test_a_student_of_another_school_is_not_found(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        other_world: World,
    ) -> None:
        day = recent_day()
        response = await report(
            client,
            world,
            [
                interval(world, "pc", at(day, 10, 0), minutes=5),
                interval(other_world, "pc", at(day, 11, 0), minutes=5),
            ],
        )
        assert response.status_code == 404, response.text
        assert response.json()["type"] == "urn:eo:problem:student-not-found"
        assert "обучающийся" in response.json()["detail"]
        assert await school_counts(compliance_app, world) == (0, 0, 0, 0)
        assert await school_counts(compliance_app, other_world) == (0, 0, 0, 0)

    async def test_a_teacher_is_no_student(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        response = await report(
            client, world, [interval(world, "pc", at(day, 10, 0), minutes=5, student="teacher")]
        )
        assert response.status_code == 404
        assert await school_counts(compliance_app, world) == (0, 0, 0, 0)

    async def test_a_batch_larger_than_the_setting_is_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        day = recent_day()
        limit_ = compliance_app.state.settings.screen_time_max_batch
        batch = [
            interval(world, "pc", at(day, 0, 0) + timedelta(seconds=i), minutes=1)
            for i in range(limit_ + 1)
        ]
        response = await report(client, world, batch)
        assert response.status_code == 422
        assert response.json()["type"] == "urn:eo:problem:batch-too-large"
        assert await school_counts(compliance_app, world) == (0, 0, 0, 0)

    async def test_reversed_alert_period_is_refused(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get(
            f"{API}/alerts",
            params={"date_from": "2026-11-20", "date_to": "2026-11-10"},
            headers=world.headers("admin"),
        )
        assert response.status_code == 422
        assert response.json()["type"] == "urn:eo:problem:date-range-reversed"
