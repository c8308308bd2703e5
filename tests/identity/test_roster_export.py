"""CSV roster export and external ids travelling as events (GW-5, ID-9, ID-10)."""

from __future__ import annotations

import csv
import io
import uuid

import httpx
from fastapi import FastAPI

from services.identity.roster.schemas import COLUMNS, EXPORT_COLUMNS
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld
from tests.identity.test_roster_import import CSV, IMPORT, tag
from tests.identity.test_users import access_rows, assert_problem, events

API = "/api/v1/identity"
EXPORT = f"{API}/users/export.csv"


async def test_imported_roster_comes_back_in_the_export(
    client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld, other_school: SchoolWorld
) -> None:
    t = tag()
    header = (
        "username,last_name,first_name,roles,class,guardian_of,"
        "external_system,external_id,external_id_regional,external_id_sferum"
    )
    text = "\n".join(
        [
            header,
            f"kid.{t},Смирнов,Пётр,student,7Б,,moya_shkola,MS-{t},R-{t},",
            f"mom.{t},Смирнова,Мария,guardian,,kid.{t},,,,SF-{t}",
            "",
        ]
    )
    admin = await bearer(client, school["admin"].username)
    r = await client.post(IMPORT, content=text.encode(), headers={**CSV, **admin})
    assert r.status_code == 201, r.text
    assert r.json()["external_ids"] == 3
    ids = {u["username"]: u["id"] for u in r.json()["users"]}

    set_events = [
        e
        for e in await events(client, school["admin"].username, "external_id.set")
        if e["payload"]["entity_id"] in ids.values()
    ]
    assert sorted((e["payload"]["system"], e["payload"]["value"]) for e in set_events) == sorted(
        [("moya_shkola", f"MS-{t}"), ("regional", f"R-{t}"), ("sferum", f"SF-{t}")]
    )
    created = [
        e
        for e in await events(client, school["admin"].username, "user.created")
        if e["payload"]["id"] == ids[f"kid.{t}"]
    ]
    assert created[0]["payload"]["username"] == f"kid.{t}"

    r = await client.get(EXPORT, headers=admin)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["cache-control"] == "no-store"
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert tuple(rows[0].keys()) == EXPORT_COLUMNS
    assert set(EXPORT_COLUMNS) <= set(COLUMNS)  # an export is a valid import header
    by_name = {row["username"]: row for row in rows}
    assert by_name[f"kid.{t}"]["class"] == "7Б"
    assert by_name[f"kid.{t}"]["external_id_moya_shkola"] == f"MS-{t}"
    assert by_name[f"kid.{t}"]["external_id_regional"] == f"R-{t}"
    assert by_name[f"mom.{t}"]["guardian_of"] == f"kid.{t}"
    assert by_name[f"mom.{t}"]["external_id_sferum"] == f"SF-{t}"
    assert all(other_school["admin"].username != row["username"] for row in rows)
    logged = await access_rows(identity_app, uuid.UUID(ids[f"kid.{t}"]))
    assert any(row.action == "export" and row.resource == "roster-csv" for row in logged)


async def test_two_ids_of_one_system_in_a_row_are_refused(
    client: httpx.AsyncClient, school: SchoolWorld
) -> None:
    t = tag()
    text = (
        "username,last_name,first_name,roles,external_system,external_id,external_id_esia\n"
        f"x.{t},Иванов,Иван,teacher,esia,E1-{t},E2-{t}\n"
    )
    admin = await bearer(client, school["admin"].username)
    r = await client.post(IMPORT, content=text.encode(), headers={**CSV, **admin})
    body = assert_problem(r, 422, "roster-invalid")
    assert [(e["line"], e["field"], e["code"]) for e in body["errors"]] == [
        (2, "external_id_esia", "duplicate-external-id")
    ]


async def test_setting_and_removing_an_id_emits_events(
    client: httpx.AsyncClient, school: SchoolWorld
) -> None:
    admin = await bearer(client, school["admin"].username)
    student = school["student"].id
    url = f"{API}/users/{student}/external-ids/regional"
    value = f"REG-{tag()}"
    assert (await client.put(url, json={"value": value}, headers=admin)).status_code == 200
    assert (await client.delete(url, headers=admin)).status_code == 204
    seen = [
        (e["type"], e["payload"]["value"])
        for e in await events(
            client, school["admin"].username, "external_id.set,external_id.removed"
        )
        if e["payload"]["entity_id"] == str(student)
    ]
    assert seen == [("external_id.set", value), ("external_id.removed", value)]
