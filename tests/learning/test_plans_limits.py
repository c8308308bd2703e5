"""The КТП import's size limits (LE-2): too large a file or too many rows is 413."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from tests.learning.courses_support import API, create_course
from tests.support.service_world import World


@pytest.fixture
def learning_overrides(tmp_path: Path) -> dict[str, object]:
    return {
        "files_path": tmp_path / "files",
        "plan_import_max_bytes": 1024,
        "plan_import_max_rows": 3,
    }


async def test_too_large_a_file_or_too_many_rows(client: httpx.AsyncClient, world: World) -> None:
    course = await create_course(client, world)
    url = f"{API}/courses/{course['id']}/topics/import"
    headers = world.headers("teacher", **{"Content-Type": "text/csv"})

    big = ("Тема;Часы\n" + "Очень длинная тема урока;1\n" * 60).encode()
    assert len(big) > 1024
    r = await client.post(url, content=big, headers=headers)
    assert r.status_code == 413
    assert r.json()["type"] == "urn:eo:problem:plan-file-too-large"

    rows = "Тема;Часы\nА;1\nБ;1\nВ;1\nГ;1\n".encode()
    r = await client.post(url, content=rows, headers=headers)
    assert r.status_code == 413
    assert r.json()["type"] == "urn:eo:problem:plan-too-many-rows"

    r = await client.post(url, content="Тема;Часы\nА;1\nБ;1\nВ;1\n".encode(), headers=headers)
    assert r.status_code == 200

    # the same cap holds for topics added one by one
    r = await client.post(
        f"{API}/courses/{course['id']}/topics",
        json={"title": "Г", "planned_hours": 1},
        headers=world.headers("teacher"),
    )
    assert r.status_code == 422
    assert r.json()["type"] == "urn:eo:problem:plan-too-long"
