"""The §3.9 opt-out story through the gateway (CO-4, LE-12).

A guardian files an application in compliance, the administration registers it, the
registration reaches learning over compliance's change feed, and learning then refuses
a distance-only assignment for the child's class without an in-person or paper
alternative, accepts it with one, and the child sees the alternative. A 17-year-old's
own application is refused, an 18-year-old's accepted (both made through identity's API
in a new 11th grade), and a 3rd-grader's application is refused.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from tests.support.platform import Platform, bearer

ALT = "Очно: задания на бумаге у классного руководителя, консультация по средам в 15:00"
SCHOOL_TZ = ZoneInfo("Europe/Samara")


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


async def test_an_opt_out_from_filing_to_the_students_timetable(platform: Platform) -> None:
    gw = platform.gateway
    today = datetime.now(SCHOOL_TZ).date()
    admin = await platform.headers("demo-admin")
    teacher = await platform.headers("demo-teacher")
    guardian = await platform.headers("demo-guardian")
    student = await platform.headers("demo-student")
    student_id = (await platform.me("demo-student"))["id"]
    r = await gw.get("/api/v1/identity/class-groups", headers=admin)
    assert r.status_code == 200, r.text
    classes = {g["name"]: g for g in r.json()["items"]}

    # a course of 7Б in learning (once learning's replica knows the class)
    async def course() -> dict[str, Any] | None:
        r = await gw.post(
            "/api/v1/learning/courses",
            json={
                "subject": "Математика",
                "class_group_id": classes["7Б"]["id"],
                "teacher_ids": [(await platform.me("demo-teacher"))["id"]],
            },
            headers=teacher,
        )
        return dict(r.json()) if r.status_code == 201 else None

    maths = await platform.wait_for(course, what="learning's replica of the directory")

    # the guardian files (once compliance's replica knows the family); nothing is stored
    # while it does not
    application = {
        "student_id": student_id,
        "document_date": today.isoformat(),
        "document_number": "б/н",
        "reason": "Прошу обучать сына без применения ЭО и ДОТ",
    }

    async def filed() -> dict[str, Any] | None:
        r = await gw.post("/api/v1/compliance/optouts", json=application, headers=guardian)
        if r.status_code == 201:
            return dict(r.json())
        assert r.status_code in (404, 422), r.text
        return None

    optout = await platform.wait_for(filed, what="compliance's replica of the directory")
    assert optout["status"] == "submitted"
    assert optout["filed_by_role"] == "guardian"

    r = await gw.post(
        f"/api/v1/compliance/optouts/{optout['id']}/register",
        json={"registration_number": "вх-101", "comment": "Обучение очно"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "registered"
    assert [h["to_status"] for h in r.json()["history"]] == ["submitted", "registered"]

    # the registration reaches learning over compliance's feed: the teacher sees it
    async def opted_out() -> list[dict[str, Any]] | None:
        r = await gw.get(f"/api/v1/learning/courses/{maths['id']}/optout-students", headers=teacher)
        assert r.status_code == 200, r.text
        return list(r.json()["students"]) or None

    (listed,) = await platform.wait_for(opted_out, what="learning's replica of opt-outs")
    assert listed["id"] == student_id
    assert listed["optout_id"] == optout["id"]
    r = await gw.get("/api/v1/compliance/optouts/students", headers=teacher)
    assert [s["student"]["id"] for s in r.json()] == [student_id]

    # a distance-only assignment for 7Б without an alternative: refused, naming the child
    due = (datetime.now(SCHOOL_TZ) + timedelta(days=3)).replace(tzinfo=None, microsecond=0)
    assignment = {
        "course_id": maths["id"],
        "title": "Дроби: задачи 1–5",
        "due_at": due.isoformat(),
        "delivery_form": "distance",
    }
    r = await gw.post("/api/v1/learning/assignments", json=assignment, headers=teacher)
    assert r.status_code == 422, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    problem = r.json()
    assert problem["type"] == "urn:eo:problem:optout-alternative-required"
    assert [s["id"] for s in problem["students"]] == [student_id]
    r = await gw.get("/api/v1/learning/assignments", headers=teacher)
    assert r.json()["items"] == []

    r = await gw.post(
        "/api/v1/learning/assignments", json={**assignment, "alternative": ALT}, headers=teacher
    )
    assert r.status_code == 201, r.text

    # the student sees the alternative, in assignments and in the timetable
    r = await gw.get("/api/v1/learning/assignments", headers=student)
    (mine,) = r.json()["items"]
    assert mine["alternative"] == ALT
    assert mine["opted_out"] is True
    lesson = {
        "date": today.isoformat(),
        "starts_at": "23:00",
        "delivery_form": "distance",
        "video_room_url": "https://sferum.ru/?call_link=demo",
    }
    r = await gw.post(
        f"/api/v1/learning/courses/{maths['id']}/lessons", json=lesson, headers=teacher
    )
    assert r.status_code == 422, r.text
    r = await gw.post(
        f"/api/v1/learning/courses/{maths['id']}/lessons",
        json={**lesson, "alternative": ALT},
        headers=teacher,
    )
    assert r.status_code == 201, r.text
    r = await gw.get(
        "/api/v1/learning/timetable",
        params={"from": today.isoformat(), "to": today.isoformat()},
        headers=student,
    )
    assert r.status_code == 200, r.text
    (day_lesson,) = r.json()["lessons"]
    assert day_lesson["alternative"] == ALT
    assert day_lesson["opted_out"] is True
    assert day_lesson["video_room_url"] is None

    # a 3rd-grader's application is refused citing §3.9
    student3_id = (await platform.me("demo-student3"))["id"]
    r = await gw.post(
        "/api/v1/compliance/optouts",
        json={**application, "student_id": student3_id},
        headers=await platform.headers("demo-guardian2"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["type"] == "urn:eo:problem:optout-primary-not-allowed"
    assert "§3.9" in r.json()["detail"]

    # a 17-year-old and an 18-year-old of a new 11th grade file for themselves
    r = await gw.post(
        "/api/v1/identity/class-groups", json={"grade": 11, "letter": "А"}, headers=admin
    )
    assert r.status_code == 201, r.text
    eleven = r.json()["id"]
    born = {
        "demo-minor": years_before(today, 18) + timedelta(days=1),
        "demo-adult": years_before(today, 18),
    }
    tokens: dict[str, dict[str, str]] = {}
    ids: dict[str, str] = {}
    for username, birth_date in born.items():
        r = await gw.post(
            "/api/v1/identity/users",
            json={
                "username": username,
                "last_name": "Орлов",
                "first_name": "Пётр",
                "birth_date": birth_date.isoformat(),
                "roles": ["student"],
            },
            headers=admin,
        )
        assert r.status_code == 201, r.text
        ids[username] = r.json()["user"]["id"]
        initial = r.json()["initial_password"]
        r = await gw.post(
            f"/api/v1/identity/class-groups/{eleven}/students",
            json={"student_id": ids[username]},
            headers=admin,
        )
        assert r.status_code == 201, r.text
        r = await gw.post(
            "/api/v1/identity/password/initial",
            json={
                "username": username,
                "current_password": initial,
                "new_password": "Secret-password-2026",
            },
        )
        assert r.status_code == 200, r.text
        tokens[username] = bearer(r.json()["access_token"])

    async def own(username: str, wanted: int) -> httpx.Response | None:
        r = await gw.post(
            "/api/v1/compliance/optouts",
            json={**application, "student_id": ids[username]},
            headers=tokens[username],
        )
        return r if r.status_code == wanted else None

    r = await platform.wait_for(lambda: own("demo-minor", 403), what="the 11th grade in compliance")
    assert r.json()["type"] == "urn:eo:problem:optout-student-under-18"
    r = await platform.wait_for(lambda: own("demo-adult", 201), what="the 11th grade in compliance")
    assert r.json()["filed_by_role"] == "student"
    assert r.json()["level"] == "secondary"
    r = await gw.get("/api/v1/compliance/optouts", headers=admin)
    assert sorted(i["student"]["id"] for i in r.json()["items"]) == sorted(
        [student_id, ids["demo-adult"]]
    )
