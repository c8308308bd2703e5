"""Who may do what with online tests (LE-8, X-7): every operation × every caller.

* the question bank and writing quizzes: the course's teacher ("teacher") and admins;
  staff, another teacher, students and guardians 403;
* reading a published quiz: the school's staff-level readers, the students of the
  course and their guardians; a student of another class 404;
* results and question statistics: the course's teacher, admins and staff; others 403;
* attempts: started, answered and submitted by the student only (another child 404,
  staff 403); read by the student, their guardian and the reviewers (another teacher
  403, another child 404); graded by the course's teacher and admins;
* identifications: platform services only;
* anonymous 401 everywhere; callers of another school 404 for anything of this one;
  a service token 403 for the people's operations.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.learning.courses_support import create_course
from tests.learning.quizzes_support import (
    API,
    NOW,
    add_question,
    answer,
    create_quiz,
    free,
    install_clock,
    iso,
    new_id,
    option_id,
    single,
    start,
    submit,
)
from tests.support.service_world import World, service_headers

COVERED: set[str] = {
    "learning_create_quiz_question",
    "learning_list_quiz_questions",
    "learning_get_quiz_question",
    "learning_replace_quiz_question",
    "learning_delete_quiz_question",
    "learning_create_quiz",
    "learning_list_quizzes",
    "learning_get_quiz",
    "learning_update_quiz",
    "learning_publish_quiz",
    "learning_set_quiz_answers_release",
    "learning_start_quiz_attempt",
    "learning_list_quiz_attempts",
    "learning_get_quiz_attempt",
    "learning_save_quiz_answer",
    "learning_submit_quiz_attempt",
    "learning_grade_quiz_attempt",
    "learning_get_quiz_results",
    "learning_get_quiz_question_stats",
    "learning_record_quiz_identification",
}

# In this order: refusals first, the successful writers last.
CALLERS = (
    "anonymous",
    "service",
    "other_admin",
    "other_teacher",
    "other_student",
    "other_guardian",
    "staff",
    "teacher2",
    "student3",
    "guardian2",
    "student2",
    "guardian",
    "student",
    "teacher",
    "admin",
)
OTHER_SCHOOL = ("other_admin", "other_teacher", "other_student", "other_guardian")


@dataclass
class Ctx:
    app: FastAPI
    client: httpx.AsyncClient
    world: World
    other: World
    course: str
    question: dict[str, Any]  # single choice, in `quiz`
    essay: dict[str, Any]  # free text, in `quiz`
    quiz: str  # published, many attempts
    draft: str  # not published
    finished: str  # student's submitted attempt of `quiz`, essay answered
    open_attempt: str  # student's open attempt of one quiz
    submit_attempt: str  # student's open attempt of another
    start_quiz: str  # a quiz nobody has started

    def headers(self, caller: str) -> dict[str, str]:
        if caller == "anonymous":
            return {}
        if caller == "service":
            return service_headers("compliance")
        if caller.startswith("other_"):
            return self.other.headers(caller.removeprefix("other_"))
        return self.world.headers(caller)


@pytest.fixture
async def ctx(
    learning_app: FastAPI, client: httpx.AsyncClient, world: World, other_world: World
) -> Ctx:
    install_clock(learning_app)
    course = await create_course(client, world)
    await create_course(client, other_world)
    question = await add_question(client, world, course["id"], single())
    essay = await add_question(client, world, course["id"], free())
    quiz = await create_quiz(
        client, world, course["id"], [question["id"], essay["id"]], max_attempts=50
    )
    draft = await create_quiz(client, world, course["id"], [question["id"]], publish=False)
    finished = await start(client, world, quiz["id"])
    r = await answer(client, world, finished["id"], essay["id"], {"text": "Развёрнутый ответ"})
    assert r.status_code == 200
    assert (await submit(client, world, finished["id"])).status_code == 200
    open_quiz = await create_quiz(client, world, course["id"], [question["id"]])
    open_attempt = await start(client, world, open_quiz["id"])
    submit_quiz = await create_quiz(client, world, course["id"], [question["id"]])
    submit_attempt = await start(client, world, submit_quiz["id"])
    start_quiz = await create_quiz(client, world, course["id"], [question["id"]])
    return Ctx(
        app=learning_app,
        client=client,
        world=world,
        other=other_world,
        course=course["id"],
        question=question,
        essay=essay,
        quiz=quiz["id"],
        draft=draft["id"],
        finished=finished["id"],
        open_attempt=open_attempt["id"],
        submit_attempt=submit_attempt["id"],
        start_quiz=start_quiz["id"],
    )


Call = Callable[[Ctx, str], Awaitable[httpx.Response]]


def expect(default: int, **by_caller: int) -> dict[str, int]:
    """Statuses per caller: anonymous 401, another school 404, a service token 403."""
    out = dict.fromkeys(CALLERS, default)
    out["anonymous"] = 401
    out["service"] = 403
    for c in OTHER_SCHOOL:
        out[c] = 404
    out.update(by_caller)
    return out


# Writes of the course's teacher and admins.
def writers(ok: int) -> dict[str, int]:
    return expect(403, teacher=ok, admin=ok)


def reviewers(ok: int) -> dict[str, int]:
    return expect(403, teacher=ok, admin=ok, staff=ok)


# -- the calls --------------------------------------------------------------------------


async def create_question(c: Ctx, who: str) -> httpx.Response:
    body = {"course_id": c.course, **single("Новый вопрос")}
    return await c.client.post(f"{API}/question-bank", json=body, headers=c.headers(who))


async def list_questions(c: Ctx, who: str) -> httpx.Response:
    return await c.client.get(
        f"{API}/question-bank", params={"course_id": c.course}, headers=c.headers(who)
    )


async def get_question(c: Ctx, who: str) -> httpx.Response:
    return await c.client.get(f"{API}/question-bank/{c.question['id']}", headers=c.headers(who))


async def replace_question(c: Ctx, who: str) -> httpx.Response:
    # the essay is in an attempted quiz: a fresh question is replaced instead
    fresh = await add_question(c.client, c.world, c.course, single("Черновик"))
    return await c.client.put(
        f"{API}/question-bank/{fresh['id']}", json=free(), headers=c.headers(who)
    )


async def delete_question(c: Ctx, who: str) -> httpx.Response:
    fresh = await add_question(c.client, c.world, c.course, single("Удаляемый"))
    return await c.client.delete(f"{API}/question-bank/{fresh['id']}", headers=c.headers(who))


async def create_quiz_call(c: Ctx, who: str) -> httpx.Response:
    body = {"course_id": c.course, "title": "Новый тест", "question_ids": [c.question["id"]]}
    return await c.client.post(f"{API}/quizzes", json=body, headers=c.headers(who))


async def list_quizzes(c: Ctx, who: str) -> httpx.Response:
    r = await c.client.get(f"{API}/quizzes", headers=c.headers(who))
    if r.status_code == 200:
        listed = {q["id"] for q in r.json()["items"]}
        sees = who not in OTHER_SCHOOL and who not in ("student3",)
        assert (c.quiz in listed) is sees, who
    return r


async def get_quiz(c: Ctx, who: str) -> httpx.Response:
    return await c.client.get(f"{API}/quizzes/{c.quiz}", headers=c.headers(who))


async def get_draft(c: Ctx, who: str) -> httpx.Response:
    return await c.client.get(f"{API}/quizzes/{c.draft}", headers=c.headers(who))


async def update_quiz(c: Ctx, who: str) -> httpx.Response:
    return await c.client.patch(
        f"{API}/quizzes/{c.quiz}", json={"description": "Повторение"}, headers=c.headers(who)
    )


async def publish_quiz(c: Ctx, who: str) -> httpx.Response:
    return await c.client.post(f"{API}/quizzes/{c.draft}/publish", headers=c.headers(who))


async def release_answers(c: Ctx, who: str) -> httpx.Response:
    return await c.client.put(
        f"{API}/quizzes/{c.quiz}/answers-release",
        json={"released": False},
        headers=c.headers(who),
    )


async def start_attempt(c: Ctx, who: str) -> httpx.Response:
    return await c.client.post(f"{API}/quizzes/{c.start_quiz}/attempts", headers=c.headers(who))


async def list_attempts(c: Ctx, who: str) -> httpx.Response:
    params = {"student_id": str(c.world.id("student"))}
    return await c.client.get(f"{API}/quizzes/attempts", params=params, headers=c.headers(who))


async def get_attempt(c: Ctx, who: str) -> httpx.Response:
    return await c.client.get(f"{API}/quizzes/attempts/{c.finished}", headers=c.headers(who))


async def save_answer(c: Ctx, who: str) -> httpx.Response:
    body = {"option_ids": [option_id(c.question, "4")]}
    return await c.client.put(
        f"{API}/quizzes/attempts/{c.open_attempt}/answers/{c.question['id']}",
        json=body,
        headers=c.headers(who),
    )


async def submit_attempt(c: Ctx, who: str) -> httpx.Response:
    return await c.client.post(
        f"{API}/quizzes/attempts/{c.submit_attempt}/submit", headers=c.headers(who)
    )


async def grade_attempt(c: Ctx, who: str) -> httpx.Response:
    return await c.client.post(
        f"{API}/quizzes/attempts/{c.finished}/grades",
        json={"grades": [{"question_id": c.essay["id"], "points": 3}]},
        headers=c.headers(who),
    )


async def results(c: Ctx, who: str) -> httpx.Response:
    return await c.client.get(f"{API}/quizzes/{c.quiz}/results", headers=c.headers(who))


async def question_stats(c: Ctx, who: str) -> httpx.Response:
    return await c.client.get(f"{API}/quizzes/{c.quiz}/question-stats", headers=c.headers(who))


async def record_identification(c: Ctx, who: str) -> httpx.Response:
    body = {
        "school_id": str(c.world.school_id),
        "student_id": str(c.world.id("student")),
        "attestation_event_id": new_id(),
        "method": "video",
        "identified_at": iso(NOW),
    }
    return await c.client.post(f"{API}/quizzes/identifications", json=body, headers=c.headers(who))


STUDENT_READ = {"student": 200, "student2": 200, "guardian": 200, "guardian2": 200}

MATRIX: dict[str, tuple[Call, dict[str, int]]] = {
    "create_question": (create_question, writers(201)),
    "list_questions": (list_questions, writers(200)),
    "get_question": (get_question, writers(200)),
    "replace_question": (replace_question, writers(200)),
    "delete_question": (delete_question, writers(204)),
    "create_quiz": (create_quiz_call, writers(201)),
    # another school lists its own quizzes, none of these (checked in the call)
    "list_quizzes": (list_quizzes, expect(200, **dict.fromkeys(OTHER_SCHOOL, 200))),
    "get_quiz": (
        get_quiz,
        expect(404, staff=200, teacher=200, teacher2=200, admin=200, **STUDENT_READ),
    ),
    "get_draft": (get_draft, expect(404, staff=200, teacher=200, admin=200)),
    "update_quiz": (update_quiz, writers(200)),
    "publish_quiz": (publish_quiz, writers(200)),
    "release_answers": (release_answers, writers(200)),
    "start_attempt": (start_attempt, expect(403, student=201, student2=201, student3=404)),
    "list_attempts": (
        list_attempts,
        expect(200, student2=404, guardian2=404, student3=404, service=403),
    ),
    "get_attempt": (
        get_attempt,
        expect(200, teacher2=403, student2=404, student3=404, guardian2=404),
    ),
    "save_answer": (
        save_answer,
        expect(403, student=200, student2=404, student3=404, guardian2=404),
    ),
    "submit_attempt": (
        submit_attempt,
        expect(403, student=200, student2=404, student3=404, guardian2=404),
    ),
    "grade_attempt": (
        grade_attempt,
        expect(403, teacher=200, admin=200, student2=404, student3=404, guardian2=404),
    ),
    "results": (results, reviewers(200)),
    "question_stats": (question_stats, reviewers(200)),
    "record_identification": (
        record_identification,
        expect(403, anonymous=401, service=201, **dict.fromkeys(OTHER_SCHOOL, 403)),
    ),
}


@pytest.mark.parametrize("row", list(MATRIX))
async def test_access(ctx: Ctx, row: str) -> None:
    call, expected = MATRIX[row]
    got = {}
    for caller in CALLERS:
        r = await call(ctx, caller)
        got[caller] = r.status_code
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json"), r.text
        elif caller not in OTHER_SCHOOL:
            # nothing of the other school ever shows up
            assert str(ctx.other.school_id) not in r.text
    assert got == expected
