"""Who may do what with publication deadlines and the production calendar (CO-5, X-7).

* notices and the due-soon setting: admin and staff read, admin writes; teachers,
  students and guardians get 403; another school's notice is 404; service tokens 403;
* the calendar is federal data: anyone authenticated (services too) reads it; only an
  admin loads a year;
* anonymous: 401 everywhere.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.compliance.deadlines_support import (
    API,
    calendar_restored,
    create_notice,
    program_change,
)
from tests.support.service_world import World, service_headers

COVERED: set[str] = {
    "compliance_list_publication_notices",
    "compliance_summarize_publication_notices",
    "compliance_create_publication_notice",
    "compliance_get_publication_notice",
    "compliance_update_publication_notice",
    "compliance_delete_publication_notice",
    "compliance_record_notice_publication",
    "compliance_get_deadline_settings",
    "compliance_update_deadline_settings",
    "compliance_list_calendar_years",
    "compliance_compute_working_day_deadline",
    "compliance_get_calendar_year",
    "compliance_put_calendar_year",
}

PEOPLE = ("admin", "staff", "teacher", "student", "guardian")
READERS = {"admin": 200, "staff": 200, "teacher": 403, "student": 403, "guardian": 403}
ADMIN_ONLY = {"admin": 200, "staff": 403, "teacher": 403, "student": 403, "guardian": 403}
EVERYONE = dict.fromkeys(PEOPLE, 200)

CALENDAR_2032: dict[str, Any] = {
    "source": "Постановление о переносе выходных дней в 2032 году",
    "holidays": [{"date": "2032-01-01", "note": "Новогодние каникулы"}],
}


@dataclass
class Op:
    """One operation: how to call it on a notice id, and who gets what."""

    name: str
    method: str
    path: str  # "{id}" is replaced by a notice id
    expect: dict[str, int]
    body: dict[str, Any] | None = None
    params: dict[str, Any] | None = None
    success: int = 200
    on_notice: bool = False
    service: int = 403


OPS = [
    Op("list_publication_notices", "GET", "/notices", READERS),
    Op("summarize_publication_notices", "GET", "/notices/summary", READERS),
    Op(
        "create_publication_notice",
        "POST",
        "/notices",
        ADMIN_ONLY,
        body=program_change(),
        success=201,
    ),
    Op("get_publication_notice", "GET", "/notices/{id}", READERS, on_notice=True),
    Op(
        "update_publication_notice",
        "PATCH",
        "/notices/{id}",
        ADMIN_ONLY,
        body={"notes": "Уточнено"},
        on_notice=True,
    ),
    Op(
        "record_notice_publication",
        "POST",
        "/notices/{id}/publication",
        ADMIN_ONLY,
        body={"published_on": "2026-05-05", "url": "https://school1.example.ru/dot"},
        on_notice=True,
    ),
    Op(
        "delete_publication_notice",
        "DELETE",
        "/notices/{id}",
        ADMIN_ONLY,
        success=204,
        on_notice=True,
    ),
    Op("get_deadline_settings", "GET", "/deadlines/settings", READERS),
    Op(
        "update_deadline_settings",
        "PUT",
        "/deadlines/settings",
        ADMIN_ONLY,
        body={"due_soon_working_days": 7},
    ),
    Op("list_calendar_years", "GET", "/calendar", EVERYONE, service=200),
    Op(
        "compute_working_day_deadline",
        "GET",
        "/calendar/working-days",
        EVERYONE,
        params={"start": "2026-04-28"},
        service=200,
    ),
    Op("get_calendar_year", "GET", "/calendar/2026", EVERYONE, service=200),
    Op("put_calendar_year", "PUT", "/calendar/2032", ADMIN_ONLY, body=CALENDAR_2032),
]


def test_every_operation_has_a_row() -> None:
    assert {f"compliance_{op.name}" for op in OPS} == COVERED


Call = Callable[[dict[str, str], str], Awaitable[httpx.Response]]


def caller(client: httpx.AsyncClient, op: Op) -> Call:
    async def call(headers: dict[str, str], notice_id: str) -> httpx.Response:
        return await client.request(
            op.method,
            API + op.path.replace("{id}", notice_id),
            json=op.body,
            params=op.params,
            headers=headers,
        )

    return call


@pytest.mark.parametrize("op", OPS, ids=[op.name for op in OPS])
async def test_access(
    op: Op,
    client: httpx.AsyncClient,
    compliance_app: FastAPI,
    world: World,
    other_world: World,
) -> None:
    call = caller(client, op)
    mine = (await create_notice(client, world, program_change()))["id"]
    theirs = (await create_notice(client, other_world, program_change()))["id"]

    response = await call({}, mine)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"].startswith("application/problem+json")

    response = await call(service_headers(), mine)
    expected_service = op.success if op.service == 200 else op.service
    assert response.status_code == expected_service, response.text

    async with calendar_restored(compliance_app, 2032):
        # the admin last: a successful write (a delete) must not hide the other cells
        for role in ("guardian", "student", "teacher", "staff", "admin"):
            expected = op.expect[role]
            response = await call(world.headers(role), mine)
            wanted = op.success if expected == 200 else expected
            assert response.status_code == wanted, (role, response.text)
            if expected == 200 and op.on_notice:
                # a caller allowed here still never reaches another school's notice
                response = await call(world.headers(role), theirs)
                assert response.status_code == 404, (role, response.text)
                assert response.json()["type"] == "urn:eo:problem:notice-not-found"
            if response.status_code < 300 and response.content:
                assert str(other_world.school_id) not in response.text
                assert theirs not in response.text

    other = await client.get(f"{API}/notices/{theirs}", headers=other_world.headers("admin"))
    assert other.status_code == 200
    assert other.json()["notes"] is None
    assert other.json()["published_on"] is None
