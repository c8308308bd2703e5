"""The journal through the gateway, fed by learning's real change feed (JO-1 … JO-5, JO-8).

One story on the whole platform (a platform start costs seconds, so it is one test):

* demo-teacher creates a course of 7Б with a second teacher, a plan topic and a lesson in
  learning, gives an assignment; demo-student submits; the teacher reviews it with a mark;
* the mark arrives in the journal over the feed exactly once, and stays one mark when
  the feed is replayed — from a reset cursor, and again with the inbox forgotten too;
* the two teachers edit the mark at the same moment with the same ``If-Match``: one
  wins, the other gets 412, and the history shows exactly the winner's change;
* a closed period locks the mark (423) until the admin reopens it citing an order;
* a wrong mark is annulled, not deleted;
* the course's journal opens as XLSX (openpyxl) and PDF (pypdf) with the Cyrillic names,
  subject, topic and marks where they belong.
"""

from __future__ import annotations

import asyncio
import io
from typing import Any

import httpx
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy import delete, func, select

from services.journal.models import Mark, consumer
from tests.support.platform import Platform

LEARNING = "/api/v1/learning"
JOURNAL = "/api/v1/journal"
LESSON_DAY = "2026-11-24"


def ok(response: httpx.Response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.text)
    return dict(response.json())


async def class_id(platform: Platform, name: str) -> str:
    body = ok(
        await platform.gateway.get(
            "/api/v1/identity/class-groups", headers=await platform.headers("demo-admin")
        )
    )
    return next(str(g["id"]) for g in body["items"] if g["name"] == name)


async def marks_in_db(platform: Platform, source_ref_prefix: str) -> int:
    database = platform.apps["journal"].state.database
    async with database.session() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(Mark)
            .where(Mark.source_ref.like(f"{source_ref_prefix}%"))
        )
    return int(count or 0)


async def replay_learning_feed(platform: Platform, *, forget_inbox: bool) -> None:
    """Make journal read learning's feed from the start again and wait until it has.

    With the inbox kept, every event is skipped by its id; with it forgotten, every
    handler runs again and only the handlers' own idempotency keeps one mark.
    """
    database = platform.apps["journal"].state.database
    forgotten = 0
    async with database.session() as session:
        if forget_inbox:
            inbox = consumer.inbox
            forgotten = int(
                await session.scalar(
                    select(func.count()).select_from(inbox).where(inbox.source == "learning")
                )
                or 0
            )
            assert forgotten > 0
            await session.execute(delete(inbox).where(inbox.source == "learning"))
        await session.execute(delete(consumer.cursor).where(consumer.cursor.source == "learning"))
        await session.commit()

    async def caught_up() -> bool:
        async with database.session() as session:
            row = await session.get(consumer.cursor, "learning")
            if row is None:
                return False
            # inbox kept: everything skipped by id; forgotten: every event applied again
            return bool(row.events_applied >= forgotten)

    await platform.wait_for(caught_up, what="journal re-reading learning's feed")


async def test_a_review_becomes_one_mark_and_the_journal_keeps_every_change(
    platform: Platform,
) -> None:
    gw = platform.gateway
    teacher = await platform.headers("demo-teacher")
    teacher2 = await platform.headers("demo-teacher2")
    admin = await platform.headers("demo-admin")
    student = await platform.headers("demo-student")
    teacher_id = (await platform.me("demo-teacher"))["id"]
    teacher2_id = (await platform.me("demo-teacher2"))["id"]
    student_id = (await platform.me("demo-student"))["id"]
    student2_id = (await platform.me("demo-student2"))["id"]
    group_id = await class_id(platform, "7Б")

    # -- learning: course, plan, lesson, assignment, submission, review --------------------
    async def create_course() -> dict[str, Any] | None:
        r = await gw.post(
            f"{LEARNING}/courses",
            json={
                "subject": "Математика",
                "class_group_id": group_id,
                "teacher_ids": [teacher_id, teacher2_id],
            },
            headers=teacher,
        )
        if r.status_code == 422 and "class-group-not-found" in r.text:
            return None  # learning's replica of the directory is not there yet
        return ok(r, 201)

    course = await platform.wait_for(create_course, what="learning knowing the class 7Б")
    course_id = course["id"]
    topic = ok(
        await gw.post(
            f"{LEARNING}/courses/{course_id}/topics",
            json={"title": "Сложение дробей", "planned_hours": 1},
            headers=teacher,
        ),
        201,
    )
    lesson = ok(
        await gw.post(
            f"{LEARNING}/courses/{course_id}/lessons",
            json={"date": LESSON_DAY, "starts_at": "09:00", "topic_id": topic["id"]},
            headers=teacher,
        ),
        201,
    )
    assignment = ok(
        await gw.post(
            f"{LEARNING}/assignments",
            json={
                "course_id": course_id,
                "lesson_id": lesson["id"],
                "title": "Упражнения на сложение дробей",
                "instructions": "№ 201–205",
                "due_at": "2026-12-10T18:00:00",
            },
            headers=teacher,
        ),
        201,
    )
    work = ok(
        await gw.post(
            f"{LEARNING}/assignments/{assignment['id']}/submissions",
            data={"text": "1/2 + 1/3 = 5/6"},
            headers=student,
        ),
        201,
    )
    review = ok(
        await gw.post(
            f"{LEARNING}/submissions/{work['id']}/review",
            data={"status": "accepted", "mark": "5", "comment_text": "Верно"},
            headers=teacher,
        ),
        201,
    )

    # -- the mark arrives over the feed, once ------------------------------------------------
    async def review_marks() -> list[dict[str, Any]] | None:
        r = await gw.get(f"{JOURNAL}/marks", params={"course_id": course_id}, headers=teacher)
        if r.status_code != 200:
            return None  # the course has not reached the journal yet
        found = [m for m in r.json()["items"] if m["source"] == "review"]
        return found or None

    marks = await platform.wait_for(review_marks, what="the review's mark in the journal")
    assert len(marks) == 1
    mark = marks[0]
    assert (mark["value"], mark["student_id"], mark["lesson_id"]) == ("5", student_id, lesson["id"])
    assert mark["comment"] == "Верно"
    # the guardian sees it too, in the child's list
    mine = ok(
        await gw.get(
            f"{JOURNAL}/marks",
            params={"student_id": student_id},
            headers=await platform.headers("demo-guardian"),
        )
    )
    assert [m["id"] for m in mine["items"]] == [mark["id"]]

    for forget_inbox in (False, True):
        await replay_learning_feed(platform, forget_inbox=forget_inbox)
        again = await review_marks()
        assert again is not None
        assert [m["id"] for m in again] == [mark["id"]], forget_inbox
        assert await marks_in_db(platform, f"review:{review['id']}") == 1

    # -- two teachers edit the mark at once with the same If-Match ----------------------------
    url = f"{JOURNAL}/marks/{mark['id']}"
    current = await gw.get(url, headers=teacher)
    etag = current.headers["etag"]
    first, second = await asyncio.gather(
        gw.patch(
            url,
            json={"value": "4", "reason": "Ошибка в решении № 203"},
            headers={**teacher, "If-Match": etag},
        ),
        gw.patch(
            url,
            json={"value": "3", "reason": "Решение списано"},
            headers={**teacher2, "If-Match": etag},
        ),
    )
    assert sorted([first.status_code, second.status_code]) == [200, 412], (first.text, second.text)
    winner, loser = (first, second) if first.status_code == 200 else (second, first)
    winner_id = teacher_id if winner is first else teacher2_id
    assert loser.json()["type"] == "urn:eo:problem:precondition-failed"
    assert winner.json()["version"] == 2
    history = ok(await gw.get(f"{url}/history", headers=student))
    assert [c["action"] for c in history["changes"]] == ["created", "updated"]
    created, updated = history["changes"]
    assert created["via"] == "learning:review.completed"
    assert created["new"]["value"] == "5"
    assert updated["old"]["value"] == "5"
    assert updated["new"]["value"] == winner.json()["value"]
    assert updated["by"] == winner_id
    assert updated["reason"] in ("Ошибка в решении № 203", "Решение списано")
    assert history["mark"]["value"] == winner.json()["value"]
    final_value = winner.json()["value"]
    etag = winner.headers["etag"]
    # without If-Match: 428
    assert (
        await gw.patch(url, json={"value": "5", "reason": "x"}, headers=teacher)
    ).status_code == 428

    # -- a lesson record, an absence and a wrong mark that is annulled -------------------------
    ok(
        await gw.put(
            f"{JOURNAL}/lessons/{lesson['id']}/record",
            json={"topic_id": topic["id"], "delivery_form": "distance", "homework": "№ 206"},
            headers=teacher,
        ),
        201,
    )
    ok(
        await gw.put(
            f"{JOURNAL}/lessons/{lesson['id']}/attendance",
            json={"entries": [{"student_id": student2_id, "reason": "illness"}]},
            headers=teacher,
        )
    )
    wrong = ok(
        await gw.post(
            f"{JOURNAL}/marks",
            json={
                "course_id": course_id,
                "student_id": student2_id,
                "lesson_id": lesson["id"],
                "value": "2",
            },
            headers=teacher,
        ),
        201,
    )
    wrong_url = f"{JOURNAL}/marks/{wrong['id']}"
    assert (await gw.delete(wrong_url, headers=teacher)).status_code == 405
    annulled = ok(
        await gw.post(
            f"{wrong_url}/annul",
            json={"reason": "Ученица отсутствовала на уроке"},
            headers={**teacher, "If-Match": f'"{wrong["id"]}:1"'},
        )
    )
    assert (annulled["status"], annulled["annul_reason"]) == (
        "annulled",
        "Ученица отсутствовала на уроке",
    )
    listed = ok(await gw.get(f"{JOURNAL}/marks", params={"course_id": course_id}, headers=teacher))
    assert wrong["id"] not in [m["id"] for m in listed["items"]]
    kept = ok(
        await gw.get(
            f"{JOURNAL}/marks",
            params={"course_id": course_id, "include_annulled": "true"},
            headers=teacher,
        )
    )
    assert wrong["id"] in [m["id"] for m in kept["items"]]
    wrong_history = ok(await gw.get(f"{wrong_url}/history", headers=admin))
    assert [c["action"] for c in wrong_history["changes"]] == ["created", "annulled"]
    assert wrong_history["changes"][1]["reason"] == "Ученица отсутствовала на уроке"

    # -- a closed period locks the mark until it is reopened by order ---------------------------
    periods = ok(
        await gw.put(
            f"{JOURNAL}/periods",
            json={
                "academic_year_id": course["academic_year_id"],
                "kind": "half_year",
                "periods": [
                    {"starts_on": "2026-09-01", "ends_on": "2026-12-28"},
                    {"starts_on": "2027-01-09", "ends_on": "2027-05-31"},
                ],
            },
            headers=admin,
        )
    )
    first_half = periods["items"][0]
    ok(await gw.post(f"{JOURNAL}/periods/{first_half['id']}/close", json={}, headers=admin))
    change = {"value": "5", "reason": "Пересмотр"}
    locked = await gw.patch(url, json=change, headers={**teacher, "If-Match": etag})
    assert locked.status_code == 423, locked.text
    assert locked.json()["type"] == "urn:eo:problem:period-closed"
    new_mark = {"course_id": course_id, "student_id": student_id, "value": "4", "date": LESSON_DAY}
    assert (await gw.post(f"{JOURNAL}/marks", json=new_mark, headers=teacher)).status_code == 423
    reopen = {"order_number": "112-од", "order_date": "2026-12-29", "reason": "Апелляция"}
    no_order = await gw.post(f"{JOURNAL}/periods/{first_half['id']}/reopen", json={}, headers=admin)
    assert no_order.status_code == 422
    by_teacher = await gw.post(
        f"{JOURNAL}/periods/{first_half['id']}/reopen", json=reopen, headers=teacher
    )
    assert by_teacher.status_code == 403
    reopened = ok(
        await gw.post(f"{JOURNAL}/periods/{first_half['id']}/reopen", json=reopen, headers=admin)
    )
    assert reopened["is_closed"] is False
    period_history = ok(
        await gw.get(f"{JOURNAL}/periods/{first_half['id']}/history", headers=admin)
    )
    assert [(c["action"], c["order_number"]) for c in period_history["changes"]] == [
        ("closed", None),
        ("reopened", "112-од"),
    ]
    # nothing changed while locked: the mark is still the winner's
    assert ok(await gw.get(url, headers=teacher))["value"] == final_value

    # -- the course's journal as XLSX and PDF through the gateway --------------------------------
    params = {"period_id": first_half["id"]}
    xlsx = await gw.get(
        f"{JOURNAL}/courses/{course_id}/journal.xlsx", params=params, headers=teacher
    )
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "filename*=UTF-8''" in xlsx.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Журнал", "Темы уроков"]
    rows = [list(r) for r in workbook["Журнал"].iter_rows(values_only=True)]
    assert rows[0][0] == "Журнал: 7Б — Математика, 1-е полугодие 2026/2027"
    assert "Кузнецов Андрей Петрович" in rows[1][0]
    head = rows[4]
    assert head[:3] == ["№", "Обучающийся", "24.11"]
    ivanov = next(r for r in rows if r[1] == "Иванов Михаил Алексеевич")
    sokolova = next(r for r in rows if r[1] == "Соколова Анна Дмитриевна")
    assert ivanov[2] == final_value
    assert sokolova[2] == "н"  # the absence; the annulled 2 is not shown
    topic_row = next(
        list(r)
        for r in workbook["Темы уроков"].iter_rows(values_only=True)
        if r[2] == "Сложение дробей"
    )
    assert (topic_row[0], topic_row[3], topic_row[4]) == (
        "24.11.2026",
        "с применением ДОТ",
        "№ 206",
    )

    pdf = await gw.get(f"{JOURNAL}/courses/{course_id}/journal.pdf", params=params, headers=teacher)
    assert pdf.status_code == 200, pdf.text
    assert pdf.headers["content-type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    for expected in (
        "Журнал: 7Б — Математика, 1-е полугодие 2026/2027",
        "Иванов Михаил Алексеевич",
        "Соколова Анна Дмитриевна",
        "Сложение дробей",
        "с применением ДОТ",
    ):
        assert expected in " ".join(text.split()), expected

    # the student may not export the whole class's journal
    refused = await gw.get(
        f"{JOURNAL}/courses/{course_id}/journal.pdf", params=params, headers=student
    )
    assert refused.status_code == 403
