"""Access to the journal exports, the year's closing and archive and retention rules
(JO-8): every role, own and other class, own and other school."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from tests.journal.learning_events import a_course
from tests.journal.reports_support import configure_quarters
from tests.support.access_check import expect
from tests.support.service_world import World

API = "/api/v1/journal"

COVERED: set[str] = {
    "journal_export_course_journal_xlsx",
    "journal_export_course_journal_pdf",
    "journal_export_class_summary_xlsx",
    "journal_export_class_summary_pdf",
    "journal_get_year_closure",
    "journal_close_academic_year",
    "journal_reopen_academic_year",
    "journal_list_archive_files",
    "journal_download_archive_file",
    "journal_list_retention_rules",
    "journal_put_retention_rules",
}

OTHER_SCHOOL = {"other:admin": 404, "other:staff": 404, "other:teacher": 404}
# the role is checked before anything is looked up: another school's callers without
# the role get 403, with it 404
STAFF_ONLY = {
    "anonymous": 401,
    "student": 403,
    "guardian": 403,
    "teacher": 403,
    "teacher2": 403,
    "staff": 200,
    "admin": 200,
    **OTHER_SCHOOL,
    "other:teacher": 403,
}
ADMIN_ONLY = {**STAFF_ONLY, "staff": 403, "admin": 200, "other:staff": 403}


@pytest.fixture
def journal_overrides(tmp_path: Path) -> dict[str, object]:
    return {"archive_path": tmp_path / "archive"}


async def test_course_journal(
    journal_app: FastAPI, client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    course = await a_course(journal_app, world)  # 7Б, taught by "teacher" (also homeroom)
    cells = {
        "anonymous": 401,
        "student": 403,  # takes the course: sees own marks elsewhere, not the whole class's
        "guardian": 403,
        "student3": 404,  # another class
        "teacher": 200,
        "teacher2": 403,
        "staff": 200,
        "admin": 200,
        **OTHER_SCHOOL,
        "other:student": 404,
    }
    for ext in ("xlsx", "pdf"):
        url = f"{API}/courses/{course}/journal.{ext}"
        await expect(client, "GET", url, world, other_world, cells)
    # the homeroom teacher of 7Б reads a course of 7Б someone else teaches
    taught_by_teacher2 = await a_course(journal_app, world, teachers=("teacher2",))
    for ext in ("xlsx", "pdf"):
        url = f"{API}/courses/{taught_by_teacher2}/journal.{ext}"
        await expect(
            client, "GET", url, world, other_world, {"teacher": 200, "teacher2": 200, "staff": 200}
        )


async def test_class_summary(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    cells = {
        "anonymous": 401,
        "student": 403,
        "guardian": 403,
        "student3": 403,
        "teacher": 200,  # homeroom teacher of 7Б
        "teacher2": 403,
        "staff": 200,
        "admin": 200,
        **OTHER_SCHOOL,
    }
    for ext in ("xlsx", "pdf"):
        url = f"{API}/class-groups/{world.class_id('7Б')}/summary.{ext}"
        await expect(client, "GET", url, world, other_world, cells)


async def test_year_closing_and_archive(
    client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    await configure_quarters(client, world)
    year = world.year_id
    everyone = {
        "anonymous": 401,
        "student": 200,
        "guardian": 200,
        "teacher": 200,
        "staff": 200,
        "admin": 200,
        **OTHER_SCHOOL,
    }
    await expect(
        client, "GET", f"{API}/academic-years/{year}/closure", world, other_world, everyone
    )
    close = f"{API}/academic-years/{year}/close"
    await expect(client, "POST", close, world, other_world, ADMIN_ONLY, json={})
    # archive listing and download: staff and admins
    await expect(client, "GET", f"{API}/archives/{year}", world, other_world, STAFF_ONLY)
    listing = await client.get(f"{API}/archives/{year}", headers=world.headers("admin"))
    file_id = listing.json()["files"][0]["id"]
    await expect(
        client, "GET", f"{API}/archives/{year}/files/{file_id}", world, other_world, STAFF_ONLY
    )
    reopen = f"{API}/academic-years/{year}/reopen"
    order = {"order_number": "№ 45-од", "order_date": "2027-06-10", "reason": "Исправление"}
    await expect(client, "POST", reopen, world, other_world, ADMIN_ONLY, json=order)


async def test_retention_rules(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    url = f"{API}/retention-rules"
    own_school = {"other:admin": 200, "other:staff": 200, "other:teacher": 403}
    await expect(client, "GET", url, world, other_world, {**STAFF_ONLY, **own_school})
    body = {"rules": [{"record_type": "portfolio", "years": 7}]}
    await expect(
        client,
        "PUT",
        url,
        world,
        other_world,
        {**ADMIN_ONLY, "other:admin": 200, "other:staff": 403, "other:teacher": 403},
        json=body,
    )
