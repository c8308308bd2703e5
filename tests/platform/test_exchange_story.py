"""Integrators' exchange through the gateway (GW-5, ID-9): external ids set in identity
and learning reach the journal's replicas; a timetable and marks come in as CSV (a bad
file changes nothing); the daily package and the OneRoster export come out keyed by the
external ids; a calendar app reads a student's feed without a token until it is revoked."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import UTC, datetime
from typing import Any

import httpx
import icalendar

from tests.support.platform import Platform

ID = "/api/v1/identity"
LE = "/api/v1/learning"
JO = "/api/v1/journal"


async def test_external_ids_csv_exchange_and_calendar_through_the_gateway(
    platform: Platform,
) -> None:
    gw = platform.gateway
    admin = await platform.headers("demo-admin")
    teacher = await platform.headers("demo-teacher")
    student = (await platform.me("demo-student"))["id"]
    teacher_id = (await platform.me("demo-teacher"))["id"]
    groups = (await gw.get(f"{ID}/class-groups", headers=admin)).json()
    groups = groups["items"] if isinstance(groups, dict) else groups
    class_7b = next(g["id"] for g in groups if g["name"] == "7Б")

    # external ids of a person and a class in identity, of a course in learning
    r = await gw.put(
        f"{ID}/users/{student}/external-ids/moya_shkola", json={"value": "MS-1001"}, headers=admin
    )
    assert r.status_code == 200, r.text
    r = await gw.put(
        f"{ID}/class-groups/{class_7b}/external-ids/regional", json={"value": "R-7B"}, headers=admin
    )
    assert r.status_code == 200, r.text
    r = await gw.get(
        f"{ID}/external-ids/lookup",
        params={"system": "moya_shkola", "value": "MS-1001", "entity_type": "user"},
        headers=admin,
    )
    assert r.json()["entity_id"] == student

    async def course_ready() -> dict[str, Any] | None:
        r = await gw.post(
            f"{LE}/courses",
            json={
                "subject": "Обществознание",
                "class_group_id": class_7b,
                "teacher_ids": [teacher_id],
            },
            headers=teacher,
        )
        return dict(r.json()) if r.status_code == 201 else None

    course = await platform.wait_for(course_ready, what="learning's replica of 7Б")
    r = await gw.put(
        f"{LE}/courses/{course['id']}/external-ids/moya_shkola",
        json={"value": "MS-SOC-7B"},
        headers=admin,
    )
    assert r.status_code == 200, r.text

    # the timetable arrives as CSV; a file with a bad row first changes nothing
    today = datetime.now(UTC).date()
    csv_headers = {**teacher, "Content-Type": "text/csv"}
    bad = (
        "course_external_system;course_external_id;date;starts_at;delivery_form\n"
        f"moya_shkola;MS-SOC-7B;{today.isoformat()};11:00;distance\n"
        f"moya_shkola;MS-SOC-7B;{today.isoformat()};25:00;distance\n"
    )
    r = await gw.post(f"{LE}/timetable/import", content=bad.encode(), headers=csv_headers)
    assert r.status_code == 422, r.text
    assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(3, "starts_at")]
    timetable = await gw.get(
        f"{LE}/timetable",
        params={"from": today.isoformat(), "to": today.isoformat(), "course_id": course["id"]},
        headers=teacher,
    )
    assert timetable.json()["lessons"] == []
    good = bad.splitlines()[0] + "\n" + bad.splitlines()[1] + "\n"
    r = await gw.post(f"{LE}/timetable/import", content=good.encode(), headers=csv_headers)
    assert r.status_code == 201, r.text
    (lesson_id,) = r.json()["lesson_ids"]

    # marks arrive as CSV in the journal, the student named by the external id
    marks = (
        "student_external_system,student_external_id,lesson_id,value\n"
        f"moya_shkola,MS-1001,{lesson_id},5\n"
    )

    async def marks_imported() -> httpx.Response | None:
        r = await gw.post(
            f"{JO}/courses/{course['id']}/marks/import", content=marks.encode(), headers=csv_headers
        )
        return r if r.status_code == 201 else None

    await platform.wait_for(marks_imported, what="the journal's replicas (course, lesson, ids)")

    # the daily package, keyed by ФГИС «Моя школа» ids
    r = await gw.get(
        f"{JO}/exchange/daily",
        params={"date": today.isoformat(), "external_system": "moya_shkola"},
        headers=admin,
    )
    assert r.status_code == 200, r.text
    (entry,) = [ls for ls in r.json()["lessons"] if ls["id"] == lesson_id]
    assert entry["course"]["key"] == "MS-SOC-7B"
    assert entry["class_group"]["external_ids"] == {"regional": "R-7B"}
    assert entry["delivery_form"] == "distance"
    assert [(m["student"]["key"], m["value"]) for m in entry["marks"]] == [("MS-1001", "5")]

    # OneRoster: the student carries the external id, the mark comes back as a result
    r = await gw.get(f"{JO}/exchange/oneroster.zip", headers=admin)
    assert r.status_code == 200, r.text
    with zipfile.ZipFile(io.BytesIO(r.content)) as archive:
        users = list(csv.DictReader(io.StringIO(archive.read("users.csv").decode())))
        results = list(csv.DictReader(io.StringIO(archive.read("results.csv").decode())))
    me = next(u for u in users if u["sourcedId"] == student)
    assert me["username"] == "demo-student"
    assert me["userIds"] == "{moya_shkola:MS-1001}"
    assert any(x["studentSourcedId"] == student and x["textScore"] == "5" for x in results)

    # a calendar app: no token, only the secret URL
    feed = await gw.post(
        f"{LE}/calendar-feeds",
        json={"kind": "student"},
        headers=await platform.headers("demo-student"),
    )
    assert feed.status_code == 201, feed.text
    path = feed.json()["path"]
    ics = await gw.get(path)
    assert ics.status_code == 200, ics.text
    calendar = icalendar.Calendar.from_ical(ics.content)
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    assert f"lesson-{lesson_id}@eo-platform" in uids
    r = await gw.delete(
        f"{LE}/calendar-feeds/{feed.json()['id']}", headers=await platform.headers("demo-student")
    )
    assert r.status_code == 204
    assert (await gw.get(path)).status_code == 404
