"""Personal data (ID-10): consents and withdrawal, the access log, the data-subject export."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.identity.models import Consent, PersonalDataAccess
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld
from tests.identity.test_users import assert_problem

API = "/api/v1/identity"


def consent(subject_id: uuid.UUID, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "subject_id": str(subject_id),
        "kind": "processing",
        "purpose": "Организация образовательного процесса с применением ЭО и ДОТ",
        "data_categories": ["ФИО", "дата рождения", "класс", "отметки"],
        "document_number": "С-17",
        "given_on": (date.today() - timedelta(days=1)).isoformat(),
        "valid_until": None,
    }
    body.update(overrides)
    return body


async def consents_of(app: FastAPI, subject_id: uuid.UUID) -> list[Consent]:
    async with app.state.database.session() as session:
        stmt = select(Consent).where(Consent.subject_id == subject_id)
        return list((await session.execute(stmt)).scalars())


async def log_count(app: FastAPI, school: SchoolWorld) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count(PersonalDataAccess.id)).where(
            PersonalDataAccess.school_id == school.id
        )
        return int((await session.execute(stmt)).scalar_one())


class TestConsents:
    async def test_given_by_subject_guardian_or_recorded_by_staff(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        student = school["student"]
        own = await client.post(
            f"{API}/consents",
            json=consent(school["teacher"].id),
            headers=await bearer(client, school["teacher"].username),
        )
        assert own.status_code == 201, own.text
        by_guardian = await client.post(
            f"{API}/consents",
            json=consent(student.id, kind="publication", purpose="Публикация фото на сайте школы"),
            headers=await bearer(client, school["guardian"].username),
        )
        assert by_guardian.status_code == 201, by_guardian.text
        assert by_guardian.json()["given_by_id"] == str(school["guardian"].id)
        assert by_guardian.json()["is_active"] is True
        by_staff = await client.post(
            f"{API}/consents",
            json=consent(student.id),
            headers=await bearer(client, school["staff"].username),
        )
        assert by_staff.status_code == 201
        stored = await consents_of(identity_app, student.id)
        assert sorted(c.kind for c in stored) == ["processing", "publication"]
        assert {c.given_by_id for c in stored} == {school["guardian"].id, school["staff"].id}

    async def test_others_may_not_give_consent_for_someone(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        student = school["student"]
        teacher = await client.post(
            f"{API}/consents",
            json=consent(student.id),
            headers=await bearer(client, school["teacher"].username),
        )
        assert_problem(teacher, 403, "consent-forbidden")
        classmate = await client.post(
            f"{API}/consents",
            json=consent(student.id),
            headers=await bearer(client, school["student2"].username),
        )
        assert_problem(classmate, 404)
        foreign = await client.post(
            f"{API}/consents",
            json=consent(student.id),
            headers=await bearer(client, other_school["admin"].username),
        )
        assert_problem(foreign, 404)
        assert await consents_of(identity_app, student.id) == []

    async def test_bad_input(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        student = school["student"].id
        cases = [
            consent(student, kind="marketing"),
            consent(student, data_categories=[]),
            consent(student, valid_until=(date.today() - timedelta(days=5)).isoformat()),
            consent(student, purpose="\x00"),
        ]
        for body in cases:
            assert_problem(
                await client.post(f"{API}/consents", json=body, headers=headers),
                422,
                "validation-error",
            )
        future = await client.post(
            f"{API}/consents",
            json=consent(student, given_on=(date.today() + timedelta(days=3)).isoformat()),
            headers=headers,
        )
        assert_problem(future, 422, "consent-in-future")
        assert await consents_of(identity_app, student) == []

    async def test_withdrawal(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        guardian = await bearer(client, school["guardian"].username)
        created = await client.post(
            f"{API}/consents", json=consent(school["student"].id), headers=guardian
        )
        consent_id = created.json()["id"]
        outsider = await client.post(
            f"{API}/consents/{consent_id}/withdraw",
            headers=await bearer(client, school["student2"].username),
        )
        assert_problem(outsider, 404, "consent-not-found")
        teacher = await client.post(
            f"{API}/consents/{consent_id}/withdraw",
            headers=await bearer(client, school["teacher"].username),
        )
        assert_problem(teacher, 403)

        response = await client.post(f"{API}/consents/{consent_id}/withdraw", headers=guardian)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["withdrawn_by_id"] == str(school["guardian"].id)
        assert body["is_active"] is False
        again = await client.post(f"{API}/consents/{consent_id}/withdraw", headers=guardian)
        assert_problem(again, 409, "consent-already-withdrawn")
        [row] = await consents_of(identity_app, school["student"].id)
        assert row.withdrawn_at is not None

    async def test_lists(self, client: httpx.AsyncClient, school: SchoolWorld) -> None:
        admin = await bearer(client, school["admin"].username)
        await client.post(f"{API}/consents", json=consent(school["student"].id), headers=admin)
        await client.post(f"{API}/consents", json=consent(school["student2"].id), headers=admin)
        everything = await client.get(f"{API}/consents", headers=admin)
        assert len(everything.json()["items"]) == 2
        guardian = await client.get(
            f"{API}/consents", headers=await bearer(client, school["guardian"].username)
        )
        assert [c["subject_id"] for c in guardian.json()["items"]] == [str(school["student"].id)]
        forbidden = await client.get(
            f"{API}/consents",
            params={"subject_id": str(school["student2"].id)},
            headers=await bearer(client, school["guardian"].username),
        )
        assert_problem(forbidden, 404)
        active = await client.get(f"{API}/consents", params={"active": "false"}, headers=admin)
        assert active.json()["items"] == []


class TestAccessLog:
    async def test_reads_of_others_are_logged_and_visible_to_the_subject(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        student = school["student"]
        await client.get(
            f"{API}/users/{student.id}", headers=await bearer(client, school["staff"].username)
        )
        await client.get(
            f"{API}/users/{student.id}", headers=await bearer(client, student.username)
        )  # own: not logged

        mine = await client.get(
            f"{API}/me/access-log", headers=await bearer(client, student.username)
        )
        assert mine.status_code == 200
        entries = mine.json()["items"]
        assert [(e["actor_id"], e["action"], e["resource"]) for e in entries] == [
            (str(school["staff"].id), "read", "user_profile")
        ]
        assert entries[0]["actor"]["last_name"] == "Иванов"

        admin = await bearer(client, school["admin"].username)
        log = await client.get(
            f"{API}/personal-data/access-log", params={"subject_id": str(student.id)}, headers=admin
        )
        assert [e["actor_id"] for e in log.json()["items"]] == [str(school["staff"].id)]
        assert_problem(
            await client.get(
                f"{API}/personal-data/access-log",
                headers=await bearer(client, school["staff"].username),
            ),
            403,
        )

    async def test_log_pages_newest_first(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        for who in ("student", "student2", "teacher"):
            await client.get(f"{API}/users/{school[who].id}", headers=admin)
        first = await client.get(
            f"{API}/personal-data/access-log", params={"limit": 2}, headers=admin
        )
        second = await client.get(
            f"{API}/personal-data/access-log",
            params={"limit": 2, "cursor": first.json()["next_cursor"]},
            headers=admin,
        )
        subjects = [e["subject_id"] for e in first.json()["items"] + second.json()["items"]]
        assert subjects == [str(school[w].id) for w in ("teacher", "student2", "student")]
        assert 'rel="next"' in first.headers["link"]
        assert second.json()["next_cursor"] is None

    async def test_other_school_log_is_invisible(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        await client.get(
            f"{API}/users/{school['student'].id}",
            headers=await bearer(client, school["admin"].username),
        )
        response = await client.get(
            f"{API}/personal-data/access-log",
            headers=await bearer(client, other_school["admin"].username),
        )
        assert response.json()["items"] == []


class TestExport:
    async def test_export_holds_everything_and_is_logged(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        student = school["student"]
        await client.put(
            f"{API}/users/{student.id}/external-ids/esia", json={"value": "ESIA-1"}, headers=admin
        )
        await client.post(f"{API}/consents", json=consent(student.id), headers=admin)
        await client.get(
            f"{API}/users/{student.id}", headers=await bearer(client, school["staff"].username)
        )

        response = await client.get(
            f"{API}/users/{student.id}/export",
            headers=await bearer(client, school["guardian"].username),
        )
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        assert "attachment" in response.headers["content-disposition"]
        body = response.json()
        assert body["profile"]["birth_date"] == "2013-03-01"
        assert body["profile"]["roles"] == ["student"]
        assert body["profile"]["class_groups"][0]["name"] == "7Б"
        assert body["profile"]["external_ids"] == [{"system": "esia", "value": "ESIA-1"}]
        assert [g["guardian"]["id"] for g in body["guardians"]] == [str(school["guardian"].id)]
        assert len(body["consents"]) == 1
        logged = {(e["actor_id"], e["action"]) for e in body["access_log"]}
        assert (str(school["staff"].id), "read") in logged
        assert (str(school["guardian"].id), "export") in logged

        teacher_export = await client.get(
            f"{API}/users/{school['teacher'].id}/export",
            headers=await bearer(client, school["teacher"].username),
        )
        assert teacher_export.status_code == 200
        assert teacher_export.json()["profile"]["username"] == school["teacher"].username
        assert teacher_export.json()["dot_trainings"] == []

    async def test_who_may_export(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        url = f"{API}/users/{school['student'].id}/export"
        before = await log_count(identity_app, school)
        assert_problem(
            await client.get(url, headers=await bearer(client, school["staff"].username)),
            403,
            "export-forbidden",
        )
        assert_problem(
            await client.get(url, headers=await bearer(client, school["teacher"].username)), 403
        )
        assert_problem(
            await client.get(url, headers=await bearer(client, school["student2"].username)), 404
        )
        assert_problem(
            await client.get(url, headers=await bearer(client, other_school["admin"].username)), 404
        )
        assert await log_count(identity_app, school) == before
        assert (
            await client.get(url, headers=await bearer(client, school["admin"].username))
        ).status_code == 200
        assert await log_count(identity_app, school) == before + 1
