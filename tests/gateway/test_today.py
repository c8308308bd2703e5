"""GW-4: the composed "today" view at the gateway, against fake services.

The services here are small FastAPI apps under uvicorn that answer the reads the view
makes with fixed data (the real services are exercised in
``tests/platform/test_today.py``). What is under test: the calls carry the caller's
token, the parts come back in the documented shape, a slow or dead service costs only
its own part within the time budget (never a 500 or a hang), and bad input is refused
before any service is asked.

No timing assertions: every call runs under a hard ``asyncio.wait_for`` guard (a hang
fails the test), and the budget is configuration.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from gateway.app import create_app
from gateway.today_schemas import TodayView
from services.common.auth import NO_SCHOOL, SERVICE_ROLE
from tests.gateway.conftest import gateway_settings, running
from tests.gateway.upstreams import serve
from tests.support.keys import mint, test_jwks

GUARD = 10  # seconds: far above any budget below; reaching it means a hang
PATH = "/api/v1/gateway/today"
# the access matrix of the operation (anonymous, roles without a view, service token)
COVERED: set[str] = {"gateway_get_today"}
SCHOOL = uuid.uuid4()
STUDENT = uuid.uuid4()
CHILD = uuid.uuid4()
TEACHER = uuid.uuid4()
COURSE = uuid.uuid4()
CLASS = uuid.uuid4()
LESSON = uuid.uuid4()
ZONE = "Europe/Samara"


@dataclass
class Calls:
    """What the fake services were asked: (service, path, query, authorization)."""

    seen: list[tuple[str, str, dict[str, str], str]] = field(default_factory=list)
    # a "slow" journal holds its answer until the test is over
    release: asyncio.Event = field(default_factory=asyncio.Event)
    # the outcome of the check learning made before publishing the lesson, if any
    stored_check: dict[str, Any] | None = None

    def paths(self, service: str) -> list[str]:
        return [p for s, p, _, _ in self.seen if s == service]


def _lesson(day: str) -> dict[str, Any]:
    return {
        "id": str(LESSON),
        "course": {
            "id": str(COURSE),
            "subject": "Математика",
            "class_group_id": str(CLASS),
            "class_name": "7Б",
            "grade": 7,
            "level": "basic",
            "subgroup": None,
        },
        "date": day,
        "starts_at": "09:00",
        "starts_at_utc": f"{day}T05:00:00Z",
        "duration_minutes": 30,
        "lesson_number": 1,
        "topic": {"id": str(uuid.uuid4()), "position": 1, "title": "Дроби"},
        "organisational_form": "lesson",
        "delivery_form": "distance",
        "support_mode": None,
        "devices": [{"device": "pc", "minutes": 25, "kind": "viewing"}],
        "screen_minutes": 25,
        "video_room_url": "https://sferum.example/room/1",
        "room": None,
        "status": "scheduled",
        "cancel_reason": None,
        "teachers": [],
        "teacher": {"id": str(TEACHER), "last_name": "Кузнецов", "first_name": "Андрей"},
        "substitute_teacher": None,
        "homework": "№ 12",
        "alternative": "Карточка в кабинете 12",
        "template_id": None,
        "version": 1,
    }


def fake_services(calls: Calls, *, slow_journal: bool = False, roles: list[str]) -> FastAPI:
    """One app answering for all four services (each under its own prefix)."""
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    def note(service: str, request: Request) -> None:
        calls.seen.append(
            (
                service,
                request.url.path,
                dict(request.query_params),
                request.headers.get("authorization", ""),
            )
        )

    @app.get("/api/v1/identity/me")
    async def me(request: Request) -> dict[str, Any]:
        note("identity", request)
        return {
            "id": str(STUDENT),
            "last_name": "Иванов",
            "first_name": "Михаил",
            "middle_name": None,
            "roles": roles,
            "school": {"id": str(SCHOOL), "name": "Школа", "short_name": "Ш", "timezone": ZONE},
        }

    @app.get("/api/v1/identity/me/children")
    async def children(request: Request) -> dict[str, Any]:
        note("identity", request)
        child = {"id": str(CHILD), "last_name": "Иванова", "first_name": "Анна"}
        return {"items": [{"guardianship_id": str(uuid.uuid4()), "child": child}]}

    @app.get("/api/v1/learning/timetable")
    async def timetable(request: Request) -> dict[str, Any]:
        note("learning", request)
        day = request.query_params["from"]
        lesson = _lesson(day)
        if calls.stored_check is not None:
            lesson["compliance"] = calls.stored_check
        return {"from": day, "to": day, "timezone": ZONE, "lessons": [lesson]}

    @app.get("/api/v1/learning/assignments")
    async def assignments(request: Request) -> dict[str, Any]:
        note("learning", request)
        return {
            "items": [
                {
                    "id": str(uuid.uuid4()),
                    "course_id": str(COURSE),
                    "subject": "Математика",
                    "lesson_id": None,
                    "title": "Домашняя работа",
                    "due_at": "2026-11-26T16:00:00Z",
                    "due_local": "2026-11-26T20:00:00",
                    "delivery_form": "e_learning",
                    "alternative": None,
                    "expected_screen_minutes": [{"device": "pc", "minutes": 15}],
                    "work": {"student_id": str(STUDENT), "submission_id": None},
                }
            ],
            "next_cursor": None,
        }

    @app.get("/api/v1/learning/courses")
    async def courses(request: Request) -> dict[str, Any]:
        note("learning", request)
        return {"items": [{"id": str(COURSE), "subject": "Математика"}]}

    @app.get("/api/v1/learning/reports/unreviewed")
    async def unreviewed(request: Request) -> dict[str, Any]:
        note("learning", request)
        # one work per report date (today's and yesterday's), not yet reviewed
        works = [
            {
                "submission_id": str(uuid.uuid5(COURSE, request.query_params["date"])),
                "assignment_id": str(uuid.uuid4()),
                "assignment_title": "Эссе",
                "course_id": str(COURSE),
                "subject": "Литература",
                "student_id": str(STUDENT),
                "student_name": "Иванов Михаил",
                "version": 1,
                "channel": "platform",
                "received_at": "2026-11-26T06:00:00Z",
                "received_local": "2026-11-26T10:00:00",
                "review_due_at": "2026-11-26T12:00:00Z",
                "review_due_local": "2026-11-26T16:00:00",
                "reviewed_at": None,
                "state": "pending",
            }
        ]
        return {"teachers": [{"teacher_id": str(TEACHER), "works": works}]}

    @app.get("/api/v1/journal/marks", response_model=None)
    async def marks(request: Request) -> dict[str, Any] | JSONResponse:
        note("journal", request)
        if request.query_params["student_id"] == str(CHILD):
            # a refusal of the service is passed on as that part's error
            return JSONResponse(
                {
                    "type": "urn:eo:problem:not-found",
                    "title": "Не найдено",
                    "status": 404,
                    "detail": "Обучающийся не найден",
                },
                status_code=404,
                media_type="application/problem+json",
            )
        if slow_journal:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(calls.release.wait(), GUARD)
        now = datetime.now(UTC).isoformat()
        return {
            "items": [
                {
                    "id": str(uuid.uuid4()),
                    "course_id": str(COURSE),
                    "lesson_id": str(LESSON),
                    "student_id": request.query_params["student_id"],
                    "value": "5",
                    "control_type": "current_control",
                    "weight": 1.0,
                    "date": now[:10],
                    "comment": "Отлично",
                    "source": "manual",
                    "created_at": now,
                    "updated_at": now,
                }
            ]
        }

    @app.post("/api/v1/compliance/norms/checks/lesson")
    async def check(request: Request) -> dict[str, Any]:
        note("compliance", request)
        assert request.headers["content-type"] == "application/json"
        body = await request.json()
        return {
            "check_id": str(uuid.uuid4()),
            "status": "warned",
            "blocking": False,
            "violations": [
                {
                    "message": f"Урок {body['ref']}: непрерывно 25 мин",
                    "clause": "Положение, п. 5.11",
                    "set_code": "regulation",
                    "severity": "warn",
                    "device": None,
                    "limit": 20,
                    "actual": 25,
                }
            ],
        }

    @app.get("/api/v1/compliance/screen-time/students/{student_id}/days/{day}")
    async def screen_time(request: Request, student_id: str, day: str) -> dict[str, Any]:
        note("compliance", request)
        limit = {
            "measure": "daily_home",
            "device": "pc",
            "used_seconds": 3000,
            "used_minutes": 50,
            "limit_minutes": 120,
            "percent": 41,
            "threshold_reached": None,
            "rule_id": "sanpin-home-pc-5-9",
            "set_code": "sanpin",
            "set_version": 1,
            "clause": "СанПиН 1.2.3685-21, табл. 6.8",
        }
        school = {**limit, "measure": "daily_school", "used_minutes": 25, "limit_minutes": 40}
        return {
            "student_id": student_id,
            "date": day,
            "timezone": ZONE,
            "grade": 7,
            "class_group_id": str(CLASS),
            "total_minutes": 75,
            "usage": [
                {"device": "pc", "context": "home", "seconds": 3000, "minutes": 50},
                {"device": "pc", "context": "school", "seconds": 1500, "minutes": 25},
            ],
            "limits": [limit, school],
            "intervals": [],
            "alerts": [],
        }

    return app


Factory = Callable[..., AbstractAsyncContextManager[tuple[httpx.AsyncClient, Calls]]]


@pytest.fixture
def today_gateway(dead_url: str) -> Factory:
    """A gateway in front of the fake services; ``journal`` "slow" or "dead" on demand."""

    @asynccontextmanager
    async def factory(
        *, roles: list[str], journal: str = "ok", identity: str = "ok", **overrides: object
    ) -> AsyncIterator[tuple[httpx.AsyncClient, Calls]]:
        calls = Calls()
        async with (
            serve(fake_services(calls, roles=roles)) as url,
            serve(fake_services(calls, roles=roles, slow_journal=True)) as slow,
        ):
            journal_url = {"ok": url, "slow": slow, "dead": dead_url}[journal]
            identity_url = {"ok": url, "dead": dead_url}[identity]
            settings = gateway_settings(
                url, journal_url=journal_url, identity_url=identity_url, **overrides
            )
            app = create_app(settings, jwks_loader=test_jwks)
            try:
                async with running(app) as client:
                    yield client, calls
            finally:
                calls.release.set()

    return factory


def token(user: uuid.UUID, *roles: str, school: uuid.UUID = SCHOOL) -> dict[str, str]:
    return {"Authorization": "Bearer " + mint(user, school, roles)}


async def get(client: httpx.AsyncClient, headers: dict[str, str], **params: str) -> httpx.Response:
    return await asyncio.wait_for(client.get(PATH, params=params, headers=headers), GUARD)


def assert_problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:eo:problem:{code}"
    assert any("а" <= ch <= "я" for ch in body["title"].lower())
    return body


class TestStudent:
    async def test_one_request_composes_the_day_with_the_caller_s_token(
        self, today_gateway: Factory
    ) -> None:
        async with today_gateway(roles=["student"]) as (client, calls):
            headers = token(STUDENT, "student")
            response = await get(client, headers)
        assert response.status_code == 200, response.text
        body = response.json()
        TodayView.model_validate(body)  # the documented shape
        assert body["partial"] is False
        assert body["unavailable_services"] == []
        assert body["timezone"] == ZONE
        assert body["guardian"] is None
        assert body["teacher"] is None
        block = body["student"]
        assert block["student"]["last_name"] == "Иванов"
        sections = block["sections"]
        [lesson] = sections["lessons"]["items"]
        assert lesson["delivery_form"] == "distance"
        assert lesson["video_room_url"] == "https://sferum.example/room/1"
        assert lesson["alternative"] == "Карточка в кабинете 12"
        assert lesson["topic"] == "Дроби"
        assert lesson["teacher"] == "Кузнецов Андрей"
        [assignment] = sections["assignments"]["items"]
        assert assignment["submitted"] is False
        assert assignment["expected_screen_minutes"] == 15
        [mark] = sections["marks"]["items"]
        assert mark["value"] == "5"
        assert mark["subject"] == "Математика"
        assert mark["comment"] == "Отлично"
        screen = sections["screen_time"]
        assert screen["status"] == "ok"
        assert screen["used_minutes"] == 75
        assert screen["left_minutes"] == 15  # the nearest norm: 40 at school, 25 used
        assert [(lim["measure"], lim["left_minutes"]) for lim in screen["limits"]] == [
            ("daily_home", 70),
            ("daily_school", 15),
        ]
        # every service was asked with the caller's own token, about the caller
        assert {a for *_, a in calls.seen} == {headers["Authorization"]}
        queries = {p: q for s, p, q, _ in calls.seen}
        assert queries["/api/v1/learning/timetable"]["student_id"] == str(STUDENT)
        assert queries["/api/v1/journal/marks"]["student_id"] == str(STUDENT)
        assert queries["/api/v1/learning/assignments"]["status"] == "published"

    async def test_since_and_date_are_passed_on_in_the_school_s_terms(
        self, today_gateway: Factory
    ) -> None:
        async with today_gateway(roles=["student"]) as (client, calls):
            since = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
            day = datetime.now(UTC).date() + timedelta(days=1)
            response = await get(
                client,
                token(STUDENT, "student"),
                since=since.isoformat(),
                date=day.isoformat(),
            )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["date"] == day.isoformat()
        assert datetime.fromisoformat(body["since"]) == since
        queries = {p: q for s, p, q, _ in calls.seen}
        assert queries["/api/v1/learning/timetable"]["from"] == day.isoformat()
        assert datetime.fromisoformat(queries["/api/v1/journal/marks"]["changed_since"]) == since
        due = queries["/api/v1/learning/assignments"]
        assert due["due_from"] == day.isoformat()
        assert due["due_to"] == (day + timedelta(days=6)).isoformat()

    async def test_without_since_the_last_seven_days(self, today_gateway: Factory) -> None:
        async with today_gateway(roles=["student"]) as (client, _):
            before = datetime.now(UTC)
            response = await get(client, token(STUDENT, "student"))
        since = datetime.fromisoformat(response.json()["since"])
        assert timedelta(days=6, hours=23) < before - since < timedelta(days=7, minutes=1)


class TestBudget:
    async def test_a_slow_service_costs_only_its_part(self, today_gateway: Factory) -> None:
        async with today_gateway(roles=["student"], journal="slow", compose_budget_seconds=0.5) as (
            client,
            _,
        ):
            response = await get(client, token(STUDENT, "student"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["partial"] is True
        assert body["unavailable_services"] == ["journal"]
        sections = body["student"]["sections"]
        marks = sections["marks"]
        assert marks["status"] == "unavailable"
        assert marks["service"] == "journal"
        assert marks["detail"] == "Сервис journal не ответил за 0.5 с"
        assert marks["items"] == []
        assert sections["lessons"]["status"] == "ok"
        assert sections["assignments"]["status"] == "ok"

    async def test_a_dead_service_is_reported_not_a_500(self, today_gateway: Factory) -> None:
        async with today_gateway(roles=["student"], journal="dead") as (client, _):
            response = await get(client, token(STUDENT, "student"))
        assert response.status_code == 200, response.text
        marks = response.json()["student"]["sections"]["marks"]
        assert marks["status"] == "unavailable"
        assert marks["detail"] == "Сервис journal недоступен"

    def test_the_budget_is_a_setting(self) -> None:
        assert gateway_settings("http://127.0.0.1:1").compose_budget_seconds == 2.0
        with pytest.raises(ValueError):
            gateway_settings("http://127.0.0.1:1", compose_budget_seconds=0)


class TestIdentityDown:
    async def test_a_guardian_without_identity_gets_a_marked_part(
        self, today_gateway: Factory
    ) -> None:
        async with today_gateway(
            roles=["guardian"], identity="dead", today_fallback_timezone="Asia/Yekaterinburg"
        ) as (client, _):
            response = await get(client, token(uuid.uuid4(), "guardian"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["partial"] is True
        assert body["unavailable_services"] == ["identity"]
        assert body["timezone"] == "Asia/Yekaterinburg"  # never seen the school: fallback
        assert body["guardian"]["status"] == "unavailable"
        assert body["guardian"]["detail"] == "Сервис identity недоступен"
        assert body["guardian"]["children"] == []

    async def test_a_student_still_gets_the_day(self, today_gateway: Factory) -> None:
        async with today_gateway(roles=["student"], identity="dead") as (client, _):
            response = await get(client, token(STUDENT, "student"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["unavailable_services"] == ["identity"]
        assert body["student"]["student"]["id"] == str(STUDENT)
        assert body["student"]["sections"]["lessons"]["status"] == "ok"


class TestGuardianAndTeacher:
    async def test_guardian_gets_one_block_per_child(self, today_gateway: Factory) -> None:
        async with today_gateway(roles=["guardian"]) as (client, calls):
            response = await get(client, token(uuid.uuid4(), "guardian"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["student"] is None
        guardian = body["guardian"]
        assert guardian["status"] == "ok"
        [child] = guardian["children"]
        assert child["student"]["id"] == str(CHILD)
        assert child["sections"]["lessons"]["items"][0]["id"] == str(LESSON)
        marks = child["sections"]["marks"]
        assert marks["status"] == "error"
        assert marks["detail"] == "Обучающийся не найден"
        assert body["partial"] is True
        assert body["unavailable_services"] == ["journal"]
        queries = [q for s, p, q, _ in calls.seen if p == "/api/v1/learning/timetable"]
        assert [q["student_id"] for q in queries] == [str(CHILD)]

    async def test_teacher_gets_lessons_works_to_review_and_plan_warnings(
        self, today_gateway: Factory
    ) -> None:
        async with today_gateway(roles=["teacher"]) as (client, calls):
            response = await get(client, token(TEACHER, "teacher"))
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["student"] is None
        assert body["guardian"] is None
        sections = body["teacher"]["sections"]
        assert [ls["id"] for ls in sections["lessons"]["items"]] == [str(LESSON)]
        # works received today and yesterday, each once, by review deadline
        assert len(sections["reviews"]["items"]) == 2
        compliance = sections["compliance"]
        assert compliance["status"] == "ok"
        assert compliance["checked_lessons"] == 1
        [warning] = compliance["items"]
        assert warning["lesson_id"] == str(LESSON)
        assert warning["violations"][0]["clause"] == "Положение, п. 5.11"
        reports = [q for s, p, q, _ in calls.seen if p.endswith("/reports/unreviewed")]
        assert {q["teacher_id"] for q in reports} == {str(TEACHER)}

    async def test_warnings_stored_by_learning_are_shown_without_a_new_check(
        self, today_gateway: Factory
    ) -> None:
        async with today_gateway(roles=["teacher"]) as (client, calls):
            calls.stored_check = {
                "status": "warnings",
                "check_id": str(uuid.uuid4()),
                "checked_at": "2026-11-20T10:00:00Z",
                "violations": [
                    {
                        "rule": "sp-copying-5-9",
                        "set_code": "sp-2.4.3648-20",
                        "set_version": 1,
                        "clause": "СП 2.4.3648-20, п. 2.10.2",
                        "measure": "continuous_copying",
                        "device": "pc",
                        "limit": 15,
                        "actual": 18,
                        "unit": "min",
                        "severity": "warn",
                        "message": "Непрерывное списывание с экрана 18 мин",
                    }
                ],
            }
            response = await get(client, token(TEACHER, "teacher"))
        compliance = response.json()["teacher"]["sections"]["compliance"]
        assert compliance["status"] == "ok"
        assert compliance["checked_lessons"] == 1
        [warning] = compliance["items"]
        assert warning["status"] == "warnings"
        assert warning["violations"][0]["clause"] == "СП 2.4.3648-20, п. 2.10.2"
        assert calls.paths("compliance") == []  # nothing re-checked

    async def test_a_plan_that_cannot_be_checked_is_listed(
        self, today_gateway: Factory, dead_url: str
    ) -> None:
        async with today_gateway(roles=["teacher"], compliance_url=dead_url) as (client, _):
            response = await get(client, token(TEACHER, "teacher"))
        assert response.status_code == 200, response.text
        body = response.json()
        compliance = body["teacher"]["sections"]["compliance"]
        assert compliance["status"] == "unavailable"
        assert compliance["detail"] == "Сервис compliance недоступен"
        assert [w["status"] for w in compliance["items"]] == ["not_checked"]
        assert body["unavailable_services"] == ["compliance"]


class TestAccessAndBadInput:
    async def test_anonymous_is_401(self, today_gateway: Factory) -> None:
        async with today_gateway(roles=["student"]) as (client, calls):
            response = await asyncio.wait_for(client.get(PATH), GUARD)
        assert_problem(response, 401, "unauthorized")
        assert calls.seen == []

    @pytest.mark.parametrize("roles", [[SERVICE_ROLE], ["admin"], ["staff"]])
    async def test_roles_without_a_view_are_403(
        self, today_gateway: Factory, roles: list[str]
    ) -> None:
        school = NO_SCHOOL if roles == [SERVICE_ROLE] else SCHOOL
        async with today_gateway(roles=roles) as (client, calls):
            response = await get(client, token(uuid.uuid4(), *roles, school=school))
        body = assert_problem(response, 403, "today-forbidden")
        assert "педагог" in body["detail"]
        assert calls.seen == []

    @pytest.mark.parametrize(
        ("params", "field"),
        [
            ({"since": "вчера"}, "query.since"),
            ({"since": "2026-13-01"}, "query.since"),
            ({"since": "2026-11-25T25:00"}, "query.since"),
            ({"since": ""}, "query.since"),
            ({"date": "26.11.2026"}, "query.date"),
            ({"date": "2026-02-30"}, "query.date"),
            ({"date": "x" * 100}, "query.date"),
        ],
    )
    async def test_malformed_parameters_are_422_before_any_call(
        self, today_gateway: Factory, params: dict[str, str], field: str
    ) -> None:
        async with today_gateway(roles=["student"]) as (client, calls):
            response = await get(client, token(STUDENT, "student"), **params)
        body = assert_problem(response, 422, "validation-error")
        assert [e["field"] for e in body["errors"]] == [field]
        assert calls.seen == []

    async def test_a_repeated_parameter_is_422(self, today_gateway: Factory) -> None:
        async with today_gateway(roles=["student"]) as (client, _):
            response = await asyncio.wait_for(
                client.get(
                    PATH + "?date=2026-11-25&date=2026-11-26", headers=token(STUDENT, "student")
                ),
                GUARD,
            )
        assert_problem(response, 422, "validation-error")

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            ({"since": (datetime.now(UTC) + timedelta(days=1)).isoformat()}, "since-in-future"),
            ({"since": "2000-01-01"}, "since-too-old"),
            ({"date": "2000-01-01"}, "date-out-of-range"),
        ],
    )
    async def test_out_of_range_values_are_400(
        self, today_gateway: Factory, params: dict[str, str], code: str
    ) -> None:
        async with today_gateway(roles=["student"]) as (client, calls):
            response = await get(client, token(STUDENT, "student"), **params)
        assert_problem(response, 400, code)
        # only identity was asked (for the school's time zone): nothing else
        assert {s for s, *_ in calls.seen} == {"identity"}

    async def test_other_methods_and_paths(self, today_gateway: Factory) -> None:
        async with today_gateway(roles=["student"]) as (client, _):
            headers = token(STUDENT, "student")
            post = await client.post(PATH, headers=headers)
            other = await client.get("/api/v1/gateway/yesterday", headers=headers)
        assert_problem(post, 405, "method-not-allowed")
        assert post.headers["allow"] == "GET"
        assert_problem(other, 404, "not-found")
