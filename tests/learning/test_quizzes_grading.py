"""Grading of online tests (LE-8): choice questions without partial credit, numeric
answers within a tolerance (boundaries included), short answers compared without case,
spaces or ё/е, the quiz's own mark thresholds, free text graded by the teacher."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.learning.courses_support import create_course
from tests.learning.quizzes_support import (
    API,
    Clock,
    add_question,
    answer,
    assert_no_key,
    assert_problem,
    by_question,
    create_quiz,
    free,
    graded_events,
    install_clock,
    multiple,
    new_id,
    numeric,
    option_id,
    read_attempt,
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


class TestAutoGrading:
    async def _grade(
        self,
        client: httpx.AsyncClient,
        world: World,
        course_id: str,
        questions: list[dict[str, Any]],
        answers: list[str],
    ) -> list[bool]:
        quiz = await create_quiz(client, world, course_id, [q["id"] for q in questions])
        attempt = await start(client, world, quiz["id"])
        for q, text in zip(questions, answers, strict=True):
            r = await answer(client, world, attempt["id"], q["id"], {"text": text})
            assert r.status_code == 200, r.text
        r = await submit(client, world, attempt["id"])
        assert r.status_code == 200, r.text
        shown = by_question(await read_attempt(client, world, attempt["id"], "teacher"))
        return [bool(shown[q["id"]]["is_correct"]) for q in questions]

    async def test_numeric_tolerance_boundaries(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        answers = ["3.13", "3.15", "3,15", " 3.140 ", "3.151", "3.129", "-3.14", "314e-2"]
        qs = [
            await add_question(client, world, course["id"], numeric(f"π №{i}"))
            for i in range(len(answers))
        ]
        assert await self._grade(client, world, course["id"], qs, answers) == [
            True,
            True,
            True,
            True,
            False,
            False,
            False,
            True,
        ]

    async def test_exact_numeric_and_large_numbers(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        exact = await add_question(
            client, world, course["id"], numeric("Сколько?", value="1000", tolerance=None)
        )
        assert exact["numeric_tolerance"] == "0"
        qs = [
            exact,
            await add_question(
                client, world, course["id"], numeric("Сколько ещё?", value="1000", tolerance=None)
            ),
        ]
        assert await self._grade(client, world, course["id"], qs, ["1 000", "1000.0001"]) == [
            True,
            False,
        ]

    async def test_a_non_number_is_refused(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], numeric())
        quiz = await create_quiz(client, world, course["id"], [q["id"]])
        attempt = await start(client, world, quiz["id"])
        for bad in ("три", "1e99999", "3.1.4", "∞"):
            r = await answer(client, world, attempt["id"], q["id"], {"text": bad})
            assert_problem(r, 422, "invalid-number")

    async def test_short_answer_normalisation(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        answers = ["ёлка", "  ЕЛКА ", "Елка", "ель  обыкновенная", "ёлки", "", "ЕЛЬ"]
        qs = [
            await add_question(
                client,
                world,
                course["id"],
                short(f"Дерево №{i}", accepted=("Ёлка", "Ель обыкновенная")),
            )
            for i in range(len(answers))
        ]
        assert await self._grade(client, world, course["id"], qs, answers) == [
            True,
            True,
            True,
            True,
            False,
            False,
            False,
        ]

    async def test_choice_answers(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        s = await add_question(client, world, course["id"], single())
        m = await add_question(client, world, course["id"], multiple())
        m2 = await add_question(
            client, world, course["id"], multiple("Чётные", right=("2", "4"), wrong=("3", "5"))
        )
        quiz = await create_quiz(client, world, course["id"], [s["id"], m["id"], m2["id"]])
        attempt = await start(client, world, quiz["id"])
        aid = attempt["id"]
        # a single-choice question takes one option; unknown options and the wrong field are refused
        r = await answer(
            client, world, aid, s["id"], {"option_ids": [option_id(s, "4"), option_id(s, "3")]}
        )
        assert_problem(r, 422, "single-choice-only")
        r = await answer(client, world, aid, s["id"], {"option_ids": ["nope"]})
        assert_problem(r, 422, "unknown-option")
        r = await answer(client, world, aid, s["id"], {"text": "4"})
        assert_problem(r, 422, "answer-kind-mismatch")
        r = await answer(client, world, aid, s["id"], {"option_ids": ["x"], "text": "4"})
        assert_problem(r, 422, "validation-error")
        r = await answer(client, world, aid, new_id(), {"text": "4"})
        assert_problem(r, 404, "question-not-found")
        # the answer is replaced by the last save
        r = await answer(client, world, aid, s["id"], {"option_ids": [option_id(s, "3")]})
        assert r.status_code == 200
        r = await answer(client, world, aid, s["id"], {"option_ids": [option_id(s, "4")]})
        assert r.status_code == 200
        r = await answer(
            client, world, aid, m["id"], {"option_ids": [option_id(m, "3"), option_id(m, "2")]}
        )
        assert r.status_code == 200
        r = await answer(
            client,
            world,
            aid,
            m2["id"],
            {"option_ids": [option_id(m2, "2"), option_id(m2, "4"), option_id(m2, "3")]},
        )
        assert r.status_code == 200
        r = await submit(client, world, aid)
        assert r.status_code == 200, r.text
        assert r.json()["score"] == 3  # 1 + 2 + 0 (an extra wrong option loses the question)
        shown = by_question(await read_attempt(client, world, aid, "teacher"))
        assert [shown[q["id"]]["is_correct"] for q in (s, m, m2)] == [True, True, False]

    async def test_own_mark_thresholds(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        qs = [await add_question(client, world, course["id"], single(f"В{i}")) for i in range(4)]
        quiz = await create_quiz(
            client,
            world,
            course["id"],
            [q["id"] for q in qs],
            mark_thresholds={"five": 75, "four": 60, "three": 40},
        )
        attempt = await start(client, world, quiz["id"])
        for q in qs[:3]:
            await answer(client, world, attempt["id"], q["id"], {"option_ids": [option_id(q, "4")]})
        r = await submit(client, world, attempt["id"])
        # 75 %: "4" on the default scale, "5" on the quiz's own
        assert (r.json()["percent"], r.json()["mark"]) == (75.0, "5")


class TestFreeText:
    async def test_teacher_grades_free_text(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        s = await add_question(client, world, course["id"], single(points=1))
        f = await add_question(client, world, course["id"], free(points=5))
        f2 = await add_question(client, world, course["id"], free("Не отвечен", points=4))
        quiz = await create_quiz(client, world, course["id"], [s["id"], f["id"], f2["id"]])
        attempt = await start(client, world, quiz["id"])
        aid = attempt["id"]
        await answer(client, world, aid, s["id"], {"option_ids": [option_id(s, "4")]})
        await answer(client, world, aid, f["id"], {"text": "Потому что 2 + 2 = 4."})
        r = await submit(client, world, aid)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "awaiting_grading"
        assert r.json()["score"] is None  # not final: the student sees no score yet
        assert await graded_events(client, world) == []
        theirs = await read_attempt(client, world, aid, "teacher")
        assert theirs["pending_grading"] == 1
        assert theirs["score"] == 1

        url = f"{API}/quizzes/attempts/{aid}/grades"
        teacher = world.headers("teacher")
        r = await client.post(
            url, json={"grades": [{"question_id": f["id"], "points": 6}]}, headers=teacher
        )
        assert_problem(r, 422, "points-exceed-maximum")
        r = await client.post(
            url, json={"grades": [{"question_id": s["id"], "points": 1}]}, headers=teacher
        )
        assert_problem(r, 422, "not-manually-graded")
        r = await client.post(
            url, json={"grades": [{"question_id": f2["id"], "points": 1}]}, headers=teacher
        )
        assert_problem(r, 422, "no-answer")
        r = await client.post(
            url, json={"grades": [{"question_id": new_id(), "points": 1}]}, headers=teacher
        )
        assert_problem(r, 422, "question-not-in-attempt")
        r = await client.post(
            url, json={"grades": [{"question_id": f["id"], "points": -1}]}, headers=teacher
        )
        assert_problem(r, 422, "validation-error")
        r = await client.post(
            url,
            json={"grades": [{"question_id": f["id"], "points": 1}]},
            headers=world.headers("student"),
        )
        assert_problem(r, 403, "quiz-forbidden")
        assert (await read_attempt(client, world, aid, "teacher"))["pending_grading"] == 1

        r = await client.post(
            url,
            json={
                "grades": [{"question_id": f["id"], "points": 4, "comment": "Хорошо, но кратко"}]
            },
            headers=teacher,
        )
        assert r.status_code == 200, r.text
        graded = r.json()
        assert graded["status"] == "graded"
        assert (graded["score"], graded["max_score"], graded["percent"], graded["mark"]) == (
            5,
            10,
            50.0,
            "3",
        )
        events = await graded_events(client, world)
        assert [e["payload"]["mark"] for e in events] == ["3"]
        mine = await read_attempt(client, world, aid)
        assert (mine["score"], mine["mark"]) == (5, "3")
        assert_no_key(mine)  # the comment and points per question wait for the release too

    async def test_grading_an_open_attempt_is_refused(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        f = await add_question(client, world, course["id"], free())
        quiz = await create_quiz(client, world, course["id"], [f["id"]])
        attempt = await start(client, world, quiz["id"])
        await answer(client, world, attempt["id"], f["id"], {"text": "Ответ"})
        r = await client.post(
            f"{API}/quizzes/attempts/{attempt['id']}/grades",
            json={"grades": [{"question_id": f["id"], "points": 1}]},
            headers=world.headers("teacher"),
        )
        assert_problem(r, 422, "attempt-not-finished")
