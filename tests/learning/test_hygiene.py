"""The hygiene check before publishing (Reg §2.5, CO-2), against a real compliance.

Compliance runs under uvicorn with its own migrated database and the same school in
its directory replica; learning asks it over HTTP with a service token (minted with the
test key, which compliance verifies as it would identity's). Nothing of compliance's
rules is imitated: the limits are those of its built-in sets (СанПиН 1.2.3685-21,
table 6.8: a laptop in grades 5–9 at most 30 minutes a lesson; a PC at home at most 120
minutes a day). The unreachable cases use a port nothing listens on, and a server that
answers 503.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.hygiene.recheck import recheck_all
from services.learning.models import Assignment, Lesson
from tests.gateway.upstreams import serve
from tests.learning.conftest import DEAD_URL, NO_COMPLIANCE
from tests.learning.courses_support import API, create_course, events
from tests.support.databases import migrated_url
from tests.support.service_world import World, running_app, seed_directory, service_headers

LESSONS = "/lessons"
OVER = [{"device": "laptop", "minutes": 35, "kind": "interactive"}]  # limit 30 (grades 5–9)
FINE = [{"device": "laptop", "minutes": 15, "kind": "interactive"}]
HOME_OVER = [{"device": "pc", "minutes": 150}]  # limit 120 a day at home (grades 5–9)
HOME_FINE = [{"device": "pc", "minutes": 30}]


class MintedServiceTokens:
    """learning's service token, minted with the test key (identity is not running)."""

    async def headers(self) -> dict[str, str]:
        return service_headers("learning")

    def invalidate(self) -> None:
        return None


@pytest.fixture(scope="module")
def hygiene_compliance_db(db_backend: str) -> str:
    return migrated_url("compliance", db_backend)


@pytest.fixture
async def compliance(hygiene_compliance_db: str) -> AsyncIterator[tuple[FastAPI, str]]:
    async with running_app("compliance", hygiene_compliance_db) as app, serve(app) as url:
        yield app, url


@pytest.fixture
def learning_overrides(tmp_path: Path, compliance: tuple[FastAPI, str]) -> dict[str, object]:
    # the service default is "refuse": schools set what they want in each test
    return {"files_path": tmp_path / "files", "compliance_url": compliance[1]}


@pytest.fixture
async def school(learning_app: FastAPI, world: World, compliance: tuple[FastAPI, str]) -> World:
    """The world, known to compliance too, and learning holding a service token."""
    await seed_directory(compliance[0], world)
    learning_app.state.service_tokens = MintedServiceTokens()
    return world


async def settings(client: httpx.AsyncClient, world: World, **values: str) -> None:
    body = {
        "school_day_ends_at": "18:00",
        "compliance_unreachable": "refuse",
        "email_copies_enabled": False,
        **values,
    }
    r = await client.put(f"{API}/school-settings", json=body, headers=world.headers("admin"))
    assert r.status_code == 200, r.text


async def violation_mode(compliance: tuple[FastAPI, str], world: World, mode: str) -> None:
    """Set the school's block/warn decision where it lives: compliance's norm settings."""
    body = {
        "violation_mode": mode,
        "combined_daily_limit_enabled": False,
        "combined_daily_limit_minutes": None,
    }
    async with httpx.AsyncClient(base_url=compliance[1]) as c:
        r = await c.put(
            "/api/v1/compliance/norms/settings", json=body, headers=world.headers("admin")
        )
    assert r.status_code == 200, r.text
    assert r.json()["violation_mode"] == mode


async def count(app: FastAPI, model: Any, world: World) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count()).select_from(model).where(model.school_id == world.school_id)
        return int((await session.execute(stmt)).scalar_one())


def lesson_body(devices: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "date": "2026-11-26",
        "starts_at": "09:00",
        "duration_minutes": 40,
        "lesson_number": 2,
        "devices": devices,
        **extra,
    }


def assignment_body(course_id: str, screen: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "course_id": course_id,
        "title": "Проект",
        "due_at": "2027-03-10T18:00:00",
        "expected_screen_minutes": screen,
        **extra,
    }


def problem(r: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = r.json()
    assert body["type"] == f"urn:eo:problem:{code}"
    return body


async def compliance_check(compliance: tuple[FastAPI, str], world: World, check_id: str) -> Any:
    """The check as compliance recorded it (its history, read as the school's admin)."""
    async with httpx.AsyncClient(base_url=compliance[1]) as c:
        r = await c.get(
            f"/api/v1/compliance/norms/checks/{check_id}", headers=world.headers("admin")
        )
    assert r.status_code == 200, r.text
    return r.json()


class TestLessons:
    async def test_a_clean_lesson_is_checked_and_the_check_is_kept(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        school: World,
        compliance: tuple[FastAPI, str],
    ) -> None:
        course = await create_course(client, school)
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json=lesson_body(FINE),
            headers=school.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        check = r.json()["compliance"]
        assert check["status"] == "checked_ok"
        assert check["violations"] == []
        assert check["checked_at"] is not None
        recorded = await compliance_check(compliance, school, check["check_id"])
        assert recorded["kind"] == "lesson"
        assert recorded["status"] == "passed"
        (event,) = await events(client, school, "lesson.scheduled")
        assert event["payload"]["compliance_status"] == "checked_ok"
        # a lesson without screen devices needs no check
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json=lesson_body([], starts_at="10:00"),
            headers=school.headers("teacher"),
        )
        assert r.json()["compliance"] == {
            "status": "not_required",
            "violations": [],
            "checked_at": None,
            "check_id": None,
            "reason": None,
        }

    async def test_a_violation_blocks_and_nothing_is_stored(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        school: World,
        compliance: tuple[FastAPI, str],
    ) -> None:
        course = await create_course(client, school)
        await violation_mode(compliance, school, "block")
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json=lesson_body(OVER),
            headers=school.headers("teacher"),
        )
        body = problem(r, 422, "hygiene-norms-violated")
        assert "2.5" in body["detail"]
        per_lesson = [v for v in body["violations"] if v["measure"] == "per_lesson"]
        assert per_lesson, body["violations"]
        v = per_lesson[0]
        assert (v["device"], v["limit"], v["actual"], v["unit"]) == ("laptop", 30, 35, "min")
        assert v["severity"] == "block"
        assert "6.8" in v["clause"]
        assert v["rule"]
        assert v["set_code"]
        assert v["message"]
        assert body["check_id"]
        assert await count(learning_app, Lesson, school) == 0
        assert await events(client, school, "lesson.scheduled") == []

    async def test_warn_publishes_with_the_violations(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        school: World,
        compliance: tuple[FastAPI, str],
    ) -> None:
        course = await create_course(client, school)
        await violation_mode(compliance, school, "warn")
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json=lesson_body(OVER),
            headers=school.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        lesson = r.json()
        assert lesson["compliance"]["status"] == "warnings"
        v = next(v for v in lesson["compliance"]["violations"] if v["measure"] == "per_lesson")
        assert (v["limit"], v["actual"], v["severity"]) == (30, 35, "warn")
        # stored: the lesson read later says the same
        r = await client.get(f"{API}/lessons/{lesson['id']}", headers=school.headers("student"))
        assert r.json()["compliance"] == lesson["compliance"]
        (event,) = await events(client, school, "lesson.scheduled")
        assert event["payload"]["compliance_status"] == "warnings"

        # fixing the devices asks again; other changes do not
        r = await client.patch(
            f"{API}/lessons/{lesson['id']}",
            json={"devices": FINE},
            headers=school.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["compliance"]["status"] == "checked_ok"
        checked_at = r.json()["compliance"]["checked_at"]
        r = await client.patch(
            f"{API}/lessons/{lesson['id']}",
            json={"homework": "№ 5"},
            headers=school.headers("teacher"),
        )
        assert r.json()["compliance"]["checked_at"] == checked_at

        # under block, changing the lesson into a violation is refused and changes nothing
        await violation_mode(compliance, school, "block")
        r = await client.patch(
            f"{API}/lessons/{lesson['id']}",
            json={"devices": OVER},
            headers=school.headers("teacher"),
        )
        problem(r, 422, "hygiene-norms-violated")
        r = await client.get(f"{API}/lessons/{lesson['id']}", headers=school.headers("teacher"))
        assert r.json()["devices"] == FINE
        assert r.json()["version"] == 3

    async def test_generating_checks_each_template(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        school: World,
        compliance: tuple[FastAPI, str],
    ) -> None:
        course = await create_course(client, school)
        for weekday, devices in ((1, FINE), (3, OVER)):
            r = await client.post(
                f"{API}/courses/{course['id']}/timetable/templates",
                json={"weekday": weekday, "starts_at": "09:00", "devices": devices},
                headers=school.headers("teacher"),
            )
            assert r.status_code == 201, r.text
        period = {"from": "2026-11-23", "to": "2026-12-06"}
        r = await client.post(
            f"{API}/courses/{course['id']}/timetable/generate",
            json=period,
            headers=school.headers("teacher"),
        )
        problem(r, 422, "hygiene-norms-violated")  # compliance's default mode: block
        assert await count(learning_app, Lesson, school) == 0

        await violation_mode(compliance, school, "warn")
        r = await client.post(
            f"{API}/courses/{course['id']}/timetable/generate",
            json=period,
            headers=school.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["created"] == 4
        r = await client.get(
            f"{API}/timetable",
            params={"from": period["from"], "to": period["to"], "course_id": course["id"]},
            headers=school.headers("teacher"),
        )
        by_day = {ls["date"]: ls["compliance"]["status"] for ls in r.json()["lessons"]}
        assert by_day == {
            "2026-11-23": "checked_ok",
            "2026-11-25": "warnings",
            "2026-11-30": "checked_ok",
            "2026-12-02": "warnings",
        }


class TestAssignments:
    async def test_block_warn_and_clean(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        school: World,
        compliance: tuple[FastAPI, str],
    ) -> None:
        course = await create_course(client, school)
        await violation_mode(compliance, school, "block")
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course["id"], HOME_OVER),
            headers=school.headers("teacher"),
        )
        body = problem(r, 422, "hygiene-norms-violated")
        v = next(v for v in body["violations"] if v["measure"] == "daily_home")
        assert (v["device"], v["limit"], v["actual"], v["severity"]) == ("pc", 120, 150, "block")
        assert await count(learning_app, Assignment, school) == 0
        assert await events(client, school, "assignment.published") == []

        # a draft is not published: not checked yet; publishing it checks
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course["id"], HOME_OVER, draft=True),
            headers=school.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        draft = r.json()
        assert draft["compliance"]["status"] == "pending"
        r = await client.post(
            f"{API}/assignments/{draft['id']}/publish", headers=school.headers("teacher")
        )
        problem(r, 422, "hygiene-norms-violated")
        r = await client.get(f"{API}/assignments/{draft['id']}", headers=school.headers("teacher"))
        assert r.json()["status"] == "draft"

        await violation_mode(compliance, school, "warn")
        r = await client.post(
            f"{API}/assignments/{draft['id']}/publish", headers=school.headers("teacher")
        )
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "published"
        assert r.json()["compliance"]["status"] == "warnings"
        assert r.json()["compliance"]["violations"][0]["severity"] == "warn"
        # the student sees the mark too
        r = await client.get(f"{API}/assignments/{draft['id']}", headers=school.headers("student"))
        assert r.json()["compliance"]["status"] == "warnings"

        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course["id"], HOME_FINE),
            headers=school.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        assert r.json()["compliance"]["status"] == "checked_ok"
        assert r.json()["compliance"]["check_id"]


class TestUnreachable:
    @pytest.fixture
    def learning_overrides(self, tmp_path: Path) -> dict[str, object]:
        return {"files_path": tmp_path / "files", **NO_COMPLIANCE}

    async def test_refuse_or_mark(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        learning_app.state.service_tokens = MintedServiceTokens()
        assert learning_app.state.settings.compliance_url == DEAD_URL
        course = await create_course(client, world)
        await settings(client, world, compliance_unreachable="refuse")
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json=lesson_body(FINE),
            headers=world.headers("teacher"),
        )
        body = problem(r, 503, "compliance-unavailable")
        assert "недоступен" in body["detail"]
        assert r.headers["retry-after"] == "30"
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course["id"], HOME_FINE),
            headers=world.headers("teacher"),
        )
        problem(r, 503, "compliance-unavailable")
        assert await count(learning_app, Lesson, world) == 0
        assert await count(learning_app, Assignment, world) == 0
        # a lesson without devices needs no check and is published
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json=lesson_body([]),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text

        await settings(client, world, compliance_unreachable="mark_unchecked")
        r = await client.post(
            f"{API}/courses/{course['id']}/lessons",
            json=lesson_body(FINE, starts_at="11:00"),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        check = r.json()["compliance"]
        assert check["status"] == "not_checked"
        assert check["reason"] == "сервис проверки норм недоступен"
        assert check["check_id"] is None
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course["id"], HOME_FINE),
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        assert r.json()["compliance"]["status"] == "not_checked"
        (event,) = [
            e
            for e in await events(client, world, "lesson.scheduled")
            if e["payload"]["starts_at"] == "11:00"
        ]
        assert event["payload"]["compliance_status"] == "not_checked"

    async def test_a_server_error_is_not_a_pass(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        async def failing(scope: Any, receive: Any, send: Any) -> None:
            assert scope["type"] == "http"
            await send({"type": "http.response.start", "status": 503, "headers": []})
            await send({"type": "http.response.body", "body": b"down"})

        learning_app.state.service_tokens = MintedServiceTokens()
        course = await create_course(client, world)
        await settings(client, world, compliance_unreachable="mark_unchecked")
        async with serve(failing) as url:
            # the gate reads the URL from the settings object: point it at the failing server
            object.__setattr__(learning_app.state.settings, "compliance_url", url)
            r = await client.post(
                f"{API}/courses/{course['id']}/lessons",
                json=lesson_body(FINE),
                headers=world.headers("teacher"),
            )
        assert r.status_code == 201, r.text
        assert r.json()["compliance"]["status"] == "not_checked"
        assert "503" in r.json()["compliance"]["reason"]


class TestRecheck:
    """What was published "not checked" is checked once compliance answers again."""

    @pytest.fixture
    async def back(
        self, learning_app: FastAPI, client: httpx.AsyncClient, school: World
    ) -> Callable[[], None]:
        """Compliance goes away and the school publishes marked "not checked"; calling the
        result brings compliance back."""
        real_url = learning_app.state.settings.compliance_url
        object.__setattr__(learning_app.state.settings, "compliance_url", DEAD_URL)
        await settings(client, school, compliance_unreachable="mark_unchecked")
        return lambda: object.__setattr__(learning_app.state.settings, "compliance_url", real_url)

    async def test_unchecked_items_are_checked_when_compliance_is_back(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        school: World,
        compliance: tuple[FastAPI, str],
        back: Callable[[], None],
    ) -> None:
        await violation_mode(compliance, school, "block")
        course = await create_course(client, school)
        today = datetime.now(ZoneInfo(school.timezone)).date()
        ahead = min(today + timedelta(days=1), school.year_ends).isoformat()
        past = max(today - timedelta(days=1), school.year_starts).isoformat()
        teacher = school.headers("teacher")

        async def lesson(devices: list[dict[str, Any]], day: str, at: str) -> dict[str, Any]:
            r = await client.post(
                f"{API}/courses/{course['id']}/lessons",
                json=lesson_body(devices, date=day, starts_at=at),
                headers=teacher,
            )
            assert r.status_code == 201, r.text
            assert r.json()["compliance"]["status"] == "not_checked"
            return dict(r.json())

        fine = await lesson(FINE, ahead, "09:00")
        over = await lesson(OVER, ahead, "10:00")
        gone = await lesson(FINE, past, "09:00") if past < ahead else None
        r = await client.post(
            f"{API}/assignments", json=assignment_body(course["id"], HOME_FINE), headers=teacher
        )
        assert r.status_code == 201, r.text
        work = r.json()
        assert work["compliance"]["status"] == "not_checked"

        # only the administration may ask, and while compliance is away nothing changes
        url = f"{API}/hygiene/recheck"
        problem(await client.post(url, headers=teacher), 403, "forbidden")
        r = await client.post(url, headers=school.headers("admin"))
        assert r.status_code == 200, r.text
        assert r.json() == {"checked": 0, "with_violations": 0, "still_unchecked": 3}
        changed_before = len(await events(client, school, "lesson.changed"))

        # compliance is back: every item still ahead is checked
        back()
        r = await client.post(url, headers=school.headers("admin"))
        assert r.status_code == 200, r.text
        assert r.json() == {"checked": 3, "with_violations": 1, "still_unchecked": 0}

        async def status_of(path: str) -> dict[str, Any]:
            r = await client.get(f"{API}{path}", headers=teacher)
            assert r.status_code == 200, r.text
            return dict(r.json()["compliance"])

        ok = await status_of(f"/lessons/{fine['id']}")
        assert ok["status"] == "checked_ok"
        assert ok["check_id"]
        assert ok["reason"] is None
        recorded = await compliance_check(compliance, school, ok["check_id"])
        assert recorded["kind"] == "lesson"
        bad = await status_of(f"/lessons/{over['id']}")
        # the lesson is out already: the violation that would have blocked it is kept on it
        assert bad["status"] == "warnings"
        assert "проверено позже" in bad["reason"]
        v = next(v for v in bad["violations"] if v["measure"] == "per_lesson")
        assert (v["device"], v["limit"], v["actual"], v["severity"]) == ("laptop", 30, 35, "block")
        assert (await status_of(f"/assignments/{work['id']}"))["status"] == "checked_ok"
        if gone is not None:  # a lesson already held is left as it was
            assert (await status_of(f"/lessons/{gone['id']}"))["status"] == "not_checked"
        # the replicas hear of it
        changed = await events(client, school, "lesson.changed")
        assert len(changed) == changed_before + 2
        assert {e["payload"]["id"]: e["payload"]["compliance_status"] for e in changed[-2:]} == {
            fine["id"]: "checked_ok",
            over["id"]: "warnings",
        }
        # nothing is left to do
        r = await client.post(url, headers=school.headers("admin"))
        assert r.json() == {"checked": 0, "with_violations": 0, "still_unchecked": 0}

    async def test_the_background_round_checks_every_school(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        school: World,
        back: Callable[[], None],
    ) -> None:
        course = await create_course(client, school)
        r = await client.post(
            f"{API}/assignments",
            json=assignment_body(course["id"], HOME_FINE),
            headers=school.headers("teacher"),
        )
        assert r.json()["compliance"]["status"] == "not_checked"
        back()
        assert await recheck_all(learning_app) >= 1
        r = await client.get(
            f"{API}/assignments/{r.json()['id']}", headers=school.headers("teacher")
        )
        assert r.json()["compliance"]["status"] == "checked_ok"
