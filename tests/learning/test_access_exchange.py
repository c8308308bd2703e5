"""Who may use courses' external ids, the timetable CSV and calendar feeds (ID-9, GW-5).

External ids are set and removed by admins only; lookup follows course visibility. The
CSV export has the rights of ``GET /timetable``; the import is for the course's teacher
and the admin (a row naming a course the caller may not write in, or another school's
course, is a row error: 422 with its line, nothing stored). Calendar feeds: a student's
feed by the student, their guardian or an admin; a class feed by teachers and admins;
a feed is revoked by its owner or an admin (anyone else: 404); the ``.ics`` is public.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import pytest

from tests.learning.courses_support import (
    API,
    ROLES,
    access_objects,
    read_expect,
    role_headers,
    write_expect,
)
from tests.support.service_world import World, service_headers

Call = Callable[
    [httpx.AsyncClient, World, dict[str, str], dict[str, str]], Awaitable[httpx.Response]
]
PERIOD = {"from": "2026-11-01", "to": "2026-11-30"}
ADMIN_ONLY = {
    **write_expect(),
    "teacher": 403,
}


@dataclass(frozen=True)
class Row:
    operation: str
    call: Call
    expect: dict[str, int]


async def _with_external_id(c: httpx.AsyncClient, w: World, o: dict[str, str]) -> str:
    value = f"ms-{uuid.uuid4().hex[:10]}"
    r = await c.put(
        f"{API}/courses/{o['course']}/external-ids/moya_shkola",
        json={"value": value},
        headers=w.headers("admin"),
    )
    assert r.status_code == 200, r.text
    return value


async def _set_external(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    return await c.put(
        f"{API}/courses/{o['course']}/external-ids/regional",
        json={"value": f"r-{uuid.uuid4().hex[:8]}"},
        headers=h,
    )


async def _delete_external(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    await _with_external_id(c, w, o)
    return await c.delete(f"{API}/courses/{o['course']}/external-ids/moya_shkola", headers=h)


async def _lookup(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    value = await _with_external_id(c, w, o)
    r = await c.get(
        f"{API}/external-ids/lookup", params={"system": "moya_shkola", "value": value}, headers=h
    )
    if r.status_code == 200:
        assert r.json()["id"] == o["course"]
        assert r.json()["external_ids"] == {"moya_shkola": value}
    return r


async def _export_csv(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    r = await c.get(
        f"{API}/timetable/export.csv", params={**PERIOD, "course_id": o["course"]}, headers=h
    )
    if r.status_code == 200:
        assert r.headers["content-type"].startswith("text/csv")
        assert o["lesson"] in r.text
    return r


async def _import_csv(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    body = f"course_id,date,starts_at\n{o['course']},2026-11-27,11:00\n"
    return await c.post(
        f"{API}/timetable/import",
        content=body.encode(),
        headers={**h, "Content-Type": "text/csv"},
    )


async def _create_student_feed(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    body = {"kind": "student", "target_id": str(w.id("student"))}
    r = await c.post(f"{API}/calendar-feeds", json=body, headers=h)
    if r.status_code == 201:
        assert r.headers["cache-control"] == "no-store"
        assert r.json()["path"].endswith(".ics")
    return r


async def _create_class_feed(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    body = {"kind": "class", "target_id": str(w.class_id("7Б"))}
    return await c.post(f"{API}/calendar-feeds", json=body, headers=h)


async def _list_feeds(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    listed = await c.get(f"{API}/calendar-feeds", headers=h)
    if listed.status_code == 200:
        assert "token" not in listed.text
    return listed


async def _revoke_feed(
    c: httpx.AsyncClient, w: World, o: dict[str, str], h: dict[str, str]
) -> httpx.Response:
    r = await c.post(
        f"{API}/calendar-feeds", json={"kind": "student"}, headers=w.headers("student")
    )
    assert r.status_code == 201
    return await c.delete(f"{API}/calendar-feeds/{r.json()['id']}", headers=h)


FEED_OF_STUDENT = {
    "anonymous": 401,
    "student": 201,
    "student2": 404,
    "guardian": 201,
    "guardian2": 404,
    "teacher": 403,
    "teacher2": 403,
    "staff": 403,
    "admin": 201,
    "other_school": 404,
}
FEED_OF_CLASS = {
    **dict.fromkeys(ROLES, 403),
    "anonymous": 401,
    "teacher": 201,
    "teacher2": 201,
    "admin": 201,
    "other_school": 404,
}
REVOKE = {
    **dict.fromkeys(ROLES, 404),
    "anonymous": 401,
    "student": 204,
    "admin": 204,
}
EVERYONE = {**dict.fromkeys(ROLES, 200), "anonymous": 401}

ROWS = [
    Row("learning_set_course_external_id", _set_external, ADMIN_ONLY),
    Row("learning_delete_course_external_id", _delete_external, {**ADMIN_ONLY, "admin": 204}),
    Row("learning_lookup_course_by_external_id", _lookup, read_expect()),
    Row("learning_export_timetable_csv", _export_csv, read_expect()),
    Row(
        "learning_import_timetable_csv",
        _import_csv,
        {**write_expect(201), "teacher2": 422, "other_school": 422},
    ),
    Row("learning_create_calendar_feed", _create_student_feed, FEED_OF_STUDENT),
    Row("learning_create_calendar_feed", _create_class_feed, FEED_OF_CLASS),
    Row("learning_list_calendar_feeds", _list_feeds, EVERYONE),
    Row("learning_revoke_calendar_feed", _revoke_feed, REVOKE),
]
COVERED: set[str] = {row.operation for row in ROWS} | {"learning_get_calendar_feed_ics"}


@pytest.mark.parametrize("row", ROWS, ids=[f"{r.operation}-{r.call.__name__}" for r in ROWS])
async def test_access(
    row: Row, client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    objects: dict[str, str] | None = None
    for role in ROLES:
        if objects is None:
            objects = await access_objects(client, world)
        r = await row.call(client, world, objects, role_headers(world, other_world, role))
        assert r.status_code == row.expect[role], (row.operation, role, r.text)
        if r.status_code >= 400:
            assert r.headers["content-type"] == "application/problem+json"
        else:
            assert str(other_world.school_id) not in r.text
        if r.status_code < 400 and r.request.method != "GET":
            objects = None


async def test_the_ics_is_public_and_answers_404_for_unknown_or_revoked_tokens(
    client: httpx.AsyncClient, world: World
) -> None:
    r = await client.post(
        f"{API}/calendar-feeds", json={"kind": "teacher"}, headers=world.headers("teacher")
    )
    assert r.status_code == 201, r.text
    feed = r.json()
    ics = await client.get(feed["path"])  # no Authorization header at all
    assert ics.status_code == 200
    assert ics.headers["content-type"].startswith("text/calendar")
    token = feed["token"]
    altered = token[:-1] + ("B" if token.endswith("A") else "A")
    for garbage in ("nope", "x" * 43, altered):
        r = await client.get(f"{API}/ical/{garbage}.ics")
        assert r.status_code == 404
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"].endswith("calendar-feed-not-found")
    r = await client.delete(f"{API}/calendar-feeds/{feed['id']}", headers=world.headers("teacher"))
    assert r.status_code == 204
    assert (await client.get(feed["path"])).status_code == 404


async def test_feeds_are_listed_to_their_owner_and_the_admin_only(
    client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    r = await client.post(
        f"{API}/calendar-feeds", json={"kind": "student"}, headers=world.headers("student")
    )
    feed_id = r.json()["id"]
    for who, world_, sees in (
        ("student", world, True),
        ("admin", world, True),
        ("guardian", world, False),
        ("teacher", world, False),
        ("staff", world, False),
        ("admin", other_world, False),
    ):
        listed = await client.get(f"{API}/calendar-feeds", headers=world_.headers(who))
        assert listed.status_code == 200
        assert (feed_id in {f["id"] for f in listed.json()}) is sees, who


async def test_service_tokens_are_refused(client: httpx.AsyncClient, world: World) -> None:
    """These operations act for a person of a school: a service token is 403."""
    objects = await access_objects(client, world)
    course = objects["course"]
    period = "from=2026-11-01&to=2026-11-30"
    for method, url in (
        ("GET", f"{API}/timetable/export.csv?{period}&course_id={course}"),
        ("POST", f"{API}/calendar-feeds"),
        ("GET", f"{API}/calendar-feeds"),
        ("GET", f"{API}/external-ids/lookup?system=regional&value=1"),
        ("PUT", f"{API}/courses/{course}/external-ids/regional"),
    ):
        body = {"value": "1"} if method == "PUT" else None
        r = await client.request(method, url, json=body, headers=service_headers())
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["type"] == "urn:eo:problem:service-token-not-allowed"
