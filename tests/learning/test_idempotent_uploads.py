"""``Idempotency-Key`` on POSTs whose body is not JSON (GW-5): a multipart upload retried
with a new boundary and a CSV import are carried out once."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI

from tests.learning.materials_support import API, PDF, count_rows, make_course
from tests.support.service_world import World


async def test_a_retried_multipart_upload_is_stored_once(
    client: httpx.AsyncClient, learning_app: FastAPI, world: World
) -> None:
    course_id = await make_course(learning_app, world)
    key = f"upload-{uuid.uuid4()}"
    headers = {**world.headers("teacher"), "Idempotency-Key": key}
    data = {"kind": "test", "title": "Тест", "course_id": str(course_id)}
    files = [("files", ("Тест.pdf", PDF, "application/pdf"))]
    before = await count_rows(learning_app, world.school_id)
    first = await client.post(f"{API}/materials", data=data, files=files, headers=headers)
    assert first.status_code == 201, first.text
    # httpx picks a new random boundary for every request: the same upload all the same
    again = await client.post(f"{API}/materials", data=data, files=files, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    after = await count_rows(learning_app, world.school_id)
    assert after["materials"] - before["materials"] == 1
    assert after["files"] - before["files"] == 1
    # another file under the same key is another request
    other = [("files", ("Другой.pdf", PDF + b"%", "application/pdf"))]
    r = await client.post(f"{API}/materials", data=data, files=other, headers=headers)
    assert r.status_code == 422
    assert r.json()["type"] == "urn:eo:problem:idempotency-key-reused"


async def test_a_retried_csv_import_creates_its_lessons_once(
    client: httpx.AsyncClient, learning_app: FastAPI, world: World
) -> None:
    course_id = await make_course(learning_app, world)
    headers = {
        **world.headers("teacher"),
        "Content-Type": "text/csv",
        "Idempotency-Key": f"csv-{uuid.uuid4()}",
    }
    body = f"course_id,date,starts_at\n{course_id},2026-12-07,09:00\n".encode()
    first = await client.post(f"{API}/timetable/import", content=body, headers=headers)
    assert first.status_code == 201, first.text
    again = await client.post(f"{API}/timetable/import", content=body, headers=headers)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
