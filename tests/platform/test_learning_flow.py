"""The learning story through the gateway (LE-1 … LE-7, Reg §1.5, §1.6, §2.2–2.5).

The whole platform runs (identity with the demo school, learning, journal, compliance,
the gateway); learning sends its e-mail to a real SMTP server (aiosmtpd) started here.
A teacher creates a course, imports its КТП from CSV, generates a week of lessons from a
weekly template (with screen devices: compliance checks them, over HTTP, with learning's
service token from identity), publishes an assignment (the e-mail reaches the student
and the guardian), the student submits twice (both versions kept), the teacher reviews
with a text comment and an audio file, the student opens the feedback (the first
opening recorded), ``review.completed`` with the mark appears in learning's change feed
and — over that feed — the mark appears in the journal for the student.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.learning.assignments_support import MP3
from tests.learning.notifications_support import MailHandler, smtp_server
from tests.support.platform import Platform, running_platform

L = "/api/v1/learning"
J = "/api/v1/journal"

KTP = (
    "№;Раздел;Тема;Часы;Дата\n"
    "1;Обыкновенные дроби;Понятие дроби;1;02.09.2026\n"
    '2;Обыкновенные дроби;"Сравнение дробей; правила";1,5;04.09.2026\n'
    "3;Десятичные дроби;Запись десятичных дробей;2;2026-09-15\n"
)


@pytest.fixture
def smtp() -> Iterator[tuple[MailHandler, int]]:
    with smtp_server() as server:
        yield server


def ok(r: httpx.Response, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


async def test_a_teachers_week_through_the_gateway(
    db_backend: str, smtp: tuple[MailHandler, int]
) -> None:
    mail, port = smtp
    learning = {
        "notifications_enabled": True,
        "notification_poll_seconds": 0.2,
        "smtp_host": "127.0.0.1",
        "smtp_port": port,
    }
    async with running_platform(db_backend, learning=learning) as platform:
        await story(platform, mail)


async def story(platform: Platform, mail: MailHandler) -> None:
    gw = platform.gateway
    teacher = await platform.headers("demo-teacher")
    student = await platform.headers("demo-student")
    admin = await platform.headers("demo-admin")
    me = {name: await platform.me(name) for name in ("demo-teacher", "demo-student")}
    student_id = me["demo-student"]["id"]

    # identity's class 7Б; learning knows it once the directory has come over the feed
    groups = ok(await gw.get("/api/v1/identity/class-groups", headers=teacher))
    items = groups["items"] if isinstance(groups, dict) else groups
    class_7b = next(g["id"] for g in items if g["name"] == "7Б")

    async def course_created() -> dict[str, Any] | None:
        r = await gw.post(
            f"{L}/courses",
            json={
                "subject": "Математика",
                "class_group_id": class_7b,
                "teacher_ids": [me["demo-teacher"]["id"]],
                "delivery": "blended",
            },
            headers=teacher,
        )
        return r.json() if r.status_code == 201 else None

    course = await platform.wait_for(course_created, what="learning's replica of 7Б")
    cid = course["id"]
    assert course["level"] == "basic"

    # the КТП from a CSV file
    r = await gw.post(
        f"{L}/courses/{cid}/topics/import",
        content=KTP.encode(),
        headers={**teacher, "Content-Type": "text/csv; charset=utf-8"},
    )
    plan = ok(r)
    topics = plan["topics"] if isinstance(plan, dict) and "topics" in plan else plan
    assert [t["title"] for t in topics] == [
        "Понятие дроби",
        "Сравнение дробей; правила",
        "Запись десятичных дробей",
    ]

    # a weekly template with a laptop segment, then a week of lessons; compliance checks
    # the template's plan (real norms, real service token)
    ok(
        await gw.post(
            f"{L}/courses/{cid}/timetable/templates",
            json={
                "weekday": 2,
                "starts_at": "09:00",
                "lesson_number": 2,
                "delivery_form": "e_learning",
                "devices": [{"device": "laptop", "minutes": 15, "kind": "interactive"}],
            },
            headers=teacher,
        ),
        201,
    )
    generated = ok(
        await gw.post(
            f"{L}/courses/{cid}/timetable/generate",
            json={"from": "2026-11-23", "to": "2026-12-06"},
            headers=teacher,
        )
    )
    assert generated["created"] == 2
    week = ok(
        await gw.get(
            f"{L}/timetable", params={"from": "2026-11-23", "to": "2026-11-29"}, headers=student
        )
    )
    (lesson,) = week["lessons"]
    assert lesson["date"] == "2026-11-24"
    assert lesson["compliance"]["status"] == "checked_ok"
    assert lesson["compliance"]["check_id"]

    # the assignment: published now, e-mailed to the student and the guardian (Reg §2.2)
    assignment = ok(
        await gw.post(
            f"{L}/assignments",
            json={
                "lesson_id": lesson["id"],
                "title": "Сравнение дробей",
                "instructions": "Решите № 101–105, пришлите фото решения.",
                "due_at": "2026-12-20T18:00:00",
            },
            headers=teacher,
        ),
        201,
    )
    assert assignment["status"] == "published"
    aid = assignment["id"]

    def delivered_to() -> set[str]:
        return {to for m in mail.received for to in m.envelope_to}

    async def both_mailed() -> bool:
        return {"demo-student@demo-school.example", "demo-guardian@demo-school.example"} <= (
            delivered_to()
        )

    await platform.wait_for(both_mailed, what="the e-mail copies at the SMTP server")
    message = next(
        m.message for m in mail.received if "demo-guardian@demo-school.example" in m.envelope_to
    )
    assert "Сравнение дробей" in str(message["Subject"])

    # the student submits twice: both versions are kept
    first = ok(
        await gw.post(
            f"{L}/assignments/{aid}/submissions", data={"text": "Ответ, версия 1"}, headers=student
        ),
        201,
    )
    second = ok(
        await gw.post(
            f"{L}/assignments/{aid}/submissions", data={"text": "Ответ, версия 2"}, headers=student
        ),
        201,
    )
    assert (first["version"], second["version"]) == (1, 2)
    works = ok(
        await gw.get(
            f"{L}/assignments/{aid}/submissions",
            params={"all_versions": "true"},
            headers=teacher,
        )
    )
    rows = works["items"] if isinstance(works, dict) else works
    assert sorted(w["version"] for w in rows if w["student_id"] == student_id) == [1, 2]

    # the review: a mark, a text comment and an audio comment (Reg §2.4)
    review = ok(
        await gw.post(
            f"{L}/submissions/{second['id']}/review",
            data={"status": "accepted", "mark": "5", "comment_text": "Верно, молодец"},
            files={"comment_file": ("comment.mp3", MP3, "audio/mpeg")},
            headers=teacher,
        ),
        201,
    )
    assert review["mark"] == "5"
    assert review["first_opened_at"] is None

    # the student opens the feedback: the first opening is recorded once (Reg §1.6)
    opened = ok(await gw.get(f"{L}/submissions/{second['id']}/review", headers=student))
    assert opened["first_opened_at"] is not None
    again = ok(await gw.get(f"{L}/submissions/{second['id']}/review", headers=student))
    assert again["first_opened_at"] == opened["first_opened_at"]
    media = await gw.get(f"{L}/submissions/{second['id']}/review/media", headers=student)
    assert media.status_code == 200
    assert media.content == MP3

    # the change feed carries the review with the mark
    feed = ok(await gw.get(f"{L}/events", params={"types": "review.completed"}, headers=admin))
    (event,) = feed["items"]
    assert event["payload"]["mark"] == "5"
    assert event["payload"]["student_id"] == student_id
    assert event["payload"]["submission_id"] == second["id"]

    # … and the journal has taken the mark from it
    async def journal_mark() -> dict[str, Any] | None:
        r = await gw.get(
            f"{J}/marks", params={"student_id": student_id, "course_id": cid}, headers=student
        )
        if r.status_code != 200:
            return None
        marks = [m for m in r.json()["items"] if m.get("source") == "review"]
        return marks[0] if marks else None

    mark = await platform.wait_for(journal_mark, what="the review's mark in the journal")
    assert mark["value"] == "5"
    assert mark["course_id"] == cid
