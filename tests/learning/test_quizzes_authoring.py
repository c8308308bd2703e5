"""The question bank and quizzes as the teacher writes them (LE-8): kinds of questions,
bad input refused with a clear problem and nothing stored, what becomes fixed once a
quiz has been attempted."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import Quiz, QuizQuestion
from tests.learning.courses_support import create_course, create_lesson
from tests.learning.quizzes_support import (
    API,
    NOW,
    Clock,
    add_question,
    assert_problem,
    count_statements,
    create_quiz,
    free,
    install_clock,
    iso,
    multiple,
    new_id,
    numeric,
    short,
    single,
    start,
)
from tests.support.service_world import World


@pytest.fixture
def clock(learning_app: FastAPI) -> Clock:
    return install_clock(learning_app)


@pytest.fixture
async def course(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    return await create_course(client, world)


async def count(app: FastAPI, model: Any, world: World) -> int:
    """Rows of the world's school (the database is shared by the session's tests)."""
    stmt = select(func.count()).select_from(model).where(model.school_id == world.school_id)
    async with app.state.database.session() as session:
        return int((await session.execute(stmt)).scalar_one())


class TestQuestionBank:
    async def test_every_kind_round_trips(
        self, client: httpx.AsyncClient, world: World, course: dict[str, Any]
    ) -> None:
        cid = course["id"]
        s = await add_question(client, world, cid, {**single(), "topic": "Сложение"})
        assert s["kind"] == "single_choice"
        assert [(o["text"], o["correct"]) for o in s["options"]] == [
            ("4", True),
            ("3", False),
            ("5", False),
        ]
        assert len({o["id"] for o in s["options"]}) == 3
        m = await add_question(client, world, cid, multiple())
        assert [o["correct"] for o in m["options"]] == [True, True, False, False]
        sa = await add_question(client, world, cid, short(accepted=(" Ёлка ", "ель")))
        assert sa["accepted_answers"] == ["Ёлка", "ель"]
        n = await add_question(client, world, cid, numeric(value="2.50", tolerance="0.050"))
        assert (n["numeric_value"], n["numeric_tolerance"]) == ("2.5", "0.05")
        f = await add_question(
            client, world, cid, {**free(), "explanation": "Нужно привести рассуждение"}
        )
        assert f["options"] == []
        assert f["explanation"] == "Нужно привести рассуждение"

        r = await client.get(
            f"{API}/question-bank",
            params={"course_id": cid, "limit": 3},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        first = r.json()
        assert len(first["items"]) == 3
        r = await client.get(
            f"{API}/question-bank",
            params={"course_id": cid, "limit": 3, "cursor": first["next_cursor"]},
            headers=world.headers("teacher"),
        )
        ids = {q["id"] for q in first["items"]} | {q["id"] for q in r.json()["items"]}
        assert ids == {s["id"], m["id"], sa["id"], n["id"], f["id"]}
        r = await client.get(
            f"{API}/question-bank",
            params={"course_id": cid, "topic": "Сложение"},
            headers=world.headers("admin"),
        )
        assert [q["id"] for q in r.json()["items"]] == [s["id"]]

        r = await client.get(f"{API}/question-bank/{n['id']}", headers=world.headers("teacher"))
        assert r.json()["numeric_value"] == "2.5"

    @pytest.mark.parametrize(
        ("body", "field_hint"),
        [
            (
                {
                    **single(),
                    "options": [{"text": "1", "correct": True}, {"text": "2", "correct": True}],
                },
                "один",
            ),
            ({**single(), "options": [{"text": "1", "correct": True}]}, "двух"),
            ({**single(), "options": [{"text": "1", "correct": True}, {"text": "1"}]}, "повтор"),
            ({**multiple(), "options": [{"text": "1"}, {"text": "2"}]}, "верный"),
            ({**short(), "accepted_answers": []}, "допустимый"),
            ({**short(), "options": [{"text": "a"}, {"text": "b"}]}, "выбором"),
            ({"kind": "numeric", "text": "x"}, "число"),
            ({**numeric(), "numeric_tolerance": "-0.1"}, None),
            ({**numeric(), "numeric_value": "NaN"}, None),
            ({**free(), "numeric_value": "1"}, "числового"),
            ({**free(), "points": 0}, None),
            ({**free(), "points": "5"}, None),
            ({**free(), "text": "   "}, None),
            ({**free(), "text": "a\x00b"}, None),
            ({**free(), "kind": "essay"}, None),
            ({**free(), "unknown": 1}, None),
        ],
    )
    async def test_bad_questions_are_refused(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course: dict[str, Any],
        body: dict[str, Any],
        field_hint: str | None,
    ) -> None:
        r = await client.post(
            f"{API}/question-bank",
            json={"course_id": course["id"], **body},
            headers=world.headers("teacher"),
        )
        problem = assert_problem(r, 422, "validation-error")
        if field_hint:
            assert any(field_hint in e["message"] for e in problem["errors"]), problem
        assert await count(learning_app, QuizQuestion, world) == 0

    async def test_unknown_course(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        other = await create_course(client, other_world)
        for course_id in (new_id(), other["id"]):
            r = await client.post(
                f"{API}/question-bank",
                json={"course_id": course_id, **single()},
                headers=world.headers("teacher"),
            )
            assert_problem(r, 404, "course-not-found")

    async def test_replace_and_delete(
        self, client: httpx.AsyncClient, world: World, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        r = await client.put(
            f"{API}/question-bank/{q['id']}", json=numeric(), headers=world.headers("teacher")
        )
        assert r.status_code == 200, r.text
        assert r.json()["kind"] == "numeric"
        assert r.json()["options"] == []
        r = await client.delete(f"{API}/question-bank/{q['id']}", headers=world.headers("teacher"))
        assert r.status_code == 204
        r = await client.get(f"{API}/question-bank/{q['id']}", headers=world.headers("teacher"))
        assert_problem(r, 404, "question-not-found")


class TestQuizzes:
    async def test_create_read_update(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        cid = course["id"]
        lesson = await create_lesson(client, world, cid)
        q1 = await add_question(client, world, cid, single(points=3))
        q2 = await add_question(client, world, cid, free(points=5))
        quiz = await create_quiz(
            client,
            world,
            cid,
            [q2["id"], q1["id"]],
            publish=False,
            lesson_id=lesson["id"],
            time_limit_minutes=40,
            max_attempts=3,
            shuffle_questions=True,
            control_type="interim_attestation",
            mark_thresholds={"five": 90, "four": 75, "three": 55},
        )
        assert quiz["published"] is False
        assert quiz["published_at"] is None
        assert [i["question_id"] for i in quiz["items"]] == [q2["id"], q1["id"]]
        assert (quiz["question_count"], quiz["max_score"]) == (2, 8)
        assert quiz["mark_thresholds"] == {"five": 90.0, "four": 75.0, "three": 55.0}

        r = await client.patch(
            f"{API}/quizzes/{quiz['id']}",
            json={"question_ids": [q1["id"]], "time_limit_minutes": None, "title": "Зачёт"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        updated = r.json()
        assert updated["title"] == "Зачёт"
        assert updated["time_limit_minutes"] is None
        assert updated["max_score"] == 3
        assert updated["lesson_id"] == lesson["id"]

        r = await client.post(
            f"{API}/quizzes/{quiz['id']}/publish", headers=world.headers("teacher")
        )
        assert r.json()["published"] is True
        assert r.json()["published_at"] == NOW.isoformat().replace("+00:00", "Z")
        # a published quiz keeps at least one question
        r = await client.patch(
            f"{API}/quizzes/{quiz['id']}",
            json={"question_ids": []},
            headers=world.headers("teacher"),
        )
        assert_problem(r, 422, "quiz-empty")

        # what a student and a guardian see: the settings, not the composition
        for caller in ("student", "guardian"):
            r = await client.get(f"{API}/quizzes/{quiz['id']}", headers=world.headers(caller))
            assert r.status_code == 200, r.text
            assert r.json()["items"] is None
            assert r.json()["max_score"] == 3
            r = await client.get(f"{API}/quizzes", headers=world.headers(caller))
            assert [x["id"] for x in r.json()["items"]] == [quiz["id"]]
        r = await client.get(f"{API}/quizzes", headers=world.headers("student3"))
        assert r.json()["items"] == []

    async def test_publishing_an_empty_quiz_is_refused(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        quiz = await create_quiz(client, world, course["id"], [], publish=False)
        r = await client.post(
            f"{API}/quizzes/{quiz['id']}/publish", headers=world.headers("teacher")
        )
        assert_problem(r, 422, "quiz-empty")
        r = await client.get(f"{API}/quizzes/{quiz['id']}", headers=world.headers("teacher"))
        assert r.json()["published"] is False

    async def test_bad_quizzes_are_refused(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        clock: Clock,
        course: dict[str, Any],
    ) -> None:
        cid = course["id"]
        q = await add_question(client, world, cid, single())
        other_course = await create_course(client, world, subject="Физика")
        foreign = await add_question(client, world, other_course["id"], single())
        foreign_lesson = await create_lesson(client, world, other_course["id"])
        base = {"course_id": cid, "title": "Тест", "question_ids": [q["id"]]}
        cases: list[tuple[dict[str, Any], str]] = [
            ({"question_ids": [q["id"], q["id"]]}, "validation-error"),
            ({"time_limit_minutes": 0}, "validation-error"),
            ({"time_limit_minutes": 601}, "validation-error"),
            ({"max_attempts": 0}, "validation-error"),
            ({"control_type": "exam"}, "validation-error"),
            ({"opens_at": "2026-11-25T10:00:00"}, "validation-error"),
            ({"closes_at": "9999-12-31T23:59:59-05:00"}, "validation-error"),
            (
                {"opens_at": iso(NOW), "closes_at": iso(NOW - timedelta(minutes=1))},
                "validation-error",
            ),
            ({"mark_thresholds": {"five": 50, "four": 70, "three": 30}}, "validation-error"),
            ({"title": ""}, "validation-error"),
            ({"question_ids": [foreign["id"]]}, "unknown-question"),
            ({"question_ids": [new_id()]}, "unknown-question"),
            ({"lesson_id": foreign_lesson["id"]}, "unknown-lesson"),
            ({"lesson_id": new_id()}, "unknown-lesson"),
        ]
        for extra, code in cases:
            r = await client.post(
                f"{API}/quizzes", json={**base, **extra}, headers=world.headers("teacher")
            )
            assert_problem(r, 422, code)
        assert await count(learning_app, Quiz, world) == 0
        r = await client.post(
            f"{API}/quizzes",
            content=b"{not json",
            headers=world.headers("teacher", **{"Content-Type": "application/json"}),
        )
        assert_problem(r, 400, "malformed-json")

        quiz = await create_quiz(client, world, cid, [q["id"]], publish=False)
        url = f"{API}/quizzes/{quiz['id']}"
        for body, code in (
            ({"title": None}, "validation-error"),
            ({"max_attempts": None}, "validation-error"),
            ({"opens_at": iso(NOW), "closes_at": iso(NOW)}, "invalid-window"),
            ({"closes_at": iso(NOW - timedelta(days=1)), "opens_at": iso(NOW)}, "invalid-window"),
            ({"question_ids": [foreign["id"]]}, "unknown-question"),
        ):
            r = await client.patch(url, json=body, headers=world.headers("teacher"))
            assert_problem(r, 422, code)
        r = await client.get(url, headers=world.headers("teacher"))
        assert r.json()["opens_at"] is None
        assert [i["question_id"] for i in r.json()["items"]] == [q["id"]]

    async def test_attempted_quiz_and_its_questions_are_fixed(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        cid = course["id"]
        q1 = await add_question(client, world, cid, single())
        q2 = await add_question(client, world, cid, single("3 + 3 = ?", right="6"))
        spare = await add_question(client, world, cid, single("1 + 1 = ?", right="2"))
        quiz = await create_quiz(client, world, cid, [q1["id"], q2["id"]], max_attempts=2)
        teacher = world.headers("teacher")
        # before any attempt a question of the quiz may still change, not be deleted
        r = await client.put(
            f"{API}/question-bank/{q2['id']}", json=single("3 + 3 = ?", right="6"), headers=teacher
        )
        assert r.status_code == 200
        r = await client.delete(f"{API}/question-bank/{q2['id']}", headers=teacher)
        assert_problem(r, 409, "question-in-use")

        await start(client, world, quiz["id"])
        r = await client.put(
            f"{API}/question-bank/{q1['id']}", json=single(right="5", wrong=("4",)), headers=teacher
        )
        assert_problem(r, 409, "question-in-use")
        url = f"{API}/quizzes/{quiz['id']}"
        r = await client.patch(url, json={"question_ids": [q1["id"], spare["id"]]}, headers=teacher)
        assert_problem(r, 409, "quiz-has-attempts")
        r = await client.patch(
            url, json={"mark_thresholds": {"five": 90, "four": 80, "three": 70}}, headers=teacher
        )
        assert_problem(r, 409, "quiz-has-attempts")
        # the same composition, and the other settings, may still be sent
        r = await client.patch(
            url,
            json={
                "question_ids": [q1["id"], q2["id"]],
                "max_attempts": 5,
                "time_limit_minutes": 15,
            },
            headers=teacher,
        )
        assert r.status_code == 200, r.text
        assert r.json()["max_attempts"] == 5
        # a question in no attempted quiz is free
        r = await client.put(f"{API}/question-bank/{spare['id']}", json=free(), headers=teacher)
        assert r.status_code == 200
        r = await client.delete(f"{API}/question-bank/{spare['id']}", headers=teacher)
        assert r.status_code == 204

    async def test_release_can_be_withdrawn(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(client, world, course["id"], [q["id"]])
        url = f"{API}/quizzes/{quiz['id']}/answers-release"
        for released in (True, False):
            r = await client.put(url, json={"released": released}, headers=world.headers("admin"))
            assert r.status_code == 200
            assert r.json()["answers_released"] is released
        r = await client.put(url, json={"released": "yes"}, headers=world.headers("admin"))
        assert_problem(r, 422, "validation-error")


def _ids(items: list[dict[str, Any]]) -> set[str]:
    return {str(i["id"]) for i in items}


class TestListing:
    async def test_who_lists_which_quizzes(
        self, client: httpx.AsyncClient, world: World, clock: Clock
    ) -> None:
        mine = await create_course(client, world)
        theirs = await create_course(
            client, world, subject="Чтение", class_name="3А", teachers=("teacher2",), caller="admin"
        )
        q_mine = await add_question(client, world, mine["id"], single())
        q_theirs = await add_question(client, world, theirs["id"], single(), caller="teacher2")
        published = await create_quiz(client, world, mine["id"], [q_mine["id"]])
        draft = await create_quiz(client, world, mine["id"], [q_mine["id"]], publish=False)
        their_published = await create_quiz(
            client, world, theirs["id"], [q_theirs["id"]], caller="teacher2"
        )
        their_draft = await create_quiz(
            client, world, theirs["id"], [q_theirs["id"]], caller="teacher2", publish=False
        )

        async def listed(caller: str, **params: Any) -> set[str]:
            r = await client.get(f"{API}/quizzes", params=params, headers=world.headers(caller))
            assert r.status_code == 200, r.text
            return _ids(r.json()["items"])

        everything = {published["id"], draft["id"], their_published["id"], their_draft["id"]}
        assert await listed("admin") == everything
        assert await listed("staff") == everything
        assert await listed("teacher") == {published["id"], draft["id"], their_published["id"]}
        assert await listed("teacher", course_id=mine["id"]) == {published["id"], draft["id"]}
        assert await listed("student") == {published["id"]}
        assert await listed("guardian") == {published["id"]}
        assert await listed("student3") == {their_published["id"]}
        assert await listed("guardian2") == {published["id"]}
        r = await client.get(f"{API}/quizzes/{their_draft['id']}", headers=world.headers("teacher"))
        assert_problem(r, 404, "quiz-not-found")
        r = await client.get(
            f"{API}/quizzes/{their_published['id']}", headers=world.headers("teacher")
        )
        assert r.status_code == 200
        assert r.json()["items"] is None

    async def test_list_uses_a_constant_number_of_queries(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        clock: Clock,
        course: dict[str, Any],
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        await create_quiz(client, world, course["id"], [q["id"]])
        with count_statements(learning_app) as one:
            r = await client.get(f"{API}/quizzes", headers=world.headers("student"))
        assert len(r.json()["items"]) == 1
        for _ in range(5):
            await create_quiz(client, world, course["id"], [q["id"]])
        with count_statements(learning_app) as six:
            r = await client.get(f"{API}/quizzes", headers=world.headers("student"))
        assert len(r.json()["items"]) == 6
        assert six.count == one.count
