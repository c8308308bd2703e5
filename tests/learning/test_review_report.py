"""The same-day review report (LE-7, Reg §2.3, X-1) across a school-day boundary in the
school's time zone (Europe/Samara, UTC+4; the school day ends at 18:00 by default).

The works of the story, all of school 7Б:

======  =========  ==================  ===========================  ====================
course  work       received (local)    reviewed (local)             report of 24.11
======  =========  ==================  ===========================  ====================
X       A1 st2     24.11 09:00         24.11 17:59                  left out (in time)
Y       A3 st      24.11 12:00         never                        unreviewed
Y       A4 st2 v1  24.11 14:00         superseded by v2 25.11 09:00 left out (not latest)
X       A1 st      24.11 17:30         24.11 18:30                  reviewed_late
X       A2 st      24.11 23:00 (19:00  due 25.11 18:00              pending, then
                   UTC)                                             unreviewed
X       A2 st2     25.11 01:30 (21:30  —                            left out: it is the
                   UTC on 24.11)                                    25th in Samara
======  =========  ==================  ===========================  ====================

Course X is taught by teacher and teacher2, course Y by teacher alone.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.learning.assignments_support import (
    API,
    FakeClock,
    create_assignment,
    install_clock,
    make_course,
    problem,
    review,
    set_school_settings,
    submit,
)
from tests.support.service_world import World


class Story:
    def __init__(self) -> None:
        self.works: dict[str, str] = {}  # label → submission id
        self.assignments: dict[str, str] = {}


@pytest.fixture
async def story(
    learning_app: FastAPI, client: httpx.AsyncClient, world: World
) -> tuple[Story, FakeClock]:
    clock = install_clock(learning_app)
    s = Story()
    x = await make_course(learning_app, world, teachers=["teacher", "teacher2"], subject="Алгебра")
    y = await make_course(learning_app, world, teachers=["teacher"], subject="Геометрия")
    clock.set_local(datetime(2026, 11, 20, 10, 0))
    for label, course in (("A1", x), ("A2", x), ("A3", y), ("A4", y)):
        a = await create_assignment(
            client, world, course, title=f"Задание {label}", due_at="2026-11-30T18:00:00"
        )
        s.assignments[label] = a["id"]

    async def send(label: str, who: str, when: datetime, key: str) -> None:
        clock.set_local(when)
        r = await submit(client, world, s.assignments[label], as_=who)
        assert r.status_code == 201, r.text
        s.works[key] = r.json()["id"]

    async def check(key: str, when: datetime, who: str = "teacher") -> None:
        clock.set_local(when)
        r = await review(client, world, s.works[key], as_=who)
        assert r.status_code == 201, r.text

    await send("A1", "student2", datetime(2026, 11, 24, 9, 0), "A1 st2")
    await send("A3", "student", datetime(2026, 11, 24, 12, 0), "A3 st")
    await send("A4", "student2", datetime(2026, 11, 24, 14, 0), "A4 st2 v1")
    await send("A1", "student", datetime(2026, 11, 24, 17, 30), "A1 st")
    await check("A1 st2", datetime(2026, 11, 24, 17, 59), who="teacher2")
    await check("A1 st", datetime(2026, 11, 24, 18, 30))
    await send("A2", "student", datetime(2026, 11, 24, 23, 0), "A2 st")
    await send("A2", "student2", datetime(2026, 11, 25, 1, 30), "A2 st2")
    await send("A4", "student2", datetime(2026, 11, 25, 9, 0), "A4 st2 v2")
    clock.set_local(datetime(2026, 11, 25, 10, 0))
    return s, clock


async def report(
    client: httpx.AsyncClient, world: World, who: str = "admin", **params: str
) -> dict[str, Any]:
    r = await client.get(f"{API}/reports/unreviewed", params=params, headers=world.headers(who))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def states(line: dict[str, Any], s: Story) -> dict[str, str]:
    names = {v: k for k, v in s.works.items()}
    return {names[w["submission_id"]]: w["state"] for w in line["works"]}


def line_of(body: dict[str, Any], world: World, teacher: str) -> dict[str, Any]:
    (line,) = [t for t in body["teachers"] if t["teacher_id"] == str(world.id(teacher))]
    found: dict[str, Any] = line
    return found


class TestSameDayReport:
    async def test_works_are_checked_against_the_end_of_their_school_day(
        self, client: httpx.AsyncClient, world: World, story: tuple[Story, FakeClock]
    ) -> None:
        s, clock = story
        body = await report(client, world, date="2026-11-24")
        assert body["date"] == "2026-11-24"
        assert body["timezone"] == "Europe/Samara"
        assert body["school_day_ends_at"] == "18:00"
        teacher = line_of(body, world, "teacher")
        assert states(teacher, s) == {
            "A3 st": "unreviewed",
            "A1 st": "reviewed_late",
            "A2 st": "pending",
        }
        assert (teacher["overdue"], teacher["unreviewed"], teacher["pending"]) == (2, 1, 1)
        assert teacher["teacher_name"] == "Иванова Анна"
        # teacher2 teaches course X only
        assert states(line_of(body, world, "teacher2"), s) == {
            "A1 st": "reviewed_late",
            "A2 st": "pending",
        }
        assert (body["overdue"], body["unreviewed"], body["pending"]) == (2, 1, 1)

        late = next(w for w in teacher["works"] if w["submission_id"] == s.works["A1 st"])
        assert late["received_local"] == "2026-11-24T17:30:00+04:00"
        assert late["review_due_local"] == "2026-11-24T18:00:00+04:00"
        assert datetime.fromisoformat(late["reviewed_at"]) == datetime(
            2026, 11, 24, 14, 30, tzinfo=UTC
        )
        assert late["student_name"] == "Соколов Артём"
        assert late["subject"] == "Алгебра"
        assert late["assignment_title"] == "Задание A1"

        # after the school day ended at 23:00 local (19:00 UTC): due by the end of the
        # next day, and still counted on the day it arrived
        night = next(w for w in teacher["works"] if w["submission_id"] == s.works["A2 st"])
        assert night["received_local"] == "2026-11-24T23:00:00+04:00"
        assert datetime.fromisoformat(night["received_at"]) == datetime(
            2026, 11, 24, 19, 0, tzinfo=UTC
        )
        assert night["review_due_local"] == "2026-11-25T18:00:00+04:00"

        clock.set_local(datetime(2026, 11, 25, 18, 0))
        body = await report(client, world, date="2026-11-24")
        assert states(line_of(body, world, "teacher"), s)["A2 st"] == "unreviewed"

    async def test_a_work_is_attributed_to_the_schools_date_not_the_utc_one(
        self, client: httpx.AsyncClient, world: World, story: tuple[Story, FakeClock]
    ) -> None:
        s, _clock = story
        # 01:30 in Samara on the 25th is 21:30 UTC on the 24th
        day24 = await report(client, world, date="2026-11-24")
        assert all(
            w["submission_id"] != s.works["A2 st2"] for t in day24["teachers"] for w in t["works"]
        )
        day25 = await report(client, world, date="2026-11-25")
        assert states(line_of(day25, world, "teacher"), s) == {
            "A2 st2": "pending",
            "A4 st2 v2": "pending",
        }
        work = next(
            w
            for w in line_of(day25, world, "teacher")["works"]
            if w["submission_id"] == s.works["A2 st2"]
        )
        assert work["review_due_local"] == "2026-11-25T18:00:00+04:00"
        # without a date: today at the school (the 25th)
        assert (await report(client, world))["date"] == "2026-11-25"

    async def test_a_superseded_version_leaves_the_day_it_arrived(
        self, client: httpx.AsyncClient, world: World, story: tuple[Story, FakeClock]
    ) -> None:
        s, _clock = story
        day24 = await report(client, world, date="2026-11-24")
        labels = {k for t in day24["teachers"] for k in states(t, s)}
        assert "A4 st2 v1" not in labels
        assert "A1 st2" not in labels  # reviewed in time

    async def test_the_end_of_the_school_day_is_the_schools_setting(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        story: tuple[Story, FakeClock],
    ) -> None:
        s, _clock = story
        await set_school_settings(learning_app, world, school_day_ends_at=time(17, 0))
        body = await report(client, world, date="2026-11-24")
        assert body["school_day_ends_at"] == "17:00"
        # A1 st (17:30) arrived after the day ended: due the 25th at 17:00, reviewed in
        # time on the 24th; A1 st2 (09:00) was reviewed at 17:59, after 17:00
        assert states(line_of(body, world, "teacher"), s) == {
            "A1 st2": "reviewed_late",
            "A3 st": "unreviewed",
            "A2 st": "pending",
        }
        assert states(line_of(body, world, "teacher2"), s) == {
            "A1 st2": "reviewed_late",
            "A2 st": "pending",
        }


class TestWhoSeesTheReport:
    async def test_a_teacher_sees_their_own_line_only(
        self, client: httpx.AsyncClient, world: World, story: tuple[Story, FakeClock]
    ) -> None:
        s, _clock = story
        body = await report(client, world, "teacher2", date="2026-11-24")
        assert [t["teacher_id"] for t in body["teachers"]] == [str(world.id("teacher2"))]
        assert set(states(body["teachers"][0], s)) == {"A1 st", "A2 st"}
        same = await report(
            client, world, "teacher2", date="2026-11-24", teacher_id=str(world.id("teacher2"))
        )
        assert same["teachers"] == body["teachers"]
        r = await client.get(
            f"{API}/reports/unreviewed",
            params={"teacher_id": str(world.id("teacher"))},
            headers=world.headers("teacher2"),
        )
        problem(r, 403, "report-forbidden")

    async def test_admins_and_staff_see_the_school_or_one_teacher(
        self,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        story: tuple[Story, FakeClock],
    ) -> None:
        staff = await report(client, world, "staff", date="2026-11-24")
        assert {t["teacher_id"] for t in staff["teachers"]} == {
            str(world.id("teacher")),
            str(world.id("teacher2")),
        }
        one = await report(
            client, world, "admin", date="2026-11-24", teacher_id=str(world.id("teacher2"))
        )
        assert [t["teacher_id"] for t in one["teachers"]] == [str(world.id("teacher2"))]
        for who in ("student", "guardian"):
            r = await client.get(f"{API}/reports/unreviewed", headers=world.headers(who))
            problem(r, 403, "report-forbidden")
        for teacher_id in (world.id("student"), other_world.id("teacher"), uuid.uuid4()):
            r = await client.get(
                f"{API}/reports/unreviewed",
                params={"teacher_id": str(teacher_id)},
                headers=world.headers("admin"),
            )
            problem(r, 404, "teacher-not-found")
        # another school's report has none of these works
        other = await report(client, other_world, "admin", date="2026-11-24")
        assert other["teachers"] == []
        r = await client.get(
            f"{API}/reports/unreviewed",
            params={"date": "24.11.2026"},
            headers=world.headers("admin"),
        )
        problem(r, 422, "validation-error")
