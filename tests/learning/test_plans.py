"""The thematic plan (КТП, LE-2): topics kept 1 … n, topics used by lessons protected,
and the all-or-nothing import from CSV and XLSX with line numbers for bad rows."""

from __future__ import annotations

import io
from datetime import date, datetime
from typing import Any

import httpx
from openpyxl import Workbook

from services.learning.plans.parsing import XLSX_TYPE
from tests.learning.courses_support import API, add_topics, create_course, create_lesson, events
from tests.support.service_world import World

CSV = "text/csv"


def xlsx(rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


async def plan(client: httpx.AsyncClient, world: World, course_id: str) -> dict[str, Any]:
    r = await client.get(f"{API}/courses/{course_id}/topics", headers=world.headers("teacher"))
    assert r.status_code == 200, r.text
    return dict(r.json())


def titles(body: dict[str, Any]) -> list[str]:
    assert [t["position"] for t in body["topics"]] == list(range(1, len(body["topics"]) + 1))
    return [t["title"] for t in body["topics"]]


async def upload(
    client: httpx.AsyncClient,
    world: World,
    course_id: str,
    content: bytes,
    content_type: str = CSV,
    caller: str = "teacher",
) -> httpx.Response:
    return await client.post(
        f"{API}/courses/{course_id}/topics/import",
        content=content,
        headers=world.headers(caller, **{"Content-Type": content_type}),
    )


class TestEditing:
    async def test_add_insert_move_delete_keep_positions_contiguous(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        cid = course["id"]
        a, b, c = await add_topics(client, world, cid, ["А", "Б", "В"])
        assert [a["position"], b["position"], c["position"]] == [1, 2, 3]
        r = await client.post(
            f"{API}/courses/{cid}/topics",
            json={
                "title": "Вставка",
                "section": "Раздел 1",
                "planned_hours": "1.5",
                "planned_date": "2026-09-03",
                "position": 2,
            },
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        inserted = r.json()
        assert inserted["position"] == 2
        assert inserted["planned_hours"] == 1.5
        assert titles(await plan(client, world, cid)) == ["А", "Вставка", "Б", "В"]

        r = await client.patch(
            f"{API}/courses/{cid}/topics/{c['id']}",
            json={"position": 1, "title": "В (изменена)"},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert titles(await plan(client, world, cid)) == ["В (изменена)", "А", "Вставка", "Б"]

        r = await client.delete(
            f"{API}/courses/{cid}/topics/{a['id']}", headers=world.headers("teacher")
        )
        assert r.status_code == 204
        body = await plan(client, world, cid)
        assert titles(body) == ["В (изменена)", "Вставка", "Б"]
        assert body["total_hours"] == 3.5
        assert body["topic_count"] == 3

        order = [b["id"], inserted["id"], c["id"]]
        r = await client.put(
            f"{API}/courses/{cid}/topics/order",
            json={"topic_ids": order},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 200, r.text
        assert titles(r.json()) == ["Б", "Вставка", "В (изменена)"]

    async def test_bad_edits(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world)
        cid = course["id"]
        a, b = await add_topics(client, world, cid, ["А", "Б"])
        url = f"{API}/courses/{cid}/topics"
        teacher = world.headers("teacher")
        for body in (
            {"title": "X", "planned_hours": 0},
            {"title": "X", "planned_hours": 101},
            {"title": "X", "planned_hours": 1.25},
            {"title": "  ", "planned_hours": 1},
            {"title": "X"},
            {"title": "X", "planned_hours": 1, "planned_date": 20260901},
            {"title": "X", "planned_hours": 1, "position": 0},
        ):
            r = await client.post(url, json=body, headers=teacher)
            assert r.status_code == 422, body
        r = await client.post(
            url, json={"title": "X", "planned_hours": 1, "position": 4}, headers=teacher
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:position-out-of-range"
        r = await client.post(
            url,
            json={"title": "X", "planned_hours": 1, "planned_date": "2027-06-15"},
            headers=teacher,
        )
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:date-outside-academic-year"
        r = await client.put(f"{url}/order", json={"topic_ids": [a["id"]]}, headers=teacher)
        assert r.status_code == 422
        assert r.json()["type"] == "urn:eo:problem:topic-order-mismatch"
        r = await client.put(
            f"{url}/order", json={"topic_ids": [a["id"], a["id"]]}, headers=teacher
        )
        assert r.status_code == 422
        r = await client.patch(f"{url}/{b['id']}", json={"position": 3}, headers=teacher)
        assert r.status_code == 422
        r = await client.patch(f"{url}/{b['id']}", json={"title": None}, headers=teacher)
        assert r.status_code == 422
        other = await create_course(client, world, subject="Физика")
        r = await client.patch(
            f"{API}/courses/{other['id']}/topics/{a['id']}", json={"title": "Y"}, headers=teacher
        )
        assert r.status_code == 404
        assert r.json()["type"] == "urn:eo:problem:topic-not-found"
        assert titles(await plan(client, world, cid)) == ["А", "Б"]

    async def test_a_topic_used_by_a_lesson_cannot_be_deleted(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        (topic,) = await add_topics(client, world, course["id"], ["Дроби"])
        await create_lesson(client, world, course["id"], topic_id=topic["id"])
        r = await client.get(
            f"{API}/courses/{course['id']}/topics", headers=world.headers("student")
        )
        assert r.json()["topics"][0]["lesson_count"] == 1
        r = await client.delete(
            f"{API}/courses/{course['id']}/topics/{topic['id']}", headers=world.headers("teacher")
        )
        assert r.status_code == 409
        assert r.json()["type"] == "urn:eo:problem:topic-in-use"
        assert "Дроби" in r.json()["detail"]
        assert titles(await plan(client, world, course["id"])) == ["Дроби"]

    async def test_every_change_emits_the_whole_plan(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        a, b = await add_topics(client, world, course["id"], ["А", "Б"])
        await client.delete(
            f"{API}/courses/{course['id']}/topics/{a['id']}", headers=world.headers("teacher")
        )
        found = await events(client, world, "course_plan.updated")
        assert len(found) == 3
        assert found[-1]["payload"] == {
            "course_id": course["id"],
            "topics": [
                {
                    "id": b["id"],
                    "position": 1,
                    "section": None,
                    "title": "Б",
                    "planned_hours": 1.0,
                    "planned_date": None,
                }
            ],
        }


class TestImport:
    async def test_csv_with_bom_and_semicolons(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        content = (
            "№;Раздел;Тема;Часы;Дата\r\n"
            "1;Дроби;Понятие дроби;1;02.09.2026\r\n"
            "\r\n"
            '2;Дроби;"Сравнение дробей; правила";1,5;2026-09-04\r\n'
            "3;;Контрольная работа;2;\r\n"
        ).encode("utf-8-sig")
        r = await upload(client, world, course["id"], content, "text/csv; charset=utf-8")
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["kept"], body["created"], body["removed"]) == (0, 3, 0)
        assert titles(body) == ["Понятие дроби", "Сравнение дробей; правила", "Контрольная работа"]
        first, second, third = body["topics"]
        assert first["section"] == "Дроби"
        assert first["planned_date"] == "2026-09-02"
        assert second["planned_hours"] == 1.5
        assert second["planned_date"] == "2026-09-04"
        assert third["section"] is None
        assert body["total_hours"] == 4.5
        found = await events(client, world, "course_plan.updated")
        assert [t["title"] for t in found[-1]["payload"]["topics"]] == titles(body)

    async def test_csv_with_commas_in_number_order_and_other_columns(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        content = (
            "тема урока,кол-во часов,номер,Примечание,Оборудование\n"
            "Вторая,1,2,,проектор\n"
            'Первая,"0,5",1,повторение,\n'
        ).encode()
        r = await upload(client, world, course["id"], content)
        assert r.status_code == 200, r.text
        assert titles(r.json()) == ["Первая", "Вторая"]
        assert r.json()["topics"][0]["notes"] == "повторение"
        assert r.json()["topics"][0]["planned_hours"] == 0.5

    async def test_xlsx_written_by_openpyxl(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world)
        content = xlsx(
            [
                ["№", "Раздел", "Тема", "Часы", "Дата"],
                [1, "Алгебра", "Выражения", 1, datetime(2026, 9, 2)],
                [],
                [2, "Алгебра", "Уравнения", 1.5, "10.09.2026"],
                [3, None, 1984, 2, date(2026, 9, 15)],
            ]
        )
        r = await upload(client, world, course["id"], content, XLSX_TYPE)
        assert r.status_code == 200, r.text
        body = r.json()
        assert titles(body) == ["Выражения", "Уравнения", "1984"]
        assert [t["planned_date"] for t in body["topics"]] == [
            "2026-09-02",
            "2026-09-10",
            "2026-09-15",
        ]
        assert [t["planned_hours"] for t in body["topics"]] == [1.0, 1.5, 2.0]

    async def test_bad_rows_are_reported_with_their_lines_and_nothing_changes(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        await add_topics(client, world, course["id"], ["Старая тема"])
        content = (
            "№;Тема;Часы;Дата\n"
            "1;Хорошая;1;01.09.2026\n"
            "2;;1;\n"
            "\n"
            "3;Без часов;;\n"
            "4;Ноль часов;0;\n"
            "5;Много часов;150;\n"
            "6;Дробные;1,25;\n"
            "7;Плохая дата;1;31.02.2027\n"
            "8;Вне года;1;01.07.2027\n"
            "x;Плохой номер;1;\n"
            "1;Повтор номера;1;\n"
        ).encode()
        r = await upload(client, world, course["id"], content)
        assert r.status_code == 422, r.text
        problem = r.json()
        assert r.headers["content-type"] == "application/problem+json"
        assert problem["type"] == "urn:eo:problem:thematic-plan-invalid"
        got = {(e["line"], e["field"]) for e in problem["errors"]}
        assert got == {
            (3, "Тема"),
            (5, "Часы"),
            (6, "Часы"),
            (7, "Часы"),
            (8, "Часы"),
            (9, "Дата"),
            (10, "Дата"),
            (11, "№"),
            (12, "№"),
        }
        assert problem["errors_total"] == 9
        assert "ничего не изменено" in problem["detail"]
        by_line = {e["line"]: e for e in problem["errors"]}
        assert by_line[10]["code"] == "date-outside-academic-year"
        assert by_line[12]["code"] == "duplicate-position"
        assert titles(await plan(client, world, course["id"])) == ["Старая тема"]
        assert len(await events(client, world, "course_plan.updated")) == 1

    async def test_bad_xlsx_rows_use_sheet_row_numbers(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        content = xlsx(
            [
                [None],
                ["Тема", "Часы"],
                ["Хорошая", 1],
                [None, None],
                ["Плохая", "много"],
            ]
        )
        r = await upload(client, world, course["id"], content, XLSX_TYPE)
        assert r.status_code == 422, r.text
        assert [(e["line"], e["field"]) for e in r.json()["errors"]] == [(5, "Часы")]

    async def test_bad_files(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world)
        cases: list[tuple[bytes, str, int, str]] = [
            (b"", CSV, 422, "thematic-plan-invalid"),
            ("Тема;Часы\n".encode(), CSV, 422, "thematic-plan-invalid"),
            ("Название;Часы\nX;1\n".encode(), CSV, 422, "thematic-plan-invalid"),
            ("Тема;Часы;Тема\nX;1;Y\n".encode(), CSV, 422, "thematic-plan-invalid"),
            ("Тема;Часы\nПлохо;1\n".encode("cp1251"), CSV, 422, "thematic-plan-invalid"),
            ("Тема;Часы\nX\x01;1\n".encode(), CSV, 422, "thematic-plan-invalid"),
            (b"not a zip", XLSX_TYPE, 422, "thematic-plan-invalid"),
            (b"PK\x03\x04broken", XLSX_TYPE, 422, "thematic-plan-invalid"),
            (xlsx([["Тема", "Часы"], ["X", 1]]), CSV, 415, "plan-type-mismatch"),
            ("Тема;Часы\nX;1\n".encode(), "application/json", 415, "plan-file-type"),
            ("Тема;Часы\nX;1\n".encode(), "text/csv; charset=windows-1251", 415, "csv-charset"),
        ]
        for content, content_type, status, code in cases:
            r = await upload(client, world, course["id"], content, content_type)
            assert r.status_code == status, (content[:30], r.text)
            assert r.json()["type"] == f"urn:eo:problem:{code}"
        bad_encoding = await upload(
            client, world, course["id"], "Тема;Часы\nПлохо;1\n".encode("cp1251")
        )
        assert bad_encoding.json()["errors"][0]["code"] == "not-utf8"
        assert (await plan(client, world, course["id"]))["topics"] == []

    async def test_ids_are_kept_and_used_topics_are_protected(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        course = await create_course(client, world)
        cid = course["id"]
        r = await upload(client, world, cid, "Тема;Часы\nА;1\nБ;1\nВ;1\n".encode())
        a, b, c = r.json()["topics"]
        await create_lesson(client, world, cid, topic_id=b["id"])

        # same titles at the same places keep their ids; a new topic in front shifts
        # the others, which are found by title
        r = await upload(client, world, cid, "Тема;Часы\nНовая;1\nА;2\nБ;1\nВ;1\n".encode())
        assert r.status_code == 200, r.text
        body = r.json()
        assert (body["kept"], body["created"], body["removed"]) == (3, 1, 0)
        assert [t["id"] for t in body["topics"][1:]] == [a["id"], b["id"], c["id"]]
        assert body["topics"][1]["planned_hours"] == 2.0
        assert body["topics"][2]["lesson_count"] == 1

        # dropping "Б", used by a lesson, is refused and nothing changes
        r = await upload(client, world, cid, "Тема;Часы\nА;1\nВ;1\n".encode())
        assert r.status_code == 409
        assert r.json()["type"] == "urn:eo:problem:topic-in-use"
        assert "«Б»" in r.json()["detail"]
        assert r.json()["topic_ids"] == [b["id"]]
        assert titles(await plan(client, world, cid)) == ["Новая", "А", "Б", "В"]

        # dropping unused topics is fine; the lesson keeps its topic
        r = await upload(client, world, cid, "Тема;Часы\nБ;1\n".encode())
        assert r.status_code == 200
        assert (r.json()["kept"], r.json()["created"], r.json()["removed"]) == (1, 0, 3)
        assert r.json()["topics"][0]["id"] == b["id"]

    async def test_only_writers_import(self, client: httpx.AsyncClient, world: World) -> None:
        course = await create_course(client, world)
        content = "Тема;Часы\nА;1\n".encode()
        for caller in ("teacher2", "staff", "student", "guardian"):
            r = await upload(client, world, course["id"], content, caller=caller)
            assert r.status_code == 403, caller
        r = await upload(client, world, course["id"], content, caller="admin")
        assert r.status_code == 200
