"""Who may do what with materials (LE-4, X-7): every operation × role × relation.

* reads: administration, staff and teachers — every material of the school; a student —
  the library and the materials of their courses (a sub-group course only when listed);
  a guardian — the same for linked children; anything else, and anything of another
  school, is 404;
* writes: teachers and administrators create (a teacher only on own courses: 403);
  the author or an administrator changes, archives, adds and removes files; another
  teacher 403; students, guardians and staff 403 for any write;
* anonymous: 401 everywhere.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.learning.materials_support import (
    API,
    PDF,
    PNG,
    create_material,
    make_course,
    post_material,
)
from tests.support.service_world import World, service_headers

COVERED: set[str] = {
    "learning_list_materials",
    "learning_create_material",
    "learning_get_material",
    "learning_update_material",
    "learning_archive_material",
    "learning_add_material_files",
    "learning_remove_material_file",
    "learning_download_material_file",
}

ROLES = (
    "anonymous",
    "admin",
    "staff",
    "teacher",
    "teacher2",
    "student",
    "student2",
    "student3",
    "guardian",
    "guardian2",
)
FILES = [("1.pdf", PDF, "application/pdf"), ("2.png", PNG, "image/png")]


@dataclass
class Setting:
    world: World
    other: World
    course: uuid.UUID  # 7Б, taught by "teacher"
    sub_course: uuid.UUID  # a sub-group of 7Б with "student" only
    other_course: uuid.UUID  # another school's
    on_course: dict[str, Any]  # course-only material of `course`
    on_sub: dict[str, Any]  # course-only material of `sub_course`
    library: dict[str, Any]  # library link by "teacher"
    foreign: dict[str, Any]  # another school's material


@pytest.fixture
async def setting(
    learning_app: FastAPI, client: httpx.AsyncClient, world: World, other_world: World
) -> Setting:
    course = await make_course(learning_app, world)
    sub_course = await make_course(learning_app, world, subject="Кружок", students=["student"])
    other_course = await make_course(learning_app, other_world)
    return Setting(
        world=world,
        other=other_world,
        course=course,
        sub_course=sub_course,
        other_course=other_course,
        on_course=await create_material(
            client, world, kind="own", title="Курс", course_id=course, files=FILES
        ),
        on_sub=await create_material(
            client, world, kind="own", title="Подгруппа", course_id=sub_course, files=FILES
        ),
        library=await create_material(
            client, world, kind="third_party_link", title="Б", url="https://uchi.ru/"
        ),
        foreign=await create_material(
            client, other_world, kind="own", title="Чужое", course_id=other_course, files=FILES
        ),
    )


def headers(s: Setting, role: str) -> dict[str, str]:
    return s.world.headers(role)


def no_foreign_ids(s: Setting, response: httpx.Response) -> None:
    text = response.text
    assert str(s.other.school_id) not in text
    assert s.foreign["id"] not in text


LIST: dict[str, int] = {
    "anonymous": 401,
    **{r: 200 for r in ROLES if r != "anonymous"},
}
# the sub-group material: only "student" and their guardian among non-staff
ONE: dict[str, int] = {
    "anonymous": 401,
    "admin": 200,
    "staff": 200,
    "teacher": 200,
    "teacher2": 200,
    "student": 200,
    "student2": 404,
    "student3": 404,
    "guardian": 200,
    "guardian2": 404,
}


class TestReads:
    @pytest.mark.parametrize("role", ROLES)
    async def test_list_materials(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(f"{API}/materials", headers=headers(setting, role))
        assert response.status_code == LIST[role], response.text
        if response.status_code == 200:
            no_foreign_ids(setting, response)
            ids = {m["id"] for m in response.json()["items"]}
            assert setting.library["id"] in ids
            assert (setting.on_sub["id"] in ids) == (ONE[role] == 200)

    @pytest.mark.parametrize("role", ROLES)
    async def test_get_material(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(
            f"{API}/materials/{setting.on_sub['id']}", headers=headers(setting, role)
        )
        assert response.status_code == ONE[role], response.text
        foreign = await client.get(
            f"{API}/materials/{setting.foreign['id']}", headers=headers(setting, role)
        )
        assert foreign.status_code == (401 if role == "anonymous" else 404)
        library = await client.get(
            f"{API}/materials/{setting.library['id']}", headers=headers(setting, role)
        )
        assert library.status_code == (401 if role == "anonymous" else 200)

    @pytest.mark.parametrize("role", ROLES)
    async def test_download_material_file(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(
            setting.on_sub["files"][0]["download_url"], headers=headers(setting, role)
        )
        assert response.status_code == ONE[role], response.text
        if response.status_code == 200:
            assert response.content == PDF
        foreign = await client.get(
            f"{API}/materials/{setting.on_sub['id']}/files/{setting.foreign['files'][0]['id']}",
            headers=headers(setting, role),
        )
        assert foreign.status_code == (401 if role == "anonymous" else 404)
        foreign = await client.get(
            setting.foreign["files"][0]["download_url"], headers=headers(setting, role)
        )
        assert foreign.status_code == (401 if role == "anonymous" else 404)

    async def test_service_tokens_are_refused(
        self, client: httpx.AsyncClient, setting: Setting
    ) -> None:
        response = await client.get(f"{API}/materials", headers=service_headers())
        assert response.status_code == 403


WRITE = {
    "anonymous": 401,
    "admin": 200,
    "staff": 403,
    "teacher": 200,  # the author
    "teacher2": 403,
    "student": 403,
    "student2": 403,
    "student3": 403,
    "guardian": 403,
    "guardian2": 403,
}
WRITERS = ("admin", "teacher")


class TestWrites:
    @pytest.mark.parametrize("role", ROLES)
    async def test_create_material(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        expected = {**WRITE, "admin": 201, "teacher": 201}[role]
        response = await post_material(
            client,
            setting.world,
            role,
            kind="own",
            title="Новый",
            course_id=setting.course,
            files=FILES[:1],
        )
        assert response.status_code == expected, response.text
        if role in WRITERS:
            # another school's course is not found
            response = await post_material(
                client,
                setting.world,
                role,
                kind="own",
                title="Новый",
                course_id=setting.other_course,
                files=FILES[:1],
            )
            assert response.status_code == 404
        if role == "teacher2":
            # a teacher may add to the library without a course
            response = await post_material(
                client, setting.world, role, kind="own", title="Свой", files=FILES[:1]
            )
            assert response.status_code == 201

    @pytest.mark.parametrize("role", ROLES)
    async def test_update_material(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.patch(
            f"{API}/materials/{setting.on_course['id']}",
            json={"title": "Изменено"},
            headers=headers(setting, role),
        )
        assert response.status_code == WRITE[role], response.text
        if role in WRITERS:
            response = await client.patch(
                f"{API}/materials/{setting.foreign['id']}",
                json={"title": "Изменено"},
                headers=headers(setting, role),
            )
            assert response.status_code == 404

    @pytest.mark.parametrize("role", ROLES)
    async def test_archive_material(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        expected = {**WRITE, "admin": 204, "teacher": 204}[role]
        response = await client.delete(
            f"{API}/materials/{setting.on_course['id']}", headers=headers(setting, role)
        )
        assert response.status_code == expected, response.text
        if role in WRITERS:
            response = await client.delete(
                f"{API}/materials/{setting.foreign['id']}", headers=headers(setting, role)
            )
            assert response.status_code == 404

    @pytest.mark.parametrize("role", ROLES)
    async def test_add_material_files(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.post(
            f"{API}/materials/{setting.on_course['id']}/files",
            files=[("files", ("3.txt", b"three", "text/plain"))],
            headers=headers(setting, role),
        )
        assert response.status_code == WRITE[role], response.text
        if role in WRITERS:
            response = await client.post(
                f"{API}/materials/{setting.foreign['id']}/files",
                files=[("files", ("3.txt", b"three", "text/plain"))],
                headers=headers(setting, role),
            )
            assert response.status_code == 404

    @pytest.mark.parametrize("role", ROLES)
    async def test_remove_material_file(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        file_id = setting.on_course["files"][1]["id"]
        response = await client.delete(
            f"{API}/materials/{setting.on_course['id']}/files/{file_id}",
            headers=headers(setting, role),
        )
        assert response.status_code == WRITE[role], response.text
        if role in WRITERS:
            response = await client.delete(
                f"{API}/materials/{setting.foreign['id']}/files/{setting.foreign['files'][1]['id']}",
                headers=headers(setting, role),
            )
            assert response.status_code == 404
