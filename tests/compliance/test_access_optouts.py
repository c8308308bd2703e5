"""Who may do what with §3.9 opt-out applications (CO-4, X-7).

* anonymous: 401 everywhere; service tokens: 403 (learning reads the feed instead);
* filing: a linked guardian (or an adult student) — teachers, admins, staff 403; a
  minor student 403; another child 404;
* reading applications: admin and staff all of the school; the guardian and the
  student their own (another child's 404); teachers 403;
* the opt-out students list: teachers (their classes), admin, staff; students and
  guardians 403;
* registering: admin and staff; withdrawing: the filer or an admin;
* another school's application is 404.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.compliance.optouts_support import API, application, file, register
from tests.support.access_check import expect
from tests.support.service_world import World, service_headers

COVERED: set[str] = {
    "compliance_file_optout",
    "compliance_list_optouts",
    "compliance_list_optout_students",
    "compliance_get_optout",
    "compliance_register_optout",
    "compliance_withdraw_optout",
}


async def test_filing(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    # guardian2 files for their own child (student2); everyone else for student2 is refused
    await expect(
        client,
        "POST",
        f"{API}/optouts",
        world,
        other_world,
        {
            "anonymous": 401,
            "teacher": 403,
            "admin": 403,
            "staff": 403,
            "student": 404,
            "student2": 403,  # 13 years old
            "guardian": 404,
            "other:guardian2": 404,
            "guardian2": 201,
        },
        json=application(world.id("student2")),
    )
    r = await client.post(
        f"{API}/optouts", json=application(world.id("student2")), headers=service_headers()
    )
    assert r.status_code == 403


async def test_reading_and_changing(
    client: httpx.AsyncClient, compliance_app: FastAPI, world: World, other_world: World
) -> None:
    created = await file(client, world.headers("guardian"), world.id("student"))
    url = f"{API}/optouts/{created['id']}"
    readers = {
        "anonymous": 401,
        "admin": 200,
        "staff": 200,
        "guardian": 200,
        "student": 200,
        "guardian2": 404,
        "student2": 404,
        "teacher": 403,
        "other:admin": 404,
        "other:guardian": 404,
    }
    await expect(client, "GET", url, world, other_world, readers)
    await expect(
        client,
        "GET",
        f"{API}/optouts",
        world,
        other_world,
        {
            "anonymous": 401,
            "admin": 200,
            "staff": 200,
            "guardian": 200,
            "student": 200,
            "teacher": 403,
        },
    )
    await expect(
        client,
        "GET",
        f"{API}/optouts/students",
        world,
        other_world,
        {
            "anonymous": 401,
            "admin": 200,
            "staff": 200,
            "teacher": 200,
            "teacher2": 200,
            "guardian": 403,
            "student": 403,
        },
    )
    for path in ("/optouts", "/optouts/students", f"/optouts/{created['id']}"):
        r = await client.get(f"{API}{path}", headers=service_headers())
        assert r.status_code == 403, path

    # registering: others first, then the admin
    await expect(
        client,
        "POST",
        f"{url}/register",
        world,
        other_world,
        {
            "anonymous": 401,
            "teacher": 403,
            "guardian": 403,
            "student": 403,
            "other:admin": 404,
            "other:staff": 404,
        },
        json={"registration_number": "вх-1"},
    )
    r = await client.post(
        f"{url}/register", json={"registration_number": "вх-1"}, headers=service_headers()
    )
    assert r.status_code == 403
    await register(client, world, created["id"], as_="staff")

    # withdrawing: not the student (their guardian filed), not staff or teachers
    await expect(
        client,
        "POST",
        f"{url}/withdraw",
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 403,
            "staff": 403,
            "teacher": 403,
            "guardian2": 404,
            "other:admin": 404,
            "other:guardian": 404,
        },
    )
    r = await client.post(f"{url}/withdraw", headers=service_headers())
    assert r.status_code == 403
    r = await client.post(f"{url}/withdraw", headers=world.headers("guardian"))
    assert r.status_code == 200, r.text
