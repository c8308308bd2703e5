"""Helpers for the online-tests tests (LE-8): a settable clock, bank questions and quizzes
made through the HTTP API, and a counter of SQL statements."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import event

from tests.support.service_world import World

API = "/api/v1/learning"
# 10:00 in Samara (UTC+4) on the tests' "today".
NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)


@dataclass
class Clock:
    """``app.state.clock``: the quizzes' server time, moved by the tests (no sleeps)."""

    now: datetime = NOW

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now = self.now + timedelta(**delta)


def install_clock(app: FastAPI, now: datetime = NOW) -> Clock:
    clock = Clock(now)
    app.state.clock = clock
    return clock


def iso(value: datetime) -> str:
    return value.isoformat()


# -- bank questions ---------------------------------------------------------------------


def single(
    text: str = "2 + 2 = ?",
    *,
    right: str = "4",
    wrong: tuple[str, ...] = ("3", "5"),
    points: int = 1,
) -> dict[str, Any]:
    options = [{"text": right, "correct": True}, *({"text": w} for w in wrong)]
    return {"kind": "single_choice", "text": text, "points": points, "options": options}


def multiple(
    text: str = "Простые числа",
    *,
    right: tuple[str, ...] = ("2", "3"),
    wrong: tuple[str, ...] = ("4", "6"),
    points: int = 2,
) -> dict[str, Any]:
    options = [*({"text": r, "correct": True} for r in right), *({"text": w} for w in wrong)]
    return {"kind": "multiple_choice", "text": text, "points": points, "options": options}


def short(
    text: str = "Хвойное дерево на Новый год",
    *,
    accepted: tuple[str, ...] = ("Ёлка",),
    points: int = 1,
) -> dict[str, Any]:
    return {
        "kind": "short_answer",
        "text": text,
        "points": points,
        "accepted_answers": list(accepted),
    }


def numeric(
    text: str = "Число π до сотых",
    *,
    value: str = "3.14",
    tolerance: str | None = "0.01",
    points: int = 1,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "numeric",
        "text": text,
        "points": points,
        "numeric_value": value,
    }
    if tolerance is not None:
        body["numeric_tolerance"] = tolerance
    return body


def free(text: str = "Объясните решение", *, points: int = 5) -> dict[str, Any]:
    return {"kind": "free_text", "text": text, "points": points}


async def add_question(
    client: httpx.AsyncClient,
    world: World,
    course_id: str,
    body: dict[str, Any],
    *,
    caller: str = "teacher",
) -> dict[str, Any]:
    r = await client.post(
        f"{API}/question-bank", json={"course_id": course_id, **body}, headers=world.headers(caller)
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def option_id(question: dict[str, Any], text: str) -> str:
    return next(str(o["id"]) for o in question["options"] if o["text"] == text)


# -- quizzes ----------------------------------------------------------------------------


async def create_quiz(
    client: httpx.AsyncClient,
    world: World,
    course_id: str,
    question_ids: list[str],
    *,
    caller: str = "teacher",
    publish: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "course_id": course_id,
        "title": "Контрольная работа",
        "question_ids": question_ids,
        **extra,
    }
    r = await client.post(f"{API}/quizzes", json=body, headers=world.headers(caller))
    assert r.status_code == 201, r.text
    quiz = dict(r.json())
    if publish:
        r = await client.post(f"{API}/quizzes/{quiz['id']}/publish", headers=world.headers(caller))
        assert r.status_code == 200, r.text
        quiz = dict(r.json())
    return quiz


async def start(
    client: httpx.AsyncClient, world: World, quiz_id: str, student: str = "student"
) -> dict[str, Any]:
    r = await client.post(f"{API}/quizzes/{quiz_id}/attempts", headers=world.headers(student))
    assert r.status_code == 201, r.text
    return dict(r.json())


async def answer(
    client: httpx.AsyncClient,
    world: World,
    attempt_id: str,
    question_id: str,
    body: dict[str, Any],
    student: str = "student",
) -> httpx.Response:
    return await client.put(
        f"{API}/quizzes/attempts/{attempt_id}/answers/{question_id}",
        json=body,
        headers=world.headers(student),
    )


async def submit(
    client: httpx.AsyncClient, world: World, attempt_id: str, student: str = "student"
) -> httpx.Response:
    return await client.post(
        f"{API}/quizzes/attempts/{attempt_id}/submit", headers=world.headers(student)
    )


async def read_attempt(
    client: httpx.AsyncClient, world: World, attempt_id: str, caller: str = "student"
) -> dict[str, Any]:
    r = await client.get(f"{API}/quizzes/attempts/{attempt_id}", headers=world.headers(caller))
    assert r.status_code == 200, r.text
    return dict(r.json())


def by_question(attempt: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {str(q["question_id"]): q for q in attempt["questions"]}


KEY_FIELDS = (
    "correct_option_ids",
    "accepted_answers",
    "numeric_value",
    "numeric_tolerance",
    "explanation",
    "is_correct",
    "points_awarded",
    "comment",
)


def assert_no_key(attempt: dict[str, Any]) -> None:
    """Nothing in the attempt tells the student what is right."""
    assert attempt["answers_revealed"] is False
    for q in attempt["questions"]:
        for name in KEY_FIELDS:
            assert q[name] is None, (name, q)
        for option in q["options"]:
            assert set(option) == {"id", "text"}


def assert_problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = dict(r.json())
    assert body["type"] == f"urn:eo:problem:{code}", body
    detail = str(body.get("detail") or "")
    assert any("а" <= ch.lower() <= "я" for ch in detail), body
    return body


async def graded_events(client: httpx.AsyncClient, world: World) -> list[dict[str, Any]]:
    r = await client.get(
        f"{API}/events",
        params={"types": "test_attempt.graded", "limit": 1000},
        headers=world.headers("admin"),
    )
    assert r.status_code == 200, r.text
    return list(r.json()["items"])


# -- counting SQL -----------------------------------------------------------------------


@dataclass
class Statements:
    count: int = 0
    sql: list[str] = field(default_factory=list)


@contextmanager
def count_statements(app: FastAPI) -> Iterator[Statements]:
    engine = app.state.database.engine.sync_engine
    seen = Statements()

    def listener(*args: Any, **_kw: Any) -> None:
        seen.count += 1
        seen.sql.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def new_id() -> str:
    return str(uuid.uuid4())
