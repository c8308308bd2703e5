"""Results of a quiz (LE-8): per student (best and last attempt), per question (share
of right answers, distribution), the lists of attempts for students, guardians and
teachers — each at a constant number of queries."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.learning.courses_support import add_student, create_course
from tests.learning.quizzes_support import (
    API,
    Clock,
    add_question,
    answer,
    count_statements,
    create_quiz,
    free,
    install_clock,
    numeric,
    option_id,
    short,
    single,
    start,
    submit,
)
from tests.support.service_world import World


@pytest.fixture
def clock(learning_app: FastAPI) -> Clock:
    return install_clock(learning_app)


@pytest.fixture
async def course(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    return await create_course(client, world)


async def take(
    client: httpx.AsyncClient,
    world: World,
    quiz_id: str,
    answers: dict[str, dict[str, Any]],
    student: str = "student",
) -> dict[str, Any]:
    attempt = await start(client, world, quiz_id, student)
    for question_id, body in answers.items():
        r = await answer(client, world, attempt["id"], question_id, body, student)
        assert r.status_code == 200, r.text
    r = await submit(client, world, attempt["id"], student)
    assert r.status_code == 200, r.text
    return dict(r.json())


class TestResults:
    async def test_per_student_and_per_question(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        cid = course["id"]
        s = await add_question(client, world, cid, single(points=2))
        sa = await add_question(client, world, cid, short())
        n = await add_question(client, world, cid, numeric())
        f = await add_question(client, world, cid, free(points=2))
        quiz = await create_quiz(
            client, world, cid, [s["id"], sa["id"], n["id"], f["id"]], max_attempts=3
        )
        right = option_id(s, "4")
        wrong = option_id(s, "3")
        # student: 1st attempt 2 of 6, 2nd 5 of 6 (free text graded later), 3rd 3 of 6
        await take(client, world, quiz["id"], {s["id"]: {"option_ids": [right]}})
        second = await take(
            client,
            world,
            quiz["id"],
            {
                s["id"]: {"option_ids": [right]},
                sa["id"]: {"text": "ёлка"},
                n["id"]: {"text": "3.14"},
                f["id"]: {"text": "Рассуждение"},
            },
        )
        assert second["status"] == "awaiting_grading"
        r = await client.post(
            f"{API}/quizzes/attempts/{second['id']}/grades",
            json={"grades": [{"question_id": f["id"], "points": 1}]},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        await take(
            client,
            world,
            quiz["id"],
            {s["id"]: {"option_ids": [right]}, sa["id"]: {"text": "Ёлка"}},
        )
        # student2: one attempt, everything wrong; student3 is not in the class
        await take(
            client,
            world,
            quiz["id"],
            {s["id"]: {"option_ids": [wrong]}, sa["id"]: {"text": "Ёлки"}, n["id"]: {"text": "3"}},
            "student2",
        )
        r = await client.post(
            f"{API}/quizzes/{quiz['id']}/attempts", headers=world.headers("student3")
        )
        assert r.status_code == 404

        for caller in ("teacher", "admin", "staff"):
            r = await client.get(
                f"{API}/quizzes/{quiz['id']}/results", headers=world.headers(caller)
            )
            assert r.status_code == 200, r.text
        results = r.json()
        assert results["max_score"] == 6
        rows = {row["student_id"]: row for row in results["students"]}
        assert set(rows) == {str(world.id("student")), str(world.id("student2"))}
        mine = rows[str(world.id("student"))]
        assert mine["attempts"] == 3
        assert mine["in_progress"] is False
        assert (mine["best"]["attempt_no"], mine["best"]["score"], mine["best"]["mark"]) == (
            2,
            5,
            "4",
        )
        assert (mine["last"]["attempt_no"], mine["last"]["score"]) == (3, 3)
        assert mine["last_name"] == "Соколов"
        theirs = rows[str(world.id("student2"))]
        assert (theirs["attempts"], theirs["best"]["score"], theirs["best"]["mark"]) == (1, 0, "2")

        r = await client.get(
            f"{API}/quizzes/{quiz['id']}/question-stats", headers=world.headers("teacher")
        )
        assert r.status_code == 200, r.text
        stats = r.json()
        assert stats["attempts"] == 4
        by_id = {q["question_id"]: q for q in stats["questions"]}
        assert [q["question_id"] for q in stats["questions"]] == [
            s["id"],
            sa["id"],
            n["id"],
            f["id"],
        ]
        single_stats = by_id[s["id"]]
        assert (single_stats["answered"], single_stats["correct"]) == (4, 3)
        assert single_stats["percent_correct"] == 75.0
        assert single_stats["average_points"] == 1.5
        distribution = {d["value"]: d for d in single_stats["distribution"]}
        assert distribution[right]["count"] == 3
        assert distribution[right]["correct"] is True
        assert distribution[wrong]["count"] == 1
        assert distribution[option_id(s, "5")]["count"] == 0
        short_stats = by_id[sa["id"]]
        assert (short_stats["answered"], short_stats["correct"]) == (3, 2)
        assert short_stats["distribution"] == [
            {"value": "елка", "text": None, "count": 2, "correct": True},
            {"value": "елки", "text": None, "count": 1, "correct": False},
        ]
        numeric_stats = by_id[n["id"]]
        assert [(d["value"], d["count"], d["correct"]) for d in numeric_stats["distribution"]] == [
            ("3", 1, False),
            ("3.14", 1, True),
        ]
        free_stats = by_id[f["id"]]
        assert (free_stats["answered"], free_stats["pending_grading"]) == (1, 0)
        assert free_stats["distribution"] == []

    async def test_students_and_guardians_cannot_read_results(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(client, world, course["id"], [q["id"]])
        for caller in ("student", "guardian", "teacher2"):
            for path in ("results", "question-stats"):
                r = await client.get(
                    f"{API}/quizzes/{quiz['id']}/{path}", headers=world.headers(caller)
                )
                assert r.status_code == 403, (caller, r.text)


class TestAttemptLists:
    async def test_who_sees_which_attempts(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(client, world, course["id"], [q["id"]])
        mine = await take(client, world, quiz["id"], {q["id"]: {"option_ids": [option_id(q, "4")]}})
        theirs = await start(client, world, quiz["id"], "student2")

        async def listed(caller: str, **params: Any) -> dict[str, dict[str, Any]]:
            r = await client.get(
                f"{API}/quizzes/attempts", params=params, headers=world.headers(caller)
            )
            assert r.status_code == 200, r.text
            return {a["id"]: a for a in r.json()["items"]}

        both = {mine["id"], theirs["id"]}
        assert set(await listed("teacher", quiz_id=quiz["id"])) == both
        assert set(await listed("admin", course_id=course["id"])) == both
        assert set(await listed("staff", student_id=str(world.id("student")))) == {mine["id"]}
        assert set(await listed("teacher2")) == set()  # not their course
        own = await listed("student")
        assert set(own) == {mine["id"]}
        assert own[mine["id"]]["score"] == 1
        assert own[mine["id"]]["pending_grading"] is None
        assert set(await listed("guardian")) == {mine["id"]}
        assert set(await listed("guardian", student_id=str(world.id("student")))) == {mine["id"]}
        assert set(await listed("guardian2")) == {theirs["id"]}
        for caller, student in (("student", "student2"), ("guardian", "student2")):
            r = await client.get(
                f"{API}/quizzes/attempts",
                params={"student_id": str(world.id(student))},
                headers=world.headers(caller),
            )
            assert r.status_code == 404

    async def test_constant_queries(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        clock: Clock,
        course: dict[str, Any],
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        f = await add_question(client, world, course["id"], free())
        quiz = await create_quiz(client, world, course["id"], [q["id"], f["id"]], max_attempts=5)
        body: dict[str, dict[str, Any]] = {
            q["id"]: {"option_ids": [option_id(q, "4")]},
            f["id"]: {"text": "Ответ"},
        }
        await take(client, world, quiz["id"], body)
        urls = [
            f"{API}/quizzes/{quiz['id']}/results",
            f"{API}/quizzes/{quiz['id']}/question-stats",
            f"{API}/quizzes/attempts?quiz_id={quiz['id']}",
        ]

        async def costs() -> list[int]:
            out = []
            for url in urls:
                with count_statements(learning_app) as seen:
                    r = await client.get(url, headers=world.headers("teacher"))
                assert r.status_code == 200, r.text
                out.append(seen.count)
            return out

        before = await costs()
        # more students, more attempts
        for _ in range(4):
            await add_student(learning_app, world, "7Б")
        await take(client, world, quiz["id"], body)
        await take(client, world, quiz["id"], body, "student2")
        r = await client.get(
            f"{API}/quizzes/{quiz['id']}/results", headers=world.headers("teacher")
        )
        assert len(r.json()["students"]) == 6
        assert await costs() == before
