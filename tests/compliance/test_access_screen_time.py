"""Who may report and read actual screen time (CO-3, X-7).

* report: the student about themself, a linked guardian, staff, admin and services
  (with ``school_id``); a teacher gets 403; another child, another student or a student
  of another school is 404;
* a day: the student themself, a linked guardian, a teacher of the student's class,
  staff and admin; another child / another class / another school is 404; services 403;
* alerts: everyone signed in sees those they may see (scoped), naming a student they may
  not see is 404; services 403;
* anonymous: 401 everywhere.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from tests.compliance.screen_time_support import (
    API,
    at,
    interval,
    recent_day,
    report,
    schedule_lesson,
)
from tests.support.access_check import expect
from tests.support.service_world import World, service_headers

COVERED: set[str] = {
    "compliance_report_screen_time",
    "compliance_get_student_screen_time_day",
    "compliance_list_screen_time_alerts",
}


class TestReport:
    async def test_who_may_report_about_whom(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        day = recent_day()
        minute = iter(range(0, 600, 2))

        def about(student: str) -> dict[str, Any]:
            start = at(day, 6, 0) + timedelta(minutes=next(minute))
            return {"intervals": [interval(world, "pc", start, minutes=1, student=student)]}

        url = f"{API}/intervals"
        await expect(
            client,
            "POST",
            url,
            world,
            other_world,
            {
                "anonymous": 401,
                "student": 200,
                "guardian": 200,
                "staff": 200,
                "admin": 200,
                "teacher": 403,
                "other:admin": 404,
            },
            json=lambda caller: about("student"),
        )
        # another child, another student
        await expect(
            client,
            "POST",
            url,
            world,
            other_world,
            {"student": 404, "guardian": 404, "guardian2": 200, "admin": 200},
            json=lambda caller: about("student2"),
        )
        # services name the school
        ok = await client.post(
            url,
            json={"school_id": str(world.school_id), **about("student")},
            headers=service_headers(),
        )
        assert ok.status_code == 200, ok.text
        no_school = await client.post(url, json=about("student"), headers=service_headers())
        assert no_school.status_code == 422
        assert no_school.json()["type"] == "urn:eo:problem:school-id-required"
        wrong_school = await client.post(
            url,
            json={"school_id": str(other_world.school_id), **about("student")},
            headers=service_headers(),
        )
        assert wrong_school.status_code == 404


class TestReads:
    async def test_a_day_of_a_student(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        other_world: World,
    ) -> None:
        day = recent_day()
        url = f"{API}/students/{world.id('student')}/days/{day.isoformat()}"
        await expect(
            client,
            "GET",
            url,
            world,
            other_world,
            {
                "anonymous": 401,
                "student": 200,
                "student2": 404,
                "guardian": 200,
                "guardian2": 404,
                "teacher": 200,  # homeroom teacher of 7Б
                "teacher2": 404,  # 3А only
                "staff": 200,
                "admin": 200,
                "other:admin": 404,
                "other:guardian": 404,
            },
        )
        assert (await client.get(url, headers=service_headers())).status_code == 403
        # a teacher of a course of the class sees its students too
        await schedule_lesson(compliance_app, world, day, time(9, 0), teachers=("teacher2",))
        course_teacher = await client.get(url, headers=world.headers("teacher2"))
        assert course_teacher.status_code == 200, course_teacher.text

    async def test_alerts(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        day = recent_day()
        raised = await report(
            client, world, [interval(world, "tablet", at(day, 14, 0), minutes=100)]
        )
        assert [a["threshold"] for a in raised.json()["alerts"]] == [80]
        seen: dict[str, int] = {}
        for caller in ("student", "student2", "guardian", "guardian2", "teacher", "teacher2"):
            response = await client.get(f"{API}/alerts", headers=world.headers(caller))
            assert response.status_code == 200, response.text
            seen[caller] = len(response.json()["items"])
        assert seen == {
            "student": 1,
            "student2": 0,
            "guardian": 1,
            "guardian2": 0,
            "teacher": 1,
            "teacher2": 0,
        }
        await expect(
            client,
            "GET",
            f"{API}/alerts",
            world,
            other_world,
            {
                "anonymous": 401,
                "admin": 200,
                "staff": 200,
                "guardian": 200,
                "guardian2": 404,
                "student2": 404,
                "teacher2": 404,
                "other:admin": 404,
            },
            params={"student_id": str(world.id("student"))},
        )
        other = await client.get(f"{API}/alerts", headers=other_world.headers("admin"))
        assert other.json()["items"] == []
        assert (await client.get(f"{API}/alerts", headers=service_headers())).status_code == 403
