"""Guardian ↔ student links (ID-3): a guardian sees linked children only."""

from __future__ import annotations

import uuid

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.identity.models import Guardianship, PersonalDataAccess
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld, add_user
from tests.identity.test_users import assert_problem, events

API = "/api/v1/identity"


async def links_of(app: FastAPI, guardian_id: uuid.UUID) -> set[uuid.UUID]:
    async with app.state.database.session() as session:
        stmt = select(Guardianship.student_id).where(Guardianship.guardian_id == guardian_id)
        return set((await session.execute(stmt)).scalars())


class TestGuardianSeesOwnChildren:
    async def test_me_children_lists_full_profiles_and_logs_the_read(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        guardian = school["guardian"]
        response = await client.get(
            f"{API}/me/children", headers=await bearer(client, guardian.username)
        )
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 1
        child = items[0]["child"]
        assert child["id"] == str(school["student"].id)
        assert child["profile"] == "full"
        assert child["birth_date"] == "2013-03-01"
        async with identity_app.state.database.session() as session:
            rows = (
                (
                    await session.execute(
                        select(PersonalDataAccess).where(PersonalDataAccess.actor_id == guardian.id)
                    )
                )
                .scalars()
                .all()
            )
        assert [(r.subject_id, r.resource) for r in rows] == [(school["student"].id, "my_children")]

    async def test_another_child_is_not_found(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["guardian"].username)
        for stranger in (school["student2"].id, other_school["student"].id):
            for url in (
                f"{API}/users/{stranger}",
                f"{API}/users/{stranger}/guardians",
                f"{API}/users/{stranger}/export",
            ):
                assert_problem(await client.get(url, headers=headers), 404)

    async def test_children_and_guardians_of_a_person(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        children = await client.get(f"{API}/users/{school['guardian'].id}/children", headers=admin)
        assert [c["child"]["id"] for c in children.json()["items"]] == [str(school["student"].id)]
        guardians = await client.get(f"{API}/users/{school['student'].id}/guardians", headers=admin)
        items = guardians.json()["items"]
        assert [g["guardian"]["id"] for g in items] == [str(school["guardian"].id)]
        assert "email" not in items[0]["guardian"]
        # a student sees who their guardians are; a teacher sees the children only briefly
        own = await client.get(
            f"{API}/users/{school['student'].id}/guardians",
            headers=await bearer(client, school["student"].username),
        )
        assert len(own.json()["items"]) == 1
        teacher = await client.get(
            f"{API}/users/{school['guardian'].id}/children",
            headers=await bearer(client, school["teacher"].username),
        )
        assert [c["child"]["profile"] for c in teacher.json()["items"]] == ["brief"]


class TestLinkLifecycle:
    async def test_link_then_unlink(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        guardian = school["guardian"]
        created = await client.post(
            f"{API}/guardianships",
            json={
                "guardian_id": str(guardian.id),
                "student_id": str(school["student2"].id),
                "relation": "trustee",
            },
            headers=await bearer(client, admin),
        )
        assert created.status_code == 201, created.text
        assert created.json()["relation"] == "trustee"
        assert await links_of(identity_app, guardian.id) == {
            school["student"].id,
            school["student2"].id,
        }

        headers = await bearer(client, guardian.username)
        now_visible = await client.get(f"{API}/users/{school['student2'].id}", headers=headers)
        assert now_visible.json()["profile"] == "full"

        deleted = await client.delete(
            f"{API}/guardianships/{created.json()['id']}", headers=await bearer(client, admin)
        )
        assert deleted.status_code == 204
        assert await links_of(identity_app, guardian.id) == {school["student"].id}
        gone = await client.get(f"{API}/users/{school['student2'].id}", headers=headers)
        assert_problem(gone, 404)

        feed = await events(client, admin, "guardianship.created,guardianship.removed")
        assert [
            (e["type"], e["payload"]["student_id"], e["payload"]["relation"]) for e in feed
        ] == [
            ("guardianship.created", str(school["student2"].id), "trustee"),
            ("guardianship.removed", str(school["student2"].id), "trustee"),
        ]
        assert feed[0]["payload"]["guardian"]["last_name"] == "Иванов"
        assert "email" not in feed[0]["payload"]["guardian"]

    async def test_roles_and_school_are_checked(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        cases = [
            (school["teacher"].id, school["student2"].id, "not-a-guardian"),
            (school["guardian"].id, school["teacher"].id, "not-a-student"),
            (school["guardian"].id, other_school["student"].id, "not-a-student"),
            (other_school["guardian"].id, school["student2"].id, "not-a-guardian"),
        ]
        for guardian_id, student_id, code in cases:
            response = await client.post(
                f"{API}/guardianships",
                json={"guardian_id": str(guardian_id), "student_id": str(student_id)},
                headers=headers,
            )
            assert_problem(response, 422, code)
        assert await links_of(identity_app, school["guardian"].id) == {school["student"].id}

    async def test_duplicate_and_bad_relation(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        body = {"guardian_id": str(school["guardian"].id), "student_id": str(school["student"].id)}
        assert_problem(
            await client.post(f"{API}/guardianships", json=body, headers=headers),
            409,
            "guardianship-exists",
        )
        bad = await client.post(
            f"{API}/guardianships", json={**body, "relation": "neighbour"}, headers=headers
        )
        assert_problem(bad, 422, "validation-error")

    async def test_only_admin_links_and_other_school_link_is_not_found(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        extra = await add_user(identity_app, school.id, ["guardian"])
        body = {"guardian_id": str(extra.id), "student_id": str(school["student"].id)}
        for who in ("staff", "teacher", "guardian"):
            response = await client.post(
                f"{API}/guardianships",
                json=body,
                headers=await bearer(client, school[who].username),
            )
            assert_problem(response, 403)
        assert await links_of(identity_app, extra.id) == set()

        async with identity_app.state.database.session() as session:
            foreign = (
                await session.execute(
                    select(Guardianship.id).where(Guardianship.school_id == other_school.id)
                )
            ).scalar_one()
        response = await client.delete(
            f"{API}/guardianships/{foreign}", headers=await bearer(client, school["admin"].username)
        )
        assert_problem(response, 404, "guardianship-not-found")
        assert await links_of(identity_app, other_school["guardian"].id) == {
            other_school["student"].id
        }
