"""The production calendar kept as data and served by the API (CO-5).

The calendar is shared by every school, and so by every test of the session: tests
that change it put the bundled years back afterwards (``calendar_restored``).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select, update

from services.compliance.deadlines.calendar_data import bundled_years
from services.compliance.models import (
    ProductionCalendarDay,
    ProductionCalendarYear,
    PublicationNotice,
)
from tests.compliance.deadlines_support import (
    API,
    assert_problem,
    calendar_restored,
    create_notice,
    events,
    forget_calendar_years,
    program_change,
)
from tests.support.service_world import World, service_headers

DECREE_2027: dict[str, Any] = {
    "source": "Постановление о переносе выходных дней в 2027 году (проверочные данные)",
    "provisional": False,
    "holidays": [
        {"date": d.day.isoformat(), "note": d.note} for d in bundled_years()[2027].holidays
    ],
    "days_off": [
        {"date": "2027-02-22", "note": "Перенос с субботы 20 февраля"},
        {"date": "2027-05-03", "note": "ТК РФ ст. 112"},
        {"date": "2027-05-10", "note": "ТК РФ ст. 112"},
        {"date": "2027-06-14", "note": "ТК РФ ст. 112"},
        {"date": "2027-11-05", "note": "Перенос с субботы 2 января"},
        {"date": "2027-12-31", "note": "Перенос с воскресенья 3 января"},
    ],
    "working_weekends": [{"date": "2027-02-20", "note": "Рабочая суббота"}],
}


def year_body(year: int, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "source": f"Постановление о переносе выходных дней в {year} году",
        "holidays": [{"date": f"{year}-01-01", "note": "Новогодние каникулы"}],
    }
    body.update(overrides)
    return body


async def calendar_rows(app: FastAPI, year: int) -> tuple[Any, list[Any]]:
    async with app.state.database.session() as session:
        row = await session.get(ProductionCalendarYear, year)
        days = (
            await session.execute(
                select(ProductionCalendarDay).where(ProductionCalendarDay.year == year)
            )
        ).scalars()
        return row, sorted((d.day.isoformat(), d.kind) for d in days)


async def calendar_state(app: FastAPI, year: int) -> tuple[Any, ...]:
    row, days = await calendar_rows(app, year)
    return (row.origin, row.revision, row.source, row.provisional, days)


class TestReadingTheCalendar:
    async def test_years_with_their_sources(self, client: httpx.AsyncClient, world: World) -> None:
        response = await client.get(f"{API}/calendar", headers=world.headers("student"))
        assert response.status_code == 200, response.text
        by_year = {y["year"]: y for y in response.json()}
        assert {2025, 2026, 2027} <= set(by_year)
        assert "№ 1335" in by_year[2025]["source"]
        assert "№ 1466" in by_year[2026]["source"]
        assert by_year[2027]["source"] == "ТК РФ ст. 112 (постановление о переносе не опубликовано)"
        assert [by_year[y]["provisional"] for y in (2025, 2026, 2027)] == [False, False, True]
        assert [by_year[y]["working_days"] for y in (2025, 2026, 2027)] == [247, 247, 249]
        assert by_year[2026]["non_working_days"] == 118
        assert by_year[2026]["origin"] == "bundled"

    async def test_one_year_in_detail(self, client: httpx.AsyncClient, world: World) -> None:
        response = await client.get(f"{API}/calendar/2025", headers=world.headers("guardian"))
        body = response.json()
        assert [m["working_days"] for m in body["months"]] == [
            17, 20, 21, 22, 18, 19, 23, 21, 22, 23, 19, 22,
        ]  # fmt: skip
        assert [d["date"] for d in body["days_off"]] == [
            "2025-05-02",
            "2025-05-08",
            "2025-06-13",
            "2025-11-03",
            "2025-12-31",
        ]
        assert body["working_weekends"] == [
            {
                "date": "2025-11-01",
                "note": "Рабочая суббота: выходной перенесён на 3 ноября "
                "(постановление Правительства РФ от 04.10.2024 № 1335)",
            }
        ]
        assert len(body["holidays"]) == 14

    async def test_a_year_not_loaded_is_not_found(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get(f"{API}/calendar/2039", headers=world.headers("admin"))
        assert_problem(response, 404, "production-calendar-year-not-found")
        response = await client.get(f"{API}/calendar/1999", headers=world.headers("admin"))
        assert_problem(response, 422, "validation-error")

    async def test_services_may_read_it(self, client: httpx.AsyncClient, world: World) -> None:
        response = await client.get(f"{API}/calendar/2026", headers=service_headers())
        assert response.status_code == 200
        assert response.json()["year"] == 2026


class TestSeeding:
    async def test_bundled_years_are_copied_on_first_use(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        await forget_calendar_years(compliance_app, 2025, 2026, 2027)
        assert (await calendar_rows(compliance_app, 2026))[0] is None
        response = await client.get(f"{API}/calendar", headers=world.headers("teacher"))
        assert {2025, 2026, 2027} <= {y["year"] for y in response.json()}
        row, days = await calendar_rows(compliance_app, 2026)
        assert (row.origin, row.revision) == ("bundled", bundled_years()[2026].revision())
        assert ("2026-05-11", "day_off") in days
        assert len(days) == 18

    async def test_an_older_bundled_version_is_refreshed_and_deadlines_follow(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        async with calendar_restored(compliance_app, 2026):
            # as if the database held an older release's 2026 without the 11 May day off
            async with compliance_app.state.database.session() as session:
                await session.execute(
                    update(ProductionCalendarYear)
                    .where(ProductionCalendarYear.year == 2026)
                    .values(revision="older-release")
                )
                day = (
                    await session.execute(
                        select(ProductionCalendarDay).where(
                            ProductionCalendarDay.day == date(2026, 5, 11)
                        )
                    )
                ).scalar_one()
                await session.delete(day)
                await session.execute(
                    update(PublicationNotice)
                    .where(PublicationNotice.id == uuid.UUID(notice["id"]))
                    .values(deadline=date(2026, 5, 13))
                )
            response = await client.get(f"{API}/calendar/2026", headers=world.headers("staff"))
            assert "2026-05-11" in [d["date"] for d in response.json()["days_off"]]
            row, _ = await calendar_rows(compliance_app, 2026)
            assert row.revision == bundled_years()[2026].revision()
            got = await client.get(f"{API}/notices/{notice['id']}", headers=world.headers("admin"))
            assert got.json()["deadline"] == "2026-05-14"
            updated = await events(client, world, "compliance_notice.updated")
            assert updated[-1]["payload"]["changed"] == ["deadline"]


class TestLoadingAYear:
    async def test_admin_loads_a_new_year(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        async with calendar_restored(compliance_app, 2031):
            body = year_body(
                2031,
                days_off=[{"date": "2031-01-09", "note": "Перенос с субботы 4 января"}],
                working_weekends=[{"date": "2031-11-01", "note": "Рабочая суббота"}],
            )
            response = await client.put(
                f"{API}/calendar/2031", json=body, headers=world.headers("admin")
            )
            assert response.status_code == 200, response.text
            read = response.json()
            assert (read["year"], read["origin"], read["provisional"]) == (2031, "operator", False)
            assert read["days_off"][0]["date"] == "2031-01-09"
            row, days = await calendar_rows(compliance_app, 2031)
            assert row.loaded_by == world.id("admin")
            assert days == [
                ("2031-01-01", "holiday"),
                ("2031-01-09", "day_off"),
                ("2031-11-01", "working_day"),
            ]
            response = await client.get(
                f"{API}/calendar/working-days",
                params={"start": "2031-01-08", "days": 1},
                headers=world.headers("teacher"),
            )
            assert response.json()["deadline"] == "2031-01-10"

    async def test_the_decree_replaces_a_provisional_year_and_deadlines_follow(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        notice = await create_notice(
            client, world, program_change(decision_or_change_date="2027-11-01")
        )
        # provisional 2027: 2, 3, 5, 8–12, 15, 16 November (4 November is a holiday)
        assert notice["deadline"] == "2027-11-16"
        async with calendar_restored(compliance_app, 2027):
            response = await client.put(
                f"{API}/calendar/2027", json=DECREE_2027, headers=world.headers("admin")
            )
            assert response.status_code == 200, response.text
            assert response.json()["working_days"] == 247
            assert response.json()["origin"] == "operator"
            got = await client.get(f"{API}/notices/{notice['id']}", headers=world.headers("admin"))
            assert got.json()["deadline"] == "2027-11-17"  # 5 November is now a day off
            updated = await events(client, world, "compliance_notice.updated")
            assert updated[-1]["payload"]["deadline"] == "2027-11-17"
            # an operator's year is never overwritten by the bundled data
            again = await client.get(f"{API}/calendar/2027", headers=world.headers("admin"))
            assert again.json()["origin"] == "operator"
            assert again.json()["source"] == DECREE_2027["source"]

    async def test_a_load_that_leaves_a_deadline_without_calendar_is_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        notice = await create_notice(
            client, world, program_change(decision_or_change_date="2027-12-15")
        )
        assert notice["deadline"] == "2027-12-29"
        before = await calendar_state(compliance_app, 2027)
        async with calendar_restored(compliance_app, 2027):
            body = dict(DECREE_2027)
            body["days_off"] = [
                *DECREE_2027["days_off"][:-1],
                *[{"date": f"2027-12-{d}", "note": "Проверка"} for d in (20, 21, 22, 23, 24)],
                *[{"date": f"2027-12-{d}", "note": "Проверка"} for d in (27, 28, 29, 30, 31)],
            ]
            response = await client.put(
                f"{API}/calendar/2027", json=body, headers=world.headers("admin")
            )
            problem = assert_problem(response, 422, "production-calendar-year-missing")
            assert problem["missing_year"] == 2028
            assert await calendar_state(compliance_app, 2027) == before

    async def test_bad_calendars_are_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        headers = world.headers("admin")
        # another test may have dropped the shared years: the first read seeds them again
        assert (await client.get(f"{API}/calendar/2026", headers=headers)).status_code == 200
        before = await calendar_state(compliance_app, 2026)
        invalid = [
            year_body(2026, holidays=[{"date": "2025-01-01", "note": "Не тот год"}]),
            year_body(2026, days_off=[{"date": "2026-05-02", "note": "Суббота"}]),
            year_body(2026, working_weekends=[{"date": "2026-05-04", "note": "Понедельник"}]),
            year_body(2026, days_off=[{"date": "2026-01-01", "note": "Дважды"}]),
        ]
        async with calendar_restored(compliance_app, 2026):
            for body in invalid:
                response = await client.put(f"{API}/calendar/2026", json=body, headers=headers)
                assert_problem(response, 422, "production-calendar-invalid")
            for body in (
                year_body(2026, holidays=[]),
                year_body(2026, source=""),
                year_body(2026, holidays=[{"date": "2026-01-01"}]),
                year_body(2026, extra=1),
            ):
                response = await client.put(f"{API}/calendar/2026", json=body, headers=headers)
                assert_problem(response, 422, "validation-error")
            response = await client.put(
                f"{API}/calendar/1999", json=year_body(1999), headers=headers
            )
            assert_problem(response, 422, "validation-error")
            assert await calendar_state(compliance_app, 2026) == before
