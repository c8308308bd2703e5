"""The class × subject × term journal and the summary sheet (JO-8): XLSX read back with
openpyxl, PDF text extracted, Cyrillic names, subjects and marks where they belong."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from services.common.directory import apply_identity_event
from services.journal.models import directory
from tests.journal.learning_events import course_created, feed, lesson_scheduled
from tests.journal.reports_support import (
    API,
    Term,
    a_term,
    pdf_text,
    row_of,
    sheet_names,
    workbook_rows,
)
from tests.support.service_world import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def term(journal_app: FastAPI, client: httpx.AsyncClient, world: World) -> Term:
    return await a_term(journal_app, client, world)


async def get(
    client: httpx.AsyncClient, world: World, url: str, who: str = "teacher", **params: str
) -> httpx.Response:
    r = await client.get(url, params=params, headers=world.headers(who))
    assert r.status_code == 200, r.text
    return r


class TestCourseJournal:
    async def test_xlsx_has_names_dates_marks_absences_averages_and_term_mark(
        self, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        r = await get(client, world, f"{API}/courses/{term.maths}/journal.xlsx", period_id=term.q2)
        assert r.headers["content-type"] == XLSX
        disposition = r.headers["content-disposition"]
        assert disposition.startswith("attachment;")
        assert "filename*=UTF-8''" in disposition
        assert sheet_names(r.content) == ["Журнал", "Темы уроков"]
        rows = workbook_rows(r.content, "Журнал")
        assert rows[0][0] == "Журнал: 7Б — Математика, 2-я четверть 2026/2027"
        assert "Иванова Анна" in rows[1][0]
        head = rows[4]
        # the cancelled lesson of 18.11 is not a column
        assert head == [
            "№",
            "Обучающийся",
            "16.11",
            "17.11",
            "Вне уроков",
            "Ср. балл",
            "Ср. взвеш.",
            "2-я четверть",
        ]
        # sorted by name: Попова before Соколов
        assert [r[1] for r in rows[5:]] == ["Попова Дарья", "Соколов Артём"]
        assert rows[5] == [1, "Попова Дарья", "н", "4", None, 4, 4, None]
        assert rows[6] == [2, "Соколов Артём", "5", None, "3 (20.11)", 4, 4, "5"]

    async def test_xlsx_lesson_topics_sheet(
        self, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        r = await get(client, world, f"{API}/courses/{term.maths}/journal.xlsx", period_id=term.q2)
        rows = workbook_rows(r.content, "Темы уроков")
        assert rows[2] == ["Дата", "№ урока", "Тема урока", "Форма проведения", "Домашнее задание"]
        assert rows[3] == ["16.11.2026", 1, "Сложение дробей", "с применением ДОТ", "№ 201"]
        assert rows[4] == [
            "17.11.2026",
            1,
            "Вычитание дробей (по плану; запись не сделана)",
            "очно",
            "Учебник, № 214–216",
        ]
        assert len(rows) == 5

    async def test_pdf_text_is_cyrillic(
        self, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        r = await get(client, world, f"{API}/courses/{term.maths}/journal.pdf", period_id=term.q2)
        assert r.headers["content-type"] == "application/pdf"
        assert r.content.startswith(b"%PDF")
        text = pdf_text(r.content)
        for expected in (
            "Журнал: 7Б — Математика, 2-я четверть 2026/2027",
            "Соколов Артём",
            "Попова Дарья",
            "Иванова Анна",
            "16.11",
            "3 (20.11)",
            "Сложение дробей",
            "Вычитание дробей (по плану; запись не сделана)",
            "с применением ДОТ",
            "Учебник, № 214–216",
            "4,00",
        ):
            assert expected in text, expected
        lines = text.splitlines()
        assert "н" in lines
        assert "5" in lines

    async def test_the_whole_year_lists_every_period_and_the_year_mark(
        self, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        r = await get(client, world, f"{API}/courses/{term.maths}/journal.xlsx")
        rows = workbook_rows(r.content, "Журнал")
        assert rows[0][0] == "Журнал: 7Б — Математика, 2026/2027 учебный год"
        assert rows[4][-5:] == [
            "1-я четверть",
            "2-я четверть",
            "3-я четверть",
            "4-я четверть",
            "Год",
        ]
        assert row_of(rows, "Соколов Артём")[-5:] == [None, "5", None, None, None]

    async def test_a_student_who_left_keeps_the_row(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        async with journal_app.state.database.session() as session:
            await apply_identity_event(
                session,
                directory,
                {
                    "id": str(uuid.uuid4()),
                    "type": "class_membership.removed",
                    "school_id": str(world.school_id),
                    "payload": {
                        "class_group_id": str(world.class_id("7Б")),
                        "student_id": str(world.id("student2")),
                    },
                },
            )
            await session.commit()
        r = await get(client, world, f"{API}/courses/{term.maths}/journal.xlsx", period_id=term.q2)
        assert row_of(workbook_rows(r.content, "Журнал"), "Попова Дарья")[2:4] == ["н", "4"]

    async def test_constant_number_of_queries(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        small = uuid.uuid4()
        await feed(
            journal_app,
            course_created(world, course_id=small, student_ids=[world.id("student")]),
        )
        big = uuid.uuid4()
        await feed(
            journal_app,
            course_created(world, course_id=big, student_ids=[uuid.uuid4() for _ in range(30)]),
        )
        await feed(
            journal_app,
            *(
                lesson_scheduled(world, cid, date(2026, 9, 1) + timedelta(days=d))
                for cid in (small, big)
                for d in range(50)
            ),
        )
        engine = journal_app.state.database.engine
        counted: list[str] = []

        def count(*args: object) -> None:
            counted.append("q")

        sizes = []
        for cid in (small, big):
            counted.clear()
            event.listen(engine.sync_engine, "before_cursor_execute", count)
            try:
                r = await get(client, world, f"{API}/courses/{cid}/journal.xlsx")
            finally:
                event.remove(engine.sync_engine, "before_cursor_execute", count)
            sizes.append(len(counted))
        assert sizes[0] == sizes[1]
        rows = workbook_rows(r.content, "Журнал")
        assert len(rows[4]) == 2 + 50 + 3 + 5
        assert len(rows) == 5 + 30


class TestSummary:
    async def test_period_summary_xlsx(
        self, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        url = f"{API}/class-groups/{world.class_id('7Б')}/summary.xlsx"
        r = await get(client, world, url, period_id=term.q2)
        assert r.headers["content-type"] == XLSX
        rows = workbook_rows(r.content, "Сводная ведомость")
        assert rows[0][0] == "Сводная ведомость успеваемости 7Б, 2-я четверть 2026/2027"
        assert rows[3][:5] == ["№", "Обучающийся", "Математика", None, "Русский язык"]
        assert rows[4][2:6] == ["Ср. балл", "Итог", "Ср. балл", "Итог"]
        assert rows[5] == [1, "Попова Дарья", 4, None, 4, "4"]
        assert rows[6] == [2, "Соколов Артём", 4, "5", None, None]

    async def test_year_summary_pdf(
        self, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        url = f"{API}/class-groups/{world.class_id('7Б')}/summary.pdf"
        r = await get(client, world, url, who="staff")
        text = pdf_text(r.content)
        for expected in (
            "Сводная ведомость успеваемости 7Б, 2026/2027 учебный год",
            "Математика",
            "Русский язык",
            "Соколов Артём",
            "Попова Дарья",
            "2 ч.",
            "Год",
            "4,00",
        ):
            assert expected in text, expected
        x = await get(
            client, world, f"{API}/class-groups/{world.class_id('7Б')}/summary.xlsx", who="staff"
        )
        rows = workbook_rows(x.content, "Сводная ведомость")
        assert rows[4][2:8] == [
            "1-я четверть",
            "2-я четверть",
            "3-я четверть",
            "4-я четверть",
            "Ср. балл",
            "Год",
        ]
        assert row_of(rows, "Соколов Артём")[2:8] == [None, "5", None, None, 4, None]


class TestBadInput:
    async def test_unknown_or_foreign_course_class_and_period(
        self, client: httpx.AsyncClient, world: World, other_world: World, term: Term
    ) -> None:
        admin = world.headers("admin")
        for url in (
            f"{API}/courses/{uuid.uuid4()}/journal.xlsx",
            f"{API}/class-groups/{uuid.uuid4()}/summary.xlsx",
            f"{API}/class-groups/{other_world.class_id('7Б')}/summary.pdf",
        ):
            r = await client.get(url, headers=admin)
            assert r.status_code == 404, url
            assert r.headers["content-type"].startswith("application/problem+json")
        r = await client.get(
            f"{API}/courses/{term.maths}/journal.pdf",
            params={"period_id": str(uuid.uuid4())},
            headers=admin,
        )
        assert r.status_code == 404
        assert r.json()["type"] == "urn:eo:problem:period-not-found"
        r = await client.get(
            f"{API}/courses/{term.maths}/journal.xlsx",
            params={"period_id": "2-я четверть"},
            headers=admin,
        )
        assert r.status_code == 422

    async def test_period_of_another_year(
        self, journal_app: FastAPI, client: httpx.AsyncClient, world: World, term: Term
    ) -> None:
        next_year = uuid.uuid4()
        async with journal_app.state.database.session() as session:
            await apply_identity_event(
                session,
                directory,
                {
                    "id": str(uuid.uuid4()),
                    "type": "academic_year.created",
                    "school_id": str(world.school_id),
                    "payload": {
                        "id": str(next_year),
                        "name": "2027/2028",
                        "starts_on": "2027-09-01",
                        "ends_on": "2028-05-31",
                        "is_current": False,
                    },
                },
            )
            await session.commit()
        r = await client.put(
            f"{API}/periods",
            json={
                "academic_year_id": str(next_year),
                "kind": "half_year",
                "periods": [
                    {"starts_on": "2027-09-01", "ends_on": "2027-12-28"},
                    {"starts_on": "2028-01-09", "ends_on": "2028-05-31"},
                ],
            },
            headers=world.headers("admin"),
        )
        assert r.status_code == 200, r.text
        foreign = r.json()["items"][0]["id"]
        for url in (
            f"{API}/courses/{term.maths}/journal.xlsx",
            f"{API}/class-groups/{world.class_id('7Б')}/summary.xlsx",
        ):
            bad = await client.get(
                url, params={"period_id": foreign}, headers=world.headers("admin")
            )
            assert bad.status_code == 422, bad.text
            assert bad.json()["type"] == "urn:eo:problem:period-not-in-year"
            assert "другому учебному году" in bad.json()["detail"]
