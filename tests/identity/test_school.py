"""The school profile and academic years (ID-4, X-1)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from services.identity.models import AcademicYear, School
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld
from tests.identity.test_users import assert_problem, events

API = "/api/v1/identity"


async def years_of(app: FastAPI, school_id: uuid.UUID) -> list[AcademicYear]:
    async with app.state.database.session() as session:
        stmt = select(AcademicYear).where(AcademicYear.school_id == school_id)
        return list((await session.execute(stmt.order_by(AcademicYear.starts_on))).scalars())


def year(name: str, start: str, end: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "starts_on": start, "ends_on": end, **extra}


class TestSchoolProfile:
    async def test_every_member_reads_own_school(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        for who in ("admin", "teacher", "student", "guardian"):
            response = await client.get(
                f"{API}/school", headers=await bearer(client, school[who].username)
            )
            assert response.status_code == 200
            body = response.json()
            assert body["id"] == str(school.id)
            assert body["timezone"] == "Europe/Samara"
        other = await client.get(
            f"{API}/school", headers=await bearer(client, other_school["student"].username)
        )
        assert other.json()["id"] == str(other_school.id)

    async def test_admin_updates_profile(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        response = await client.patch(
            f"{API}/school",
            json={
                "name": "МБОУ «Лицей № 2»",
                "short_name": "Лицей № 2",
                "timezone": "Asia/Yekaterinburg",
                "region": "Свердловская область",
                "inn": "7707083893",
            },
            headers=await bearer(client, school["admin"].username),
        )
        assert response.status_code == 200, response.text
        assert response.json()["timezone"] == "Asia/Yekaterinburg"
        async with identity_app.state.database.session() as session:
            stored = await session.get(School, school.id)
            assert stored is not None
            assert (stored.short_name, stored.timezone, stored.inn) == (
                "Лицей № 2",
                "Asia/Yekaterinburg",
                "7707083893",
            )

    async def test_invalid_time_zone_and_inn_are_refused(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        response = await client.patch(
            f"{API}/school", json={"timezone": "Mars/Olympus", "inn": "7707083890"}, headers=headers
        )
        body = assert_problem(response, 422, "validation-error")
        messages = {e["field"]: e["message"] for e in body["errors"]}
        assert "часовой пояс" in messages["body.timezone"]
        assert "ИНН" in messages["body.inn"]
        cleared = await client.patch(f"{API}/school", json={"name": None}, headers=headers)
        assert_problem(cleared, 422)
        async with identity_app.state.database.session() as session:
            stored = await session.get(School, school.id)
            assert stored is not None
            assert stored.timezone == "Europe/Samara"

    async def test_only_admin_updates(self, client: httpx.AsyncClient, school: SchoolWorld) -> None:
        for who in ("staff", "teacher", "student"):
            response = await client.patch(
                f"{API}/school",
                json={"name": "Чужое"},
                headers=await bearer(client, school[who].username),
            )
            assert_problem(response, 403)


class TestAcademicYears:
    async def test_create_and_make_current(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        response = await client.post(
            f"{API}/academic-years",
            json=year("2027/2028", "2027-09-01", "2028-05-31", is_current=True),
            headers=await bearer(client, admin),
        )
        assert response.status_code == 201, response.text
        assert response.json()["is_current"] is True
        stored = await years_of(identity_app, school.id)
        assert [(y.name, y.is_current) for y in stored] == [
            ("2026/2027", False),
            ("2027/2028", True),
        ]

        kinds = [
            (e["type"], e["payload"]["name"], e["payload"]["is_current"])
            for e in await events(client, admin, "academic_year.created,academic_year.updated")
        ]
        assert kinds == [
            ("academic_year.updated", "2026/2027", False),
            ("academic_year.created", "2027/2028", True),
        ]

        back = await client.patch(
            f"{API}/academic-years/{school.year_id}",
            json={"is_current": True},
            headers=await bearer(client, admin),
        )
        assert back.status_code == 200
        stored = await years_of(identity_app, school.id)
        assert [(y.name, y.is_current) for y in stored] == [
            ("2026/2027", True),
            ("2027/2028", False),
        ]

    async def test_list_is_paginated(self, client: httpx.AsyncClient, school: SchoolWorld) -> None:
        response = await client.get(
            f"{API}/academic-years", headers=await bearer(client, school["student"].username)
        )
        assert response.status_code == 200
        assert [y["name"] for y in response.json()["items"]] == ["2026/2027"]
        assert response.json()["next_cursor"] is None

    async def test_dates_must_be_ordered(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        response = await client.post(
            f"{API}/academic-years",
            json=year("2028/2029", "2029-05-31", "2028-09-01"),
            headers=headers,
        )
        body = assert_problem(response, 422, "validation-error")
        assert "раньше" in body["errors"][0]["message"]
        patch = await client.patch(
            f"{API}/academic-years/{school.year_id}",
            json={"ends_on": "2026-08-01"},
            headers=headers,
        )
        assert_problem(patch, 422, "academic-year-dates")
        assert len(await years_of(identity_app, school.id)) == 1

    async def test_overlap_and_duplicate_name_conflict(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        overlap = await client.post(
            f"{API}/academic-years", json=year("2027", "2027-01-01", "2027-12-31"), headers=headers
        )
        assert_problem(overlap, 409, "academic-year-overlap")
        same = await client.post(
            f"{API}/academic-years",
            json=year("2026/2027", "2030-09-01", "2031-05-31"),
            headers=headers,
        )
        assert_problem(same, 409, "academic-year-exists")
        assert len(await years_of(identity_app, school.id)) == 1

    async def test_other_school_year_is_not_found_and_writes_are_admin_only(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        foreign = await client.patch(
            f"{API}/academic-years/{other_school.year_id}",
            json={"name": "Захват"},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(foreign, 404, "academic-year-not-found")
        teacher = await bearer(client, school["teacher"].username)
        create = await client.post(
            f"{API}/academic-years",
            json=year("2030/2031", "2030-09-01", "2031-05-31"),
            headers=teacher,
        )
        assert_problem(create, 403)
        patch = await client.patch(
            f"{API}/academic-years/{school.year_id}", json={"name": "X"}, headers=teacher
        )
        assert_problem(patch, 403)
        foreign_by_teacher = await client.patch(
            f"{API}/academic-years/{other_school.year_id}", json={"name": "X"}, headers=teacher
        )
        assert_problem(foreign_by_teacher, 404)

    async def test_one_current_year_is_enforced_by_the_database(
        self, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        second = AcademicYear(
            school_id=school.id,
            name="second",
            starts_on=date(2030, 9, 1),
            ends_on=date(2031, 5, 31),
            is_current=True,
        )
        async with identity_app.state.database.sessionmaker() as session:
            session.add(second)
            with pytest.raises(IntegrityError):
                await session.flush()
            await session.rollback()
        async with identity_app.state.database.session() as session:
            current = await session.execute(
                select(func.count(AcademicYear.id)).where(
                    AcademicYear.school_id == school.id, AcademicYear.is_current.is_(True)
                )
            )
            assert current.scalar_one() == 1
