"""External identifiers and lookup by them (ID-9), never across schools."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.identity.models import ExternalId
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld
from tests.identity.test_users import assert_problem

API = "/api/v1/identity"
LOOKUP = f"{API}/external-ids/lookup"


async def stored(app: FastAPI, entity_id: uuid.UUID) -> dict[str, str]:
    async with app.state.database.session() as session:
        rows = (
            await session.execute(select(ExternalId).where(ExternalId.entity_id == entity_id))
        ).scalars()
        return {r.system: r.value for r in rows}


class TestUserExternalIds:
    async def test_set_lookup_replace_delete(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        student = school["student"]
        url = f"{API}/users/{student.id}/external-ids/moya_shkola"
        response = await client.put(url, json={"value": " 100234 "}, headers=admin)
        assert response.status_code == 200, response.text
        assert response.json() == {
            "entity_type": "user",
            "entity_id": str(student.id),
            "system": "moya_shkola",
            "value": "100234",
        }
        found = await client.get(
            LOOKUP, params={"system": "moya_shkola", "value": "100234"}, headers=admin
        )
        assert found.json()["entity_id"] == str(student.id)

        replaced = await client.put(url, json={"value": "100235"}, headers=admin)
        assert replaced.status_code == 200
        assert await stored(identity_app, student.id) == {"moya_shkola": "100235"}
        profile = await client.get(f"{API}/users/{student.id}", headers=admin)
        assert profile.json()["external_ids"] == [{"system": "moya_shkola", "value": "100235"}]

        assert (await client.delete(url, headers=admin)).status_code == 204
        assert await stored(identity_app, student.id) == {}
        assert_problem(await client.delete(url, headers=admin), 404, "external-id-not-found")
        gone = await client.get(
            LOOKUP, params={"system": "moya_shkola", "value": "100235"}, headers=admin
        )
        assert_problem(gone, 404, "external-id-not-found")

    async def test_value_belongs_to_one_user_per_school(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        await client.put(
            f"{API}/users/{school['student'].id}/external-ids/esia",
            json={"value": "E-1"},
            headers=admin,
        )
        clash = await client.put(
            f"{API}/users/{school['student2'].id}/external-ids/esia",
            json={"value": "E-1"},
            headers=admin,
        )
        assert_problem(clash, 409, "external-id-taken")
        assert await stored(identity_app, school["student2"].id) == {}
        # another school may use the same value for its own user
        other_admin = await bearer(client, other_school["admin"].username)
        elsewhere = await client.put(
            f"{API}/users/{other_school['student'].id}/external-ids/esia",
            json={"value": "E-1"},
            headers=other_admin,
        )
        assert elsewhere.status_code == 200
        mine = await client.get(LOOKUP, params={"system": "esia", "value": "E-1"}, headers=admin)
        theirs = await client.get(
            LOOKUP, params={"system": "esia", "value": "E-1"}, headers=other_admin
        )
        assert mine.json()["entity_id"] == str(school["student"].id)
        assert theirs.json()["entity_id"] == str(other_school["student"].id)

    async def test_lookup_never_crosses_schools(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        other_admin = await bearer(client, other_school["admin"].username)
        await client.put(
            f"{API}/users/{other_school['teacher'].id}/external-ids/sferum",
            json={"value": "SF-9"},
            headers=other_admin,
        )
        response = await client.get(
            LOOKUP,
            params={"system": "sferum", "value": "SF-9"},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 404, "external-id-not-found")
        foreign_put = await client.put(
            f"{API}/users/{other_school['teacher'].id}/external-ids/sferum",
            json={"value": "SF-10"},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(foreign_put, 404)

    async def test_access_and_validation(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        teacher = await bearer(client, school["teacher"].username)
        url = f"{API}/users/{school['student'].id}/external-ids/regional"
        assert_problem(await client.put(url, json={"value": "R-1"}, headers=teacher), 403)
        assert_problem(
            await client.get(
                LOOKUP, params={"system": "regional", "value": "R-1"}, headers=teacher
            ),
            403,
        )
        admin = await bearer(client, school["admin"].username)
        unknown = await client.put(
            f"{API}/users/{school['student'].id}/external-ids/vk",
            json={"value": "1"},
            headers=admin,
        )
        assert_problem(unknown, 422, "validation-error")
        empty = await client.put(url, json={"value": "  "}, headers=admin)
        assert_problem(empty, 422, "validation-error")
        assert await stored(identity_app, school["student"].id) == {}
        # the staff may look up (integrations), and a brief profile never shows external ids
        await client.put(url, json={"value": "R-1"}, headers=admin)
        staff = await client.get(
            LOOKUP,
            params={"system": "regional", "value": "R-1"},
            headers=await bearer(client, school["staff"].username),
        )
        assert staff.status_code == 200
        brief = await client.get(f"{API}/users/{school['student'].id}", headers=teacher)
        assert "external_ids" not in brief.json()


class TestClassGroupExternalIds:
    async def test_set_and_lookup_class_group(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        group_id = school.class_ids["7Б"]
        response = await client.put(
            f"{API}/class-groups/{group_id}/external-ids/sferum",
            json={"value": "chat-7b"},
            headers=admin,
        )
        assert response.status_code == 200, response.text
        found = await client.get(
            LOOKUP,
            params={"system": "sferum", "value": "chat-7b", "entity_type": "class_group"},
            headers=admin,
        )
        assert found.json() == {
            "entity_type": "class_group",
            "entity_id": str(group_id),
            "system": "sferum",
            "value": "chat-7b",
        }
        as_user = await client.get(
            LOOKUP, params={"system": "sferum", "value": "chat-7b"}, headers=admin
        )
        assert_problem(as_user, 404)
        group = await client.get(f"{API}/class-groups/{group_id}", headers=admin)
        assert group.json()["external_ids"] == [{"system": "sferum", "value": "chat-7b"}]

        foreign = await client.put(
            f"{API}/class-groups/{other_school.class_ids['7Б']}/external-ids/sferum",
            json={"value": "x"},
            headers=admin,
        )
        assert_problem(foreign, 404, "class-group-not-found")
        deleted = await client.delete(
            f"{API}/class-groups/{group_id}/external-ids/sferum", headers=admin
        )
        assert deleted.status_code == 204
        assert await stored(identity_app, group_id) == {}
