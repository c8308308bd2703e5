"""Online tests (LE-8): a timed test end to end — attempt, time limit enforced on the
server, auto-grading, answers hidden from the student and shown once released — and
the rules of attempts: the limit of attempts, one open attempt, stable shuffling, the
availability window. Grading: test_quizzes_grading.py; attestation mode:
test_quizzes_attestation.py."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import QuizAnswer, QuizAttempt
from services.learning.quizzes.finishing import finish_expired_attempts
from tests.learning.courses_support import create_course, create_lesson
from tests.learning.quizzes_support import (
    API,
    NOW,
    Clock,
    add_question,
    answer,
    assert_no_key,
    assert_problem,
    by_question,
    create_quiz,
    graded_events,
    install_clock,
    iso,
    multiple,
    numeric,
    option_id,
    read_attempt,
    short,
    single,
    start,
    submit,
)
from tests.support.service_world import World

CONTRACT_KEYS = {
    "id",
    "test_id",
    "test_title",
    "course_id",
    "lesson_id",
    "student_id",
    "attempt_no",
    "score",
    "max_score",
    "percent",
    "mark",
    "graded_at",
    "control_type",
    "attestation_event_id",
}


@pytest.fixture
def clock(learning_app: FastAPI) -> Clock:
    return install_clock(learning_app)


@pytest.fixture
async def course(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    return await create_course(client, world)


async def count_rows(app: FastAPI, model: Any, **where: Any) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count()).select_from(model)
        for name, value in where.items():
            stmt = stmt.where(getattr(model, name) == value)
        return int((await session.execute(stmt)).scalar_one())


class TestTimedQuiz:
    async def test_attempt_limit_grading_hidden_then_released(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        clock: Clock,
        course: dict[str, Any],
    ) -> None:
        cid = course["id"]
        lesson = await create_lesson(client, world, cid)
        q1 = await add_question(client, world, cid, single(points=2))
        q2 = await add_question(client, world, cid, multiple(points=2))
        q3 = await add_question(client, world, cid, short())
        q4 = await add_question(client, world, cid, numeric())
        quiz = await create_quiz(
            client,
            world,
            cid,
            [q1["id"], q2["id"], q3["id"], q4["id"]],
            lesson_id=lesson["id"],
            time_limit_minutes=20,
            max_attempts=2,
            control_type="current_control",
        )
        assert quiz["max_score"] == 6
        assert quiz["question_count"] == 4

        attempt = await start(client, world, quiz["id"])
        assert attempt["status"] == "in_progress"
        assert attempt["started_at"] == NOW.isoformat().replace("+00:00", "Z")
        deadline = NOW + timedelta(minutes=20)
        assert attempt["deadline"] == deadline.isoformat().replace("+00:00", "Z")
        assert [q["question_id"] for q in attempt["questions"]] == [
            q1["id"],
            q2["id"],
            q3["id"],
            q4["id"],
        ]
        assert_no_key(attempt)
        aid = attempt["id"]

        # Answers in time: q1 right, q2 wrong (partial sets get nothing), q3 right.
        clock.advance(minutes=5)
        r = await answer(client, world, aid, q1["id"], {"option_ids": [option_id(q1, "4")]})
        assert r.status_code == 200, r.text
        r = await answer(client, world, aid, q2["id"], {"option_ids": [option_id(q2, "2")]})
        assert r.status_code == 200, r.text
        clock.advance(minutes=14, seconds=59)
        r = await answer(client, world, aid, q3["id"], {"text": "  ЕЛКА "})
        assert r.status_code == 200, r.text
        # The student reloads: the answers are there, the key is not.
        mine = await read_attempt(client, world, aid)
        assert by_question(mine)[q3["id"]]["answer"]["text"] == "  ЕЛКА "
        assert mine["score"] is None
        assert mine["mark"] is None
        assert_no_key(mine)

        # One second late: refused, and the refused request commits nothing — not the
        # late answer, not the finish (a read or the periodic finisher does that).
        clock.advance(seconds=2)
        r = await answer(client, world, aid, q4["id"], {"text": "3,14"})
        assert_problem(r, 422, "time-limit-exceeded")
        assert await count_rows(learning_app, QuizAnswer, attempt_id=_uuid(aid)) == 3
        async with learning_app.state.database.session() as session:
            row = await session.get(QuizAttempt, _uuid(aid))
            assert row is not None
            assert (row.status, row.finished_at) == ("in_progress", None)
        assert await graded_events(client, world) == []
        r = await submit(client, world, aid)
        assert_problem(r, 422, "time-limit-exceeded")
        async with learning_app.state.database.session() as session:
            row = await session.get(QuizAttempt, _uuid(aid))
            assert row is not None
            assert row.status == "in_progress"

        # the student's next read finishes it with what was saved in time
        mine = await read_attempt(client, world, aid)
        assert mine["status"] == "graded"
        assert mine["finish_reason"] == "time_expired"
        assert mine["finished_at"] == deadline.isoformat().replace("+00:00", "Z")
        assert (mine["score"], mine["max_score"], mine["percent"]) == (3, 6, 50.0)
        assert mine["mark"] == "3"
        assert_no_key(mine)
        # the guardian sees the same, without the key; another guardian nothing
        assert_no_key(await read_attempt(client, world, aid, "guardian"))
        r = await client.get(f"{API}/quizzes/attempts/{aid}", headers=world.headers("guardian2"))
        assert_problem(r, 404, "attempt-not-found")

        # the teacher sees the key and the per-question grades
        theirs = by_question(await read_attempt(client, world, aid, "teacher"))
        assert theirs[q1["id"]]["is_correct"] is True
        assert theirs[q1["id"]]["points_awarded"] == 2
        assert theirs[q2["id"]]["is_correct"] is False
        assert theirs[q3["id"]]["is_correct"] is True
        assert theirs[q4["id"]]["answer"] is None
        assert theirs[q4["id"]]["points_awarded"] == 0
        assert theirs[q4["id"]]["numeric_value"] == "3.14"

        # the graded event, as the journal will read it
        events = await graded_events(client, world)
        assert len(events) == 1
        payload = events[0]["payload"]
        assert set(payload) == CONTRACT_KEYS
        assert payload == {
            "id": aid,
            "test_id": quiz["id"],
            "test_title": "Контрольная работа",
            "course_id": cid,
            "lesson_id": lesson["id"],
            "student_id": str(world.id("student")),
            "attempt_no": 1,
            "score": 3,
            "max_score": 6,
            "percent": 50.0,
            "mark": "3",
            "graded_at": deadline.isoformat(),
            "control_type": "current_control",
            "attestation_event_id": None,
        }

        # released: the student and the guardian see the right answers
        r = await client.put(
            f"{API}/quizzes/{quiz['id']}/answers-release",
            json={"released": True},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["answers_released"] is True
        for caller in ("student", "guardian"):
            shown = await read_attempt(client, world, aid, caller)
            assert shown["answers_revealed"] is True
            qs = by_question(shown)
            assert qs[q1["id"]]["correct_option_ids"] == [option_id(q1, "4")]
            assert sorted(qs[q2["id"]]["correct_option_ids"]) == sorted(
                [option_id(q2, "2"), option_id(q2, "3")]
            )
            assert qs[q2["id"]]["is_correct"] is False
            assert qs[q3["id"]]["accepted_answers"] == ["Ёлка"]
            assert qs[q4["id"]]["numeric_tolerance"] == "0.01"
            assert qs[q4["id"]]["is_correct"] is False

        # the second attempt is submitted in time; a third one is refused
        second = await start(client, world, quiz["id"])
        assert second["attempt_no"] == 2
        assert_no_key(second)  # an open attempt never shows the key
        r = await answer(client, world, second["id"], q4["id"], {"text": "3.15"})
        assert r.status_code == 200, r.text
        r = await submit(client, world, second["id"])
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "graded"
        assert r.json()["score"] == 1
        r = await submit(client, world, second["id"])
        assert_problem(r, 409, "attempt-finished")
        r = await client.post(
            f"{API}/quizzes/{quiz['id']}/attempts", headers=world.headers("student")
        )
        assert_problem(r, 422, "attempts-exhausted")
        assert await count_rows(learning_app, QuizAttempt, quiz_id=_uuid(quiz["id"])) == 2
        assert len(await graded_events(client, world)) == 2

    async def test_expired_attempt_is_finished_by_the_next_read(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(client, world, course["id"], [q["id"]], time_limit_minutes=10)
        attempt = await start(client, world, quiz["id"])
        r = await answer(client, world, attempt["id"], q["id"], {"option_ids": [option_id(q, "4")]})
        assert r.status_code == 200
        clock.advance(minutes=30)
        # nobody submitted: the teacher's results finish and grade it
        r = await client.get(
            f"{API}/quizzes/{quiz['id']}/results", headers=world.headers("teacher")
        )
        assert r.status_code == 200, r.text
        row = next(s for s in r.json()["students"] if s["student_id"] == str(world.id("student")))
        assert row["in_progress"] is False
        assert row["best"]["score"] == 1
        assert row["best"]["mark"] == "5"
        assert len(await graded_events(client, world)) == 1
        # reading again changes nothing and emits nothing more
        await read_attempt(client, world, attempt["id"])
        assert len(await graded_events(client, world)) == 1

    async def test_the_sweeper_finishes_forgotten_attempts(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        clock: Clock,
        course: dict[str, Any],
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(client, world, course["id"], [q["id"]], time_limit_minutes=10)
        attempt = await start(client, world, quiz["id"])
        async with learning_app.state.database.session() as session:
            assert await finish_expired_attempts(session, clock.now) == 0
        async with learning_app.state.database.session() as session:
            assert await finish_expired_attempts(session, clock.now + timedelta(minutes=11)) >= 1
        async with learning_app.state.database.session() as session:
            row = await session.get(QuizAttempt, _uuid(attempt["id"]))
            assert row is not None
            assert (row.status, row.finish_reason, row.score) == ("graded", "time_expired", 0)
        events = await graded_events(client, world)
        assert [e["payload"]["id"] for e in events] == [attempt["id"]]

    async def test_deadline_is_capped_by_closing_time(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        closes = NOW + timedelta(minutes=15)
        quiz = await create_quiz(
            client,
            world,
            course["id"],
            [q["id"]],
            time_limit_minutes=45,
            opens_at=iso(NOW - timedelta(hours=1)),
            closes_at=iso(closes),
        )
        attempt = await start(client, world, quiz["id"])
        assert attempt["deadline"] == closes.isoformat().replace("+00:00", "Z")

    async def test_without_limit_there_is_no_deadline(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(client, world, course["id"], [q["id"]])
        attempt = await start(client, world, quiz["id"])
        assert attempt["deadline"] is None
        clock.advance(days=3)
        r = await answer(client, world, attempt["id"], q["id"], {"option_ids": [option_id(q, "4")]})
        assert r.status_code == 200, r.text


class TestAttemptRules:
    async def test_one_open_attempt_at_a_time(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        clock: Clock,
        course: dict[str, Any],
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(client, world, course["id"], [q["id"]], max_attempts=3)
        first = await start(client, world, quiz["id"])
        r = await client.post(
            f"{API}/quizzes/{quiz['id']}/attempts", headers=world.headers("student")
        )
        assert_problem(r, 409, "attempt-in-progress")
        assert await count_rows(learning_app, QuizAttempt, quiz_id=_uuid(quiz["id"])) == 1
        # another student is not blocked
        await start(client, world, quiz["id"], "student2")
        r = await submit(client, world, first["id"])
        assert r.status_code == 200
        second = await start(client, world, quiz["id"])
        assert second["attempt_no"] == 2

    async def test_window(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(
            client,
            world,
            course["id"],
            [q["id"]],
            opens_at=iso(NOW + timedelta(hours=1)),
            closes_at=iso(NOW + timedelta(hours=2)),
        )
        url = f"{API}/quizzes/{quiz['id']}/attempts"
        assert_problem(
            await client.post(url, headers=world.headers("student")), 422, "quiz-not-open"
        )
        clock.advance(hours=2)
        assert_problem(await client.post(url, headers=world.headers("student")), 422, "quiz-closed")
        clock.advance(minutes=-30)
        r = await client.post(url, headers=world.headers("student"))
        assert r.status_code == 201, r.text

    async def test_unpublished_quiz_is_invisible_to_students(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(client, world, course["id"], [q["id"]], publish=False)
        r = await client.post(
            f"{API}/quizzes/{quiz['id']}/attempts", headers=world.headers("student")
        )
        assert_problem(r, 404, "quiz-not-found")
        r = await client.get(f"{API}/quizzes/{quiz['id']}", headers=world.headers("student"))
        assert_problem(r, 404, "quiz-not-found")
        r = await client.get(f"{API}/quizzes", headers=world.headers("student"))
        assert r.json()["items"] == []

    async def test_shuffling_is_per_attempt_and_stable(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        questions = [
            await add_question(
                client,
                world,
                course["id"],
                single(f"Вопрос {i}", right=f"да {i}", wrong=("а", "б", "в", "г")),
            )
            for i in range(10)
        ]
        authored = [q["id"] for q in questions]
        quiz = await create_quiz(
            client, world, course["id"], authored, shuffle_questions=True, shuffle_options=True
        )
        orders = []
        for student in ("student", "student2"):
            attempt = await start(client, world, quiz["id"], student)
            order = [q["question_id"] for q in attempt["questions"]]
            options = {
                q["question_id"]: [o["id"] for o in q["options"]] for q in attempt["questions"]
            }
            assert sorted(order) == sorted(authored)
            assert [q["position"] for q in attempt["questions"]] == list(range(1, 11))
            for question in questions:
                assert sorted(options[question["id"]]) == sorted(
                    o["id"] for o in question["options"]
                )
            # reloads show the same order
            for _ in range(2):
                again = await read_attempt(client, world, attempt["id"], student)
                assert [q["question_id"] for q in again["questions"]] == order
                assert {
                    q["question_id"]: [o["id"] for o in q["options"]] for q in again["questions"]
                } == options
            orders.append((order, options))
        # ten questions of five options: the same order as authored twice is ~1e-13
        authored_options = {q["id"]: [o["id"] for o in q["options"]] for q in questions}
        assert any(order != authored or opts != authored_options for order, opts in orders)

    async def test_not_shuffled_keeps_the_authored_order(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        qs = [
            await add_question(client, world, course["id"], single(f"Вопрос {i}")) for i in range(4)
        ]
        quiz = await create_quiz(client, world, course["id"], [q["id"] for q in qs])
        attempt = await start(client, world, quiz["id"])
        assert [q["question_id"] for q in attempt["questions"]] == [q["id"] for q in qs]
        for shown, authored in zip(attempt["questions"], qs, strict=True):
            assert [o["id"] for o in shown["options"]] == [o["id"] for o in authored["options"]]


def _uuid(value: str) -> uuid.UUID:
    return uuid.UUID(value)
