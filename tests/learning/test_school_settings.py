"""The school's learning settings: read by the administration and teachers, written by
an admin (Reg §2.2 e-mail copies, §2.3 end of the school day, §2.5 compliance)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.learning.school_settings.service import school_settings
from tests.learning.extras_support import API, assert_problem
from tests.support.service_world import World

URL = f"{API}/school-settings"


@pytest.fixture
def learning_overrides(tmp_path: Path) -> dict[str, object]:
    """The service's own defaults (no compliance needed here)."""
    return {"files_path": tmp_path / "files"}


def body(**overrides: Any) -> dict[str, Any]:
    value: dict[str, Any] = {
        "school_day_ends_at": "16:30",
        "compliance_unreachable": "mark_unchecked",
        "email_copies_enabled": False,
    }
    value.update(overrides)
    return value


class TestSchoolSettings:
    async def test_defaults_then_saved(
        self, client: httpx.AsyncClient, world: World, other_world: World, learning_app: FastAPI
    ) -> None:
        r = await client.get(URL, headers=world.headers("teacher"))
        assert r.status_code == 200
        assert r.json() == {
            "school_day_ends_at": "18:00",
            "compliance_unreachable": "refuse",
            "email_copies_enabled": True,
            "is_default": True,
            "updated_at": None,
        }
        r = await client.put(URL, json=body(), headers=world.headers("admin"))
        assert r.status_code == 200, r.text
        assert r.json()["school_day_ends_at"] == "16:30"
        assert r.json()["is_default"] is False
        assert r.json()["updated_at"] is not None
        for who in ("admin", "staff", "teacher"):
            r = await client.get(URL, headers=world.headers(who))
            assert r.json()["compliance_unreachable"] == "mark_unchecked", who
            assert r.json()["email_copies_enabled"] is False

        # saving again updates the same row
        r = await client.put(
            URL,
            json=body(school_day_ends_at="17:00", compliance_unreachable="refuse"),
            headers=world.headers("admin"),
        )
        assert r.json()["school_day_ends_at"] == "17:00"
        assert r.json()["compliance_unreachable"] == "refuse"

        # the service the other features use sees the saved values
        async with learning_app.state.database.session() as session:
            saved = await school_settings(session, world.school_id)
            assert saved.school_day_ends_at.hour == 17
            assert saved.email_copies_enabled is False
            assert saved.compliance_unreachable == "refuse"
        # another school keeps its own (default) settings
        r = await client.get(URL, headers=other_world.headers("admin"))
        assert r.json()["is_default"] is True

    async def test_who_may(self, client: httpx.AsyncClient, world: World) -> None:
        for who in ("student", "guardian"):
            assert_problem(await client.get(URL, headers=world.headers(who)), 403)
        for who in ("staff", "teacher", "student", "guardian"):
            assert_problem(await client.put(URL, json=body(), headers=world.headers(who)), 403)
        assert_problem(await client.get(URL), 401)
        r = await client.get(URL, headers=world.headers("admin"))
        assert r.json()["is_default"] is True

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"school_day_ends_at": "25:00"}, "body.school_day_ends_at"),
            ({"school_day_ends_at": "16:30:30"}, "body.school_day_ends_at"),
            ({"school_day_ends_at": "16:30+04:00"}, "body.school_day_ends_at"),
            ({"school_day_ends_at": "9:30"}, "body.school_day_ends_at"),
            ({"school_day_ends_at": 930}, "body.school_day_ends_at"),
            ({"compliance_unreachable": "ignore"}, "body.compliance_unreachable"),
            ({"email_copies_enabled": "maybe"}, "body.email_copies_enabled"),
            ({"extra": True}, "body.extra"),
        ],
    )
    async def test_bad_input(
        self, client: httpx.AsyncClient, world: World, overrides: dict[str, Any], field: str
    ) -> None:
        r = await client.put(URL, json=body(**overrides), headers=world.headers("admin"))
        problem = assert_problem(r, 422, "validation-error")
        assert field in [e["field"] for e in problem["errors"]]
        r = await client.get(URL, headers=world.headers("admin"))
        assert r.json()["is_default"] is True

    async def test_partial_body_refused(self, client: httpx.AsyncClient, world: World) -> None:
        r = await client.put(
            URL, json={"school_day_ends_at": "16:00"}, headers=world.headers("admin")
        )
        assert_problem(r, 422, "validation-error")


class TestServiceDefault:
    @pytest.fixture
    def learning_overrides(self, tmp_path: Path) -> dict[str, object]:
        return {
            "files_path": tmp_path / "files",
            "compliance_unreachable_default": "mark_unchecked",
        }

    async def test_unsaved_schools_follow_the_service_setting(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        r = await client.get(URL, headers=world.headers("admin"))
        assert r.json()["compliance_unreachable"] == "mark_unchecked"
        assert r.json()["is_default"] is True
        r = await client.put(
            URL, json=body(compliance_unreachable="refuse"), headers=world.headers("admin")
        )
        assert r.json()["compliance_unreachable"] == "refuse"
        r = await client.get(URL, headers=world.headers("teacher"))
        assert r.json()["compliance_unreachable"] == "refuse"
