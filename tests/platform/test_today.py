"""GW-4 through the whole platform: the "today" view of a student, a guardian and a
teacher of the demo school, composed by the gateway from the four services — and still
answered, with the journal's part marked unavailable, when the journal is stopped."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from gateway.today_schemas import TodayView
from tests.support.platform import Platform, running_platform

TODAY = "/api/v1/gateway/today"
SAMARA = ZoneInfo("Europe/Samara")  # the demo school's time zone
ROOM = "https://sferum.example/rooms/7b-math"


@pytest.fixture
async def platform(db_backend: str) -> AsyncIterator[Platform]:
    """The platform with a roomy composition budget: on a loaded test machine a service
    may take more than the production default of 2 s; the budget itself is proven in
    tests/gateway/test_today.py."""
    async with running_platform(db_backend, gateway={"compose_budget_seconds": 15.0}) as p:
        yield p


async def _created(platform: Platform, url: str, body: dict[str, Any], headers: Any) -> Any:
    """POST until the service knows what the body names (it learns it from a feed)."""

    async def attempt() -> dict[str, Any] | None:
        r = await platform.gateway.post(url, json=body, headers=headers)
        return dict(r.json()) if r.status_code == 201 else None

    return await platform.wait_for(attempt, what=f"POST {url}")


async def _today(platform: Platform, username: str, **params: str) -> dict[str, Any]:
    response = await platform.gateway.get(
        TODAY, params=params, headers=await platform.headers(username)
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    TodayView.model_validate(body)
    return body


async def test_today_of_student_guardian_and_teacher_and_with_journal_down(
    platform: Platform,
) -> None:
    gw = platform.gateway
    teacher = await platform.headers("demo-teacher")
    student = await platform.headers("demo-student")
    teacher_id = (await platform.me("demo-teacher"))["id"]
    student_id = (await platform.me("demo-student"))["id"]
    day = datetime.now(SAMARA).date()

    groups = await gw.get("/api/v1/identity/class-groups", headers=teacher)
    assert groups.status_code == 200, groups.text
    class_id = next(g["id"] for g in groups.json()["items"] if g["name"] == "7Б")

    # a course of 7Б, a distance lesson today with a video room, an assignment due today
    course = await _created(
        platform,
        "/api/v1/learning/courses",
        {"subject": "Математика", "class_group_id": class_id, "teacher_ids": [teacher_id]},
        teacher,
    )
    lesson = await _created(
        platform,
        f"/api/v1/learning/courses/{course['id']}/lessons",
        {
            "date": day.isoformat(),
            "starts_at": "09:00",
            "duration_minutes": 30,
            "lesson_number": 1,
            "delivery_form": "distance",
            "video_room_url": ROOM,
            "devices": [{"device": "pc", "minutes": 10, "kind": "viewing"}],
            "homework": "№ 12, 14",
        },
        teacher,
    )
    assignment = await _created(
        platform,
        "/api/v1/learning/assignments",
        {
            "course_id": course["id"],
            "title": "Дроби: самостоятельная работа",
            "due_at": datetime.combine(day, time(23, 30)).isoformat(),
        },
        teacher,
    )
    # the student hands the work in: it waits for the teacher's review today
    handed_in = await gw.post(
        f"/api/v1/learning/assignments/{assignment['id']}/submissions",
        data={"text": "Мой ответ"},
        headers=student,
    )
    assert handed_in.status_code == 201, handed_in.text
    # a mark with a comment in the journal (which learns the course from learning's feed)
    mark = await _created(
        platform,
        "/api/v1/journal/marks",
        {
            "course_id": course["id"],
            "student_id": student_id,
            "value": "5",
            "date": day.isoformat(),
            "comment": "Отличное решение",
        },
        teacher,
    )

    # -- the student ------------------------------------------------------------------
    view = await _today(platform, "demo-student")
    assert view["date"] == day.isoformat()
    assert view["timezone"] == "Europe/Samara"
    assert view["guardian"] is None
    assert view["teacher"] is None
    block = view["student"]
    assert block["student"]["id"] == student_id
    assert block["student"]["last_name"] == "Иванов"
    sections = block["sections"]
    [today_lesson] = sections["lessons"]["items"]
    assert today_lesson["id"] == lesson["id"]
    assert today_lesson["delivery_form"] == "distance"
    assert today_lesson["video_room_url"] == ROOM
    assert today_lesson["homework"] == "№ 12, 14"
    assert [a["id"] for a in sections["assignments"]["items"]] == [assignment["id"]]
    assert sections["assignments"]["items"][0]["submitted"] is True
    [new_mark] = sections["marks"]["items"]
    assert new_mark["id"] == mark["id"]
    assert new_mark["subject"] == "Математика"
    assert new_mark["comment"] == "Отличное решение"
    assert sections["screen_time"]["status"] == "ok"
    assert sections["screen_time"]["used_minutes"] == 0
    assert view["partial"] is False, view["unavailable_services"]

    # -- the guardian: one block, for the linked child ----------------------------------
    view = await _today(platform, "demo-guardian")
    assert view["student"] is None
    guardian = view["guardian"]
    assert guardian["status"] == "ok"
    [child] = guardian["children"]
    assert child["student"]["id"] == student_id
    assert [ls["id"] for ls in child["sections"]["lessons"]["items"]] == [lesson["id"]]
    assert [m["id"] for m in child["sections"]["marks"]["items"]] == [mark["id"]]

    # another guardian sees nothing of this child
    other = await _today(platform, "demo-guardian2")
    [child3] = other["guardian"]["children"]
    assert child3["student"]["id"] != student_id
    assert child3["sections"]["lessons"]["items"] == []
    assert child3["sections"]["marks"]["items"] == []

    # -- the teacher: lessons, the work waiting for review, plan checks ------------------
    view = await _today(platform, "demo-teacher")
    assert view["student"] is None
    t = view["teacher"]["sections"]
    assert [ls["id"] for ls in t["lessons"]["items"]] == [lesson["id"]]
    [work] = t["reviews"]["items"]
    assert work["assignment_id"] == assignment["id"]
    assert work["student_id"] == student_id
    assert work["state"] == "pending"
    assert t["compliance"]["status"] == "ok", t["compliance"]
    assert t["compliance"]["checked_lessons"] == 1

    # -- the journal stops: the view still answers, the marks part says why -------------
    await platform.stop("journal")
    response = await platform.gateway.get(TODAY, headers=student)
    assert response.status_code == 200, response.text
    view = response.json()
    assert view["partial"] is True
    assert view["unavailable_services"] == ["journal"]
    sections = view["student"]["sections"]
    assert sections["marks"]["status"] == "unavailable"
    assert sections["marks"]["detail"] == "Сервис journal недоступен"
    assert [ls["id"] for ls in sections["lessons"]["items"]] == [lesson["id"]]

    # anonymous callers are refused at the edge
    anonymous = await platform.gateway.get(TODAY)
    assert anonymous.status_code == 401
