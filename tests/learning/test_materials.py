"""Materials (LE-4): files with a size limit, a checked type and a content hash; links
into the catalogue of §5.13; who reads, who writes; search; events."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.learning.materials_support import (
    API,
    MP4,
    PDF,
    PNG,
    count_rows,
    create_material,
    events_of,
    make_course,
    make_lesson,
    post_material,
)
from tests.support.service_world import World


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:eo:problem:{code}"
    assert any("а" <= ch.lower() <= "я" for ch in body.get("detail") or body["title"])
    return body


@pytest.fixture
async def course_id(learning_app: FastAPI, world: World) -> uuid.UUID:
    return await make_course(learning_app, world)


class TestFileMaterials:
    async def test_upload_keeps_the_file_with_its_hash_and_course_tags(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World, course_id: uuid.UUID
    ) -> None:
        body = await create_material(
            client,
            world,
            kind="lesson_scenario",
            title="Сценарий урока: дроби",
            description="Конспект и задания",
            course_id=course_id,
            files=[("Сценарий урока.pdf", PDF, "application/pdf")],
        )
        assert body["kind"] == "lesson_scenario"
        assert body["visibility"] == "course"
        assert body["course_id"] == str(course_id)
        assert body["levels"] == ["basic"]  # from the course (grade 7)
        assert body["subjects"] == ["Математика"]
        assert body["author_id"] == str(world.id("teacher"))
        assert body["url"] is None
        assert body["platform"] is None
        assert body["on_federal_list"] is None
        [file] = body["files"]
        assert file["name"] == "Сценарий урока.pdf"
        assert file["sha256"] == hashlib.sha256(PDF).hexdigest()
        assert file["size"] == len(PDF)
        assert file["content_type"] == "application/pdf"

        [payload] = list(await events_of(learning_app, world.school_id, "material.created"))
        assert payload["id"] == body["id"]
        assert payload["kind"] == "lesson_scenario"
        assert payload["course_id"] == str(course_id)
        assert payload["lesson_id"] is None
        assert payload["levels"] == ["basic"]
        assert payload["subjects"] == ["Математика"]
        assert [f["sha256"] for f in payload["files"]] == [file["sha256"]]
        assert payload["url"] is None
        assert payload["platform_code"] is None
        assert payload["on_federal_list"] is None

    async def test_download_gives_the_content_and_the_original_name(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID
    ) -> None:
        name = "Тест «Дроби» 7Б.pdf"
        body = await create_material(
            client,
            world,
            kind="test",
            title="Тест",
            course_id=course_id,
            files=[(name, PDF, "application/pdf")],
        )
        url = body["files"][0]["download_url"]
        for who in ("student", "guardian", "teacher2", "admin"):
            response = await client.get(url, headers=world.headers(who))
            assert response.status_code == 200, (who, response.text)
            assert response.content == PDF
            assert response.headers["content-type"] == "application/pdf"
            disposition = response.headers["content-disposition"]
            assert disposition.startswith("attachment;")
            assert f"filename*=UTF-8''{quote(name, safe='')}" in disposition
            assert 'filename="' in disposition
            assert disposition.isascii()
        # a student of another class does not see the course's material
        response = await client.get(url, headers=world.headers("student3"))
        problem(response, 404, "material-not-found")

    async def test_levels_and_subjects_given_explicitly(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = await create_material(
            client,
            world,
            kind="own",
            title="Справочник",
            levels=["basic", "secondary", "basic"],
            subjects=["Физика", "физика", "Астрономия"],
            files=[("a.txt", "Текст".encode(), "text/plain")],
        )
        assert body["visibility"] == "library"
        assert body["levels"] == ["basic", "secondary"]
        assert body["subjects"] == ["Физика", "Астрономия"]

    async def test_video_may_be_a_file(self, client: httpx.AsyncClient, world: World) -> None:
        body = await create_material(
            client, world, kind="video", title="Опыт", files=[("опыт.mp4", MP4, "video/mp4")]
        )
        assert body["files"][0]["content_type"] == "video/mp4"

    async def test_several_files_and_adding_and_removing(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        body = await create_material(
            client,
            world,
            kind="own",
            title="Набор",
            files=[("1.pdf", PDF, "application/pdf"), ("2.png", PNG, "image/png")],
        )
        assert [f["name"] for f in body["files"]] == ["1.pdf", "2.png"]
        mid = body["id"]
        added = await client.post(
            f"{API}/materials/{mid}/files",
            files=[("files", ("3.txt", b"three", "text/plain"))],
            headers=world.headers("teacher"),
        )
        assert added.status_code == 200, added.text
        assert [f["name"] for f in added.json()["files"]] == ["1.pdf", "2.png", "3.txt"]
        assert added.json()["version"] == 2
        first = body["files"][0]["id"]
        removed = await client.delete(
            f"{API}/materials/{mid}/files/{first}", headers=world.headers("teacher")
        )
        assert removed.status_code == 200
        assert [f["name"] for f in removed.json()["files"]] == ["2.png", "3.txt"]
        gone = await client.get(
            f"{API}/materials/{mid}/files/{first}", headers=world.headers("admin")
        )
        problem(gone, 404, "material-file-not-found")
        updates = await events_of(learning_app, world.school_id, "material.updated")
        assert [len(u["files"]) for u in updates] == [3, 2]

    async def test_the_last_file_stays(self, client: httpx.AsyncClient, world: World) -> None:
        body = await create_material(
            client, world, kind="own", title="Один", files=[("1.pdf", PDF, "application/pdf")]
        )
        response = await client.delete(
            f"{API}/materials/{body['id']}/files/{body['files'][0]['id']}",
            headers=world.headers("teacher"),
        )
        problem(response, 422, "material-last-file")


class TestUploadLimits:
    @pytest.fixture
    def learning_overrides(self, tmp_path: Any) -> dict[str, object]:
        return {"files_path": tmp_path / "files", "max_upload_bytes": 1024}

    async def test_a_file_over_the_limit_is_refused_and_nothing_is_kept(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        before = await count_rows(learning_app, world.school_id)
        response = await post_material(
            client,
            world,
            kind="own",
            title="Большой",
            files=[
                ("ok.pdf", PDF, "application/pdf"),
                ("big.pdf", PDF + b"0" * 2000, "application/pdf"),
            ],
        )
        problem(response, 413, "file-too-large")
        assert await count_rows(learning_app, world.school_id) == before

    async def test_a_refused_type_is_415(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        before = await count_rows(learning_app, world.school_id)
        response = await post_material(
            client,
            world,
            kind="own",
            title="Программа",
            files=[("setup.exe", b"MZ\x90\x00", "application/x-msdownload")],
        )
        problem(response, 415, "file-type-refused")
        assert await count_rows(learning_app, world.school_id) == before

    async def test_content_not_matching_the_declared_type_is_415(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        before = await count_rows(learning_app, world.school_id)
        response = await post_material(
            client, world, kind="own", title="Картинка", files=[("x.pdf", PNG, "application/pdf")]
        )
        problem(response, 415, "file-type-mismatch")
        assert await count_rows(learning_app, world.school_id) == before


class TestLinks:
    async def test_a_link_into_the_catalogue_shows_its_platform(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        body = await create_material(
            client,
            world,
            kind="third_party_link",
            title="Урок РЭШ",
            subjects=["Математика"],
            levels=["basic"],
            url="https://resh.edu.ru/subject/lesson/7781/start/",
        )
        assert body["url"] == "https://resh.edu.ru/subject/lesson/7781/start/"
        assert body["platform"]["code"] == "resh"
        assert body["platform"]["name"] == "Российская электронная школа"
        assert body["platform"]["scope"] == "global"
        # the built-in federal list names no resource (see catalogue/data.py)
        assert body["on_federal_list"] is False
        assert body["files"] == []
        [payload] = await events_of(learning_app, world.school_id, "material.created")
        assert payload["platform_code"] == "resh"
        assert payload["on_federal_list"] is False
        assert payload["url"] == body["url"]

    @pytest.mark.parametrize(
        ("url", "code"),
        [
            ("https://www.yaklass.ru/p/algebra/7-klass", "yaklass"),
            ("https://UCHI.RU/teachers", "uchi_ru"),
            ("http://globallab.org/ru/project/", "globallab"),
            ("https://lib.myschool.edu.ru/content/1", "cok_library"),
            ("https://myschool.edu.ru/lessons", "moya_shkola"),
            ("https://oblakoz.ru/app", "oblako_znaniy"),
        ],
    )
    async def test_the_most_specific_domain_wins(
        self, client: httpx.AsyncClient, world: World, url: str, code: str
    ) -> None:
        body = await create_material(
            client, world, kind="third_party_link", title="Ссылка", url=url
        )
        assert body["platform"]["code"] == code

    async def test_video_may_be_a_link(self, client: httpx.AsyncClient, world: World) -> None:
        body = await create_material(
            client, world, kind="video", title="Запись урока", url="https://sferum.ru/?p=video"
        )
        assert body["platform"]["code"] == "sferum"

    async def test_a_link_outside_the_catalogue_is_refused_naming_it(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        before = await count_rows(learning_app, world.school_id)
        response = await post_material(
            client,
            world,
            kind="third_party_link",
            title="Чужой сайт",
            url="https://example.com/lesson",
        )
        body = problem(response, 422, "url-not-in-catalogue")
        assert "каталог платформ" in body["detail"]
        assert "example.com" in body["detail"]
        assert "Российская электронная школа" in body["detail"]
        assert body["host"] == "example.com"
        # a look-alike host is not a subdomain
        response = await post_material(
            client, world, kind="third_party_link", title="x", url="https://notuchi.ru/"
        )
        problem(response, 422, "url-not-in-catalogue")
        assert await count_rows(learning_app, world.school_id) == before

    @pytest.mark.parametrize(
        "url",
        ["ftp://resh.edu.ru/x", "resh.edu.ru/x", "https://user:pw@resh.edu.ru/", "https:///x"],
    )
    async def test_a_malformed_url_is_422(
        self, client: httpx.AsyncClient, world: World, url: str
    ) -> None:
        response = await post_material(client, world, kind="third_party_link", title="x", url=url)
        body = problem(response, 422, "validation-error")
        assert body["errors"][0]["field"] == "body.url"


class TestContentRules:
    @pytest.mark.parametrize(
        ("fields", "code"),
        [
            ({"kind": "own", "url": "https://resh.edu.ru/"}, "material-url-not-allowed"),
            ({"kind": "own"}, "material-files-required"),
            ({"kind": "third_party_link"}, "material-url-required"),
            ({"kind": "video"}, "material-content-required"),
        ],
    )
    async def test_files_and_links_by_kind(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        fields: dict[str, Any],
        code: str,
    ) -> None:
        before = await count_rows(learning_app, world.school_id)
        response = await post_material(client, world, title="Материал", **fields)
        problem(response, 422, code)
        assert await count_rows(learning_app, world.school_id) == before

    async def test_files_on_a_link_or_both_on_a_video(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        before = await count_rows(learning_app, world.school_id)
        response = await post_material(
            client,
            world,
            kind="third_party_link",
            title="x",
            url="https://resh.edu.ru/",
            files=[("a.pdf", PDF, "application/pdf")],
        )
        problem(response, 422, "material-files-not-allowed")
        response = await post_material(
            client,
            world,
            kind="video",
            title="x",
            url="https://resh.edu.ru/",
            files=[("a.mp4", MP4, "video/mp4")],
        )
        problem(response, 422, "material-file-or-url")
        assert await count_rows(learning_app, world.school_id) == before

    async def test_course_visibility_needs_a_course(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await post_material(
            client,
            world,
            kind="own",
            title="x",
            visibility="course",
            files=[("a.pdf", PDF, "application/pdf")],
        )
        problem(response, 422, "material-course-required")

    async def test_unknown_fields_and_bad_values_are_refused(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await post_material(client, world, kind="own", title="x", colour="red")
        problem(response, 422, "validation-error")
        response = await post_material(client, world, kind="poster", title="x")
        problem(response, 422, "validation-error")
        response = await post_material(client, world, kind="own", title="x", levels=["college"])
        problem(response, 422, "validation-error")
        response = await post_material(client, world, kind="own", title="a\x00b")
        problem(response, 422, "validation-error")

    async def test_placement_on_courses_and_lessons(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        course_id: uuid.UUID,
    ) -> None:
        pdf = [("a.pdf", PDF, "application/pdf")]
        lesson = await make_lesson(learning_app, world, course_id)
        body = await create_material(
            client, world, kind="own", title="К уроку", lesson_id=lesson, files=pdf
        )
        assert body["lesson_id"] == str(lesson)
        assert body["course_id"] == str(course_id)

        other_course = await make_course(learning_app, world, teacher="teacher2", class_name="3А")
        response = await post_material(
            client, world, kind="own", title="x", course_id=other_course, files=pdf
        )
        problem(response, 403, "course-not-own")
        response = await post_material(
            client,
            world,
            kind="own",
            title="x",
            course_id=other_course,
            lesson_id=lesson,
            files=pdf,
        )
        problem(response, 422, "lesson-not-in-course")

        foreign_course = await make_course(learning_app, other_world)
        foreign_lesson = await make_lesson(learning_app, other_world, foreign_course)
        response = await post_material(
            client, world, kind="own", title="x", course_id=foreign_course, files=pdf
        )
        problem(response, 404, "course-not-found")
        response = await post_material(
            client, world, kind="own", title="x", lesson_id=foreign_lesson, files=pdf
        )
        problem(response, 404, "lesson-not-found")

        # a substitute teacher attaches material to the lesson they teach
        substituted = await make_lesson(learning_app, world, other_course, substitute="teacher")
        body = await create_material(
            client, world, kind="own", title="Замена", lesson_id=substituted, files=pdf
        )
        assert body["course_id"] == str(other_course)
        # admins attach anywhere in their school
        body = await create_material(
            client, world, "admin", kind="own", title="Админ", course_id=other_course, files=pdf
        )
        assert body["author_id"] == str(world.id("admin"))


class TestChanges:
    async def test_the_author_edits_and_an_event_follows(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World, course_id: uuid.UUID
    ) -> None:
        body = await create_material(
            client,
            world,
            kind="third_party_link",
            title="Старое",
            course_id=course_id,
            url="https://uchi.ru/a",
        )
        mid = body["id"]
        response = await client.patch(
            f"{API}/materials/{mid}",
            json={
                "title": "Новое",
                "description": "Описание",
                "subjects": ["Алгебра"],
                "url": "https://www.yaklass.ru/b",
                "visibility": "library",
            },
            headers=world.headers("teacher"),
        )
        assert response.status_code == 200, response.text
        changed = response.json()
        assert changed["title"] == "Новое"
        assert changed["subjects"] == ["Алгебра"]
        assert changed["levels"] == ["basic"]
        assert changed["platform"]["code"] == "yaklass"
        assert changed["visibility"] == "library"
        assert changed["version"] == 2
        [payload] = await events_of(learning_app, world.school_id, "material.updated")
        assert payload["title"] == "Новое"
        assert payload["platform_code"] == "yaklass"
        assert payload["version"] == 2

        # an administrator may edit; another teacher and the other roles may not
        response = await client.patch(
            f"{API}/materials/{mid}", json={"title": "Админ"}, headers=world.headers("admin")
        )
        assert response.status_code == 200
        response = await client.patch(
            f"{API}/materials/{mid}", json={"title": "x"}, headers=world.headers("teacher2")
        )
        problem(response, 403, "material-not-author")
        for who in ("student", "guardian", "staff"):
            response = await client.patch(
                f"{API}/materials/{mid}", json={"title": "x"}, headers=world.headers(who)
            )
            assert response.status_code == 403

    async def test_moving_detaching_and_bad_patches(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World, course_id: uuid.UUID
    ) -> None:
        lesson = await make_lesson(learning_app, world, course_id)
        body = await create_material(
            client,
            world,
            kind="own",
            title="Файл",
            lesson_id=lesson,
            files=[("a.pdf", PDF, "application/pdf")],
        )
        url = f"{API}/materials/{body['id']}"
        teacher = world.headers("teacher")
        second = await make_course(learning_app, world, subject="Геометрия")
        moved = await client.patch(url, json={"course_id": str(second)}, headers=teacher)
        assert moved.status_code == 200, moved.text
        assert moved.json()["course_id"] == str(second)
        assert moved.json()["lesson_id"] is None  # the lesson of the old course goes
        problem(
            await client.patch(url, json={"course_id": None}, headers=teacher),
            422,
            "material-course-required",
        )
        detached = await client.patch(
            url, json={"course_id": None, "visibility": "library"}, headers=teacher
        )
        assert detached.json()["course_id"] is None
        for bad in ({"title": None}, {"kind": "video"}, {"levels": ["x"]}, {"title": ""}):
            problem(await client.patch(url, json=bad, headers=teacher), 422, "validation-error")
        problem(
            await client.patch(url, json={"url": "https://resh.edu.ru/"}, headers=teacher),
            422,
            "material-url-not-allowed",
        )
        response = await client.patch(
            url, content=b"{", headers={**teacher, "content-type": "application/json"}
        )
        problem(response, 400, "malformed-json")

    async def test_archiving_hides_from_readers_and_keeps_for_the_author(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World, course_id: uuid.UUID
    ) -> None:
        body = await create_material(
            client,
            world,
            kind="own",
            title="Архивный",
            course_id=course_id,
            files=[("a.pdf", PDF, "application/pdf")],
        )
        url = f"{API}/materials/{body['id']}"
        problem(
            await client.delete(url, headers=world.headers("teacher2")), 403, "material-not-author"
        )
        assert (await client.delete(url, headers=world.headers("teacher"))).status_code == 204
        assert (await client.delete(url, headers=world.headers("teacher"))).status_code == 204
        payloads = await events_of(learning_app, world.school_id, "material.updated")
        assert [p["status"] for p in payloads] == ["archived"]

        problem(await client.get(url, headers=world.headers("student")), 404, "material-not-found")
        problem(
            await client.get(body["files"][0]["download_url"], headers=world.headers("student")),
            404,
            "material-not-found",
        )
        own = await client.get(url, headers=world.headers("teacher"))
        assert own.json()["status"] == "archived"
        assert own.json()["archived_at"]
        problem(
            await client.patch(url, json={"title": "x"}, headers=world.headers("teacher")),
            409,
            "material-archived",
        )
        listed = await client.get(
            f"{API}/materials",
            params={"include_archived": "true"},
            headers=world.headers("teacher"),
        )
        assert body["id"] in {m["id"] for m in listed.json()["items"]}
        for who in ("student", "teacher2"):
            listed = await client.get(
                f"{API}/materials", params={"include_archived": "true"}, headers=world.headers(who)
            )
            assert body["id"] not in {m["id"] for m in listed.json()["items"]}


class TestListing:
    @pytest.fixture
    async def catalogue(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World, course_id: uuid.UUID
    ) -> dict[str, str]:
        grade3 = await make_course(
            learning_app, world, teacher="teacher2", class_name="3А", subject="Чтение"
        )
        pdf = [("a.pdf", PDF, "application/pdf")]
        made = {
            "math": await create_material(
                client,
                world,
                kind="test",
                title="Контрольная по ДРОБЯМ",
                course_id=course_id,
                files=pdf,
            ),
            "library": await create_material(
                client,
                world,
                kind="third_party_link",
                title="Виртуальная лаборатория",
                description="Опыты по физике",
                subjects=["Физика"],
                levels=["basic", "secondary"],
                url="https://globallab.org/ru/",
            ),
            "reading": await create_material(
                client, world, "teacher2", kind="own", title="Сказки", course_id=grade3, files=pdf
            ),
        }
        return {k: v["id"] for k, v in made.items()}

    async def ids(
        self, client: httpx.AsyncClient, world: World, who: str, **params: Any
    ) -> set[str]:
        response = await client.get(f"{API}/materials", params=params, headers=world.headers(who))
        assert response.status_code == 200, response.text
        return {m["id"] for m in response.json()["items"]}

    async def test_who_sees_what(
        self, client: httpx.AsyncClient, world: World, other_world: World, catalogue: dict[str, str]
    ) -> None:
        everything = set(catalogue.values())
        for who in ("admin", "staff", "teacher", "teacher2"):
            assert await self.ids(client, world, who) == everything
        for who in ("student", "student2", "guardian", "guardian2"):
            assert await self.ids(client, world, who) == {catalogue["math"], catalogue["library"]}
        assert await self.ids(client, world, "student3") == {
            catalogue["reading"],
            catalogue["library"],
        }
        for who in ("admin", "student"):
            assert await self.ids(client, other_world, who) == set()

    async def test_filters(
        self,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        catalogue: dict[str, str],
    ) -> None:
        assert await self.ids(client, world, "admin", kind="test") == {catalogue["math"]}
        assert await self.ids(client, world, "admin", subject="математика") == {catalogue["math"]}
        assert await self.ids(client, world, "admin", subject="ФИЗИКА") == {catalogue["library"]}
        assert await self.ids(client, world, "admin", level="secondary") == {catalogue["library"]}
        assert await self.ids(client, world, "admin", level="primary") == {catalogue["reading"]}
        assert await self.ids(client, world, "admin", course_id=str(course_id)) == {
            catalogue["math"]
        }
        assert await self.ids(client, world, "admin", visibility="library") == {
            catalogue["library"]
        }
        assert await self.ids(client, world, "admin", q="дробям") == {catalogue["math"]}
        assert await self.ids(client, world, "admin", q="опыты") == {catalogue["library"]}
        assert await self.ids(client, world, "admin", q="100%") == set()
        assert await self.ids(client, world, "student3", course_id=str(course_id)) == set()
        response = await client.get(
            f"{API}/materials", params={"kind": "poster"}, headers=world.headers("admin")
        )
        problem(response, 422, "validation-error")

    async def test_pages(
        self, client: httpx.AsyncClient, world: World, catalogue: dict[str, str]
    ) -> None:
        seen: list[str] = []
        params: dict[str, Any] = {"limit": 2}
        while True:
            response = await client.get(
                f"{API}/materials", params=params, headers=world.headers("admin")
            )
            body = response.json()
            seen += [m["id"] for m in body["items"]]
            if body["next_cursor"] is None:
                assert "link" not in response.headers
                break
            assert 'rel="next"' in response.headers["link"]
            params = {"limit": 2, "cursor": body["next_cursor"]}
        assert sorted(seen) == sorted(catalogue.values())
        response = await client.get(
            f"{API}/materials", params={"cursor": "garbage"}, headers=world.headers("admin")
        )
        problem(response, 400, "invalid-cursor")

    async def test_a_page_costs_the_same_queries_whatever_its_size(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World, course_id: uuid.UUID
    ) -> None:
        statements: list[str] = []

        def count(*args: Any) -> None:
            statements.append(str(args[2]))

        async def listing() -> int:
            statements.clear()
            engine = learning_app.state.database.engine.sync_engine
            event.listen(engine, "before_cursor_execute", count)
            try:
                response = await client.get(f"{API}/materials", headers=world.headers("student"))
            finally:
                event.remove(engine, "before_cursor_execute", count)
            assert response.status_code == 200
            return len(statements)

        pdf = [("a.pdf", PDF, "application/pdf")]
        await create_material(client, world, kind="own", title="1", course_id=course_id, files=pdf)
        await create_material(
            client, world, kind="third_party_link", title="2", url="https://uchi.ru/"
        )
        small = await listing()
        for i in range(6):
            await create_material(
                client, world, kind="own", title=f"m{i}", course_id=course_id, files=pdf
            )
            await create_material(
                client, world, kind="third_party_link", title=f"l{i}", url="https://uchi.ru/"
            )
        assert await listing() == small
