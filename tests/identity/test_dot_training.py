"""A teacher's DOT training (ID-7): recorded by an admin, shown as ``trained_for_dot``."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.identity.models import TeacherTraining
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld
from tests.identity.test_users import assert_problem, events

API = "/api/v1/identity"


def training(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "program": "Организация обучения с применением ЭО и ДОТ",
        "provider": "ГАУ ДПО «Институт развития образования»",
        "hours": 72,
        "completed_on": (date.today() - timedelta(days=30)).isoformat(),
        "valid_until": (date.today() + timedelta(days=3 * 365)).isoformat(),
        "document_number": "УД-2026-0042",
    }
    body.update(overrides)
    return body


async def trainings_count(app: FastAPI, school: SchoolWorld) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count(TeacherTraining.id)).where(TeacherTraining.school_id == school.id)
        return int((await session.execute(stmt)).scalar_one())


class TestRecordTraining:
    async def test_record_marks_teacher_trained(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        teacher = school["teacher"]
        before = await client.get(f"{API}/users/{teacher.id}", headers=await bearer(client, admin))
        assert before.json()["trained_for_dot"] is False

        response = await client.post(
            f"{API}/users/{teacher.id}/dot-training",
            json=training(),
            headers=await bearer(client, admin),
        )
        assert response.status_code == 201, response.text
        assert response.json()["is_valid"] is True
        assert response.json()["hours"] == 72

        for who in ("admin", "teacher2"):
            profile = await client.get(
                f"{API}/users/{teacher.id}", headers=await bearer(client, school[who].username)
            )
            assert profile.json()["trained_for_dot"] is True, who
        student_record = await client.get(
            f"{API}/users/{school['student'].id}", headers=await bearer(client, admin)
        )
        assert student_record.json()["trained_for_dot"] is None

        recorded = await events(client, admin, "teacher_training.recorded")
        assert len(recorded) == 1
        payload = recorded[0]["payload"]
        assert payload["teacher_id"] == str(teacher.id)
        assert payload["trained_for_dot"] is True
        assert payload["hours"] == 72

    async def test_expired_training_does_not_count(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        teacher = school["teacher"]
        old = training(
            completed_on=(date.today() - timedelta(days=4 * 365)).isoformat(),
            valid_until=(date.today() - timedelta(days=365)).isoformat(),
        )
        response = await client.post(
            f"{API}/users/{teacher.id}/dot-training",
            json=old,
            headers=await bearer(client, school["admin"].username),
        )
        assert response.status_code == 201
        assert response.json()["is_valid"] is False
        profile = await client.get(
            f"{API}/users/{teacher.id}", headers=await bearer(client, teacher.username)
        )
        assert profile.json()["trained_for_dot"] is False

    async def test_bad_input_is_refused_and_nothing_stored(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        url = f"{API}/users/{school['teacher'].id}/dot-training"
        zero = await client.post(url, json=training(hours=0), headers=headers)
        assert_problem(zero, 422, "validation-error")
        backwards = await client.post(
            url,
            json=training(valid_until=(date.today() - timedelta(days=60)).isoformat()),
            headers=headers,
        )
        assert_problem(backwards, 422, "validation-error")
        future = await client.post(
            url,
            json=training(
                completed_on=(date.today() + timedelta(days=10)).isoformat(), valid_until=None
            ),
            headers=headers,
        )
        assert_problem(future, 422, "training-in-future")
        not_teacher = await client.post(
            f"{API}/users/{school['staff'].id}/dot-training", json=training(), headers=headers
        )
        assert_problem(not_teacher, 422, "not-a-teacher")
        assert await trainings_count(identity_app, school) == 0


class TestReadTraining:
    async def test_who_reads_records(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        teacher = school["teacher"]
        await client.post(
            f"{API}/users/{teacher.id}/dot-training",
            json=training(),
            headers=await bearer(client, school["admin"].username),
        )
        url = f"{API}/users/{teacher.id}/dot-training"
        for who in ("admin", "staff", "teacher"):
            response = await client.get(url, headers=await bearer(client, school[who].username))
            assert response.status_code == 200, who
            assert len(response.json()["items"]) == 1
        assert_problem(
            await client.get(url, headers=await bearer(client, school["teacher2"].username)), 403
        )
        assert_problem(
            await client.get(url, headers=await bearer(client, school["student"].username)), 404
        )
        assert_problem(
            await client.get(url, headers=await bearer(client, other_school["admin"].username)), 404
        )
        assert_problem(
            await client.get(url, headers=await bearer(client, other_school["teacher"].username)),
            404,
        )

    async def test_only_admin_records(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        url = f"{API}/users/{school['teacher'].id}/dot-training"
        for who in ("staff", "teacher"):
            response = await client.post(
                url, json=training(), headers=await bearer(client, school[who].username)
            )
            assert_problem(response, 403)
        foreign = await client.post(
            url, json=training(), headers=await bearer(client, other_school["admin"].username)
        )
        assert_problem(foreign, 404)
        assert await trainings_count(identity_app, school) == 0
