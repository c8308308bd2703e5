"""Who may do what with the screen-device norms (CO-1, CO-2, X-7).

* rule sets and the rules in force: every signed-in user reads them, services too (a
  service sees a school's own sets only when it names the school); a school's set is
  written by its admin only; another school's set is 404;
* checks: teacher, staff, admin and services (learning, with ``school_id`` in the body);
  students and guardians get 403; a person naming another school gets 404;
* the history of checks: admin and staff; another school's check is 404;
* settings: teacher, staff and admin read, admin writes; services get 403;
* anonymous: 401 everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.compliance.norms_support import API, spread_lesson
from tests.support.service_world import World, service_headers

COVERED: set[str] = {
    "compliance_list_norm_rule_sets",
    "compliance_get_norm_rule_set",
    "compliance_get_norm_rule_set_version",
    "compliance_list_applicable_norm_rules",
    "compliance_create_school_norm_rule_set",
    "compliance_create_school_norm_rule_set_version",
    "compliance_retire_school_norm_rule_set_version",
    "compliance_check_lesson_plan",
    "compliance_check_class_day",
    "compliance_check_student_day",
    "compliance_check_school_week",
    "compliance_list_norm_check_runs",
    "compliance_get_norm_check_run",
    "compliance_get_norm_settings",
    "compliance_update_norm_settings",
}

EVERYONE = {"admin": 200, "staff": 200, "teacher": 200, "student": 200, "guardian": 200}
CHECKERS = {"admin": 200, "staff": 200, "teacher": 200, "student": 403, "guardian": 403}
ADMINISTRATION = {"admin": 200, "staff": 200, "teacher": 403, "student": 403, "guardian": 403}
SETTINGS_READERS = CHECKERS
ADMIN_ONLY = {"admin": 200, "staff": 403, "teacher": 403, "student": 403, "guardian": 403}
CODE = "access-set"


def rule_set_body(code: str = CODE) -> dict[str, Any]:
    return {
        "code": code,
        "title": "Нормы школы",
        "source": "Приказ № 5 от 01.09.2026",
        "effective_from": "2026-09-01",
        "effective_to": "2026-12-31",
        "rules": [
            {
                "measure": "per_lesson",
                "device": "pc",
                "grade_from": 5,
                "grade_to": 9,
                "limit_minutes": 25,
                "clause": "Приказ № 5, п. 1",
            }
        ],
    }


def version_body() -> dict[str, Any]:
    body = rule_set_body()
    del body["code"], body["title"]
    return {**body, "effective_from": "2027-01-01", "effective_to": None}


def _with_school(body: dict[str, Any]) -> dict[str, Any]:
    return {"school_id": "{school}", **body}


LESSON = {"grade": 6, **spread_lesson("pc", 10)}


@dataclass
class Op:
    name: str
    method: str
    path: str  # "{code}" and "{check}" are replaced by the school's objects
    expect: dict[str, int]
    body: dict[str, Any] | None = None
    params: dict[str, Any] = field(default_factory=dict)
    success: int = 200
    service: int = 403
    # the object or school in the path/body belongs to the caller's school: the same
    # call on another school's object is 404
    scoped: bool = False


OPS = [
    Op("list_norm_rule_sets", "GET", "/rule-sets", EVERYONE, service=200),
    Op("get_norm_rule_set", "GET", "/rule-sets/{code}", EVERYONE, service=404, scoped=True),
    Op(
        "get_norm_rule_set_version",
        "GET",
        "/rule-sets/{code}/versions/1",
        EVERYONE,
        service=404,
        scoped=True,
    ),
    Op(
        "list_applicable_norm_rules",
        "GET",
        "/applicable-rules",
        EVERYONE,
        params={"grade": 5},
        service=200,
    ),
    Op(
        "create_school_norm_rule_set",
        "POST",
        "/rule-sets",
        ADMIN_ONLY,
        body=rule_set_body("new-set"),
        success=201,
    ),
    Op(
        "create_school_norm_rule_set_version",
        "POST",
        "/rule-sets/{code}/versions",
        ADMIN_ONLY,
        body=version_body(),
        success=201,
        scoped=True,
    ),
    Op(
        "retire_school_norm_rule_set_version",
        "POST",
        "/rule-sets/{code}/versions/1/retire",
        ADMIN_ONLY,
        body={"effective_to": "2026-10-31"},
        scoped=True,
    ),
    Op(
        "check_lesson_plan",
        "POST",
        "/checks/lesson",
        CHECKERS,
        body=_with_school(LESSON),
        service=200,
        scoped=True,
    ),
    Op(
        "check_class_day",
        "POST",
        "/checks/class-day",
        CHECKERS,
        body=_with_school({"grade": 6, "lessons": [spread_lesson("pc", 10)]}),
        service=200,
        scoped=True,
    ),
    Op(
        "check_student_day",
        "POST",
        "/checks/student-day",
        CHECKERS,
        body=_with_school({"grade": 6, "home": [{"device": "tablet", "minutes": 30}]}),
        service=200,
        scoped=True,
    ),
    Op(
        "check_school_week",
        "POST",
        "/checks/school-week",
        CHECKERS,
        body=_with_school(
            {
                "classes": [
                    {
                        "grade": 6,
                        "days": [{"date": "2026-12-07", "lessons": [spread_lesson("pc", 10)]}],
                    }
                ]
            }
        ),
        service=200,
        scoped=True,
    ),
    Op("list_norm_check_runs", "GET", "/checks", ADMINISTRATION),
    Op("get_norm_check_run", "GET", "/checks/{check}", ADMINISTRATION, scoped=True),
    Op("get_norm_settings", "GET", "/settings", SETTINGS_READERS),
    Op(
        "update_norm_settings",
        "PUT",
        "/settings",
        ADMIN_ONLY,
        body={"violation_mode": "warn", "combined_daily_limit_enabled": False},
    ),
]


def test_every_operation_has_a_row() -> None:
    assert {f"compliance_{op.name}" for op in OPS} == COVERED


async def _prepare(client: httpx.AsyncClient, world: World, code: str = CODE) -> dict[str, str]:
    response = await client.post(
        f"{API}/rule-sets", json=rule_set_body(code), headers=world.headers("admin")
    )
    assert response.status_code == 201, response.text
    check = await client.post(f"{API}/checks/lesson", json=LESSON, headers=world.headers("teacher"))
    assert check.status_code == 200, check.text
    return {"code": code, "check": check.json()["check_id"], "school": str(world.school_id)}


def _fill(value: Any, names: dict[str, str]) -> Any:
    if isinstance(value, str):
        for key, replacement in names.items():
            value = value.replace("{" + key + "}", replacement)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, names) for v in value]
    return value


async def _call(
    client: httpx.AsyncClient, op: Op, names: dict[str, str], headers: dict[str, str]
) -> httpx.Response:
    return await client.request(
        op.method,
        API + _fill(op.path, names),
        json=_fill(op.body, names),
        params=op.params,
        headers=headers,
    )


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
async def test_access(op: Op, client: httpx.AsyncClient, world: World, other_world: World) -> None:
    mine = await _prepare(client, world)
    theirs = await _prepare(client, other_world, "their-set")

    response = await _call(client, op, mine, {})
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")

    response = await _call(client, op, mine, service_headers("learning"))
    expected = op.success if op.service == 200 else op.service
    assert response.status_code == expected, response.text

    # the admin last: its successful writes must not hide the other cells
    for role in ("guardian", "student", "teacher", "staff", "admin"):
        allowed = op.expect[role] == 200
        response = await _call(client, op, mine, world.headers(role))
        wanted = op.success if allowed else op.expect[role]
        assert response.status_code == wanted, (role, response.text)
        if response.status_code < 300 and response.content:
            assert str(other_world.school_id) not in response.text
            assert theirs["check"] not in response.text
        if allowed and op.scoped:
            response = await _call(client, op, theirs, world.headers(role))
            assert response.status_code == 404, (role, response.text)


async def test_a_service_names_the_school_to_see_its_sets(
    client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    await _prepare(client, world)
    for path in (f"/rule-sets/{CODE}", f"/rule-sets/{CODE}/versions/1"):
        response = await client.get(
            API + path, params={"school_id": str(world.school_id)}, headers=service_headers()
        )
        assert response.status_code == 200, response.text
    listed = await client.get(
        f"{API}/rule-sets", params={"school_id": str(world.school_id)}, headers=service_headers()
    )
    assert CODE in [i["code"] for i in listed.json()["items"]]
    other = await client.get(
        f"{API}/rule-sets/{CODE}",
        params={"school_id": str(other_world.school_id)},
        headers=world.headers("admin"),
    )
    assert other.status_code == 404
