"""Class groups and membership (ID-4)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from services.identity.models import ClassGroup, ClassMembership
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld, add_user
from tests.identity.test_users import assert_problem, events

API = "/api/v1/identity"


async def groups_of(app: FastAPI, school_id: uuid.UUID) -> dict[str, ClassGroup]:
    async with app.state.database.session() as session:
        rows = (
            await session.execute(select(ClassGroup).where(ClassGroup.school_id == school_id))
        ).scalars()
        return {g.name: g for g in rows}


async def members_of(app: FastAPI, group_id: uuid.UUID) -> set[uuid.UUID]:
    async with app.state.database.session() as session:
        stmt = select(ClassMembership.student_id).where(ClassMembership.class_group_id == group_id)
        return set((await session.execute(stmt)).scalars())


class TestCreateClassGroup:
    async def test_admin_creates_class_with_homeroom_teacher(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        response = await client.post(
            f"{API}/class-groups",
            json={"grade": 10, "letter": "в", "homeroom_teacher_id": str(school["teacher"].id)},
            headers=await bearer(client, admin),
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["name"], body["level"], body["academic_year"]) == (
            "10В",
            "secondary",
            "2026/2027",
        )
        assert body["homeroom_teacher"]["id"] == str(school["teacher"].id)
        assert "email" not in body["homeroom_teacher"]
        assert body["student_count"] == 0
        assert "10В" in await groups_of(identity_app, school.id)

        created = await events(client, admin, "class_group.created")
        assert [e["payload"]["name"] for e in created] == ["10В"]
        payload = created[0]["payload"]
        assert payload["academic_year_id"] == str(school.year_id)
        assert payload["homeroom_teacher"]["last_name"] == "Иванов"

    async def test_grade_and_letter_are_validated(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        cases: list[dict[str, Any]] = [
            {"grade": 12, "letter": "А"},
            {"grade": 0, "letter": "А"},
            {"grade": "5", "letter": "А"},
            {"grade": 5, "letter": "A"},  # Latin A
            {"grade": 5, "letter": "АБ"},
        ]
        for body in cases:
            response = await client.post(f"{API}/class-groups", json=body, headers=headers)
            problem = assert_problem(response, 422, "validation-error")
            assert problem["errors"], body
        assert set(await groups_of(identity_app, school.id)) == {"7Б", "3А"}

    async def test_duplicate_in_year_conflicts(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        response = await client.post(
            f"{API}/class-groups",
            json={"grade": 7, "letter": "б"},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 409, "class-group-exists")

    async def test_homeroom_teacher_must_be_a_teacher_of_the_school(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        for candidate in (school["student"].id, other_school["teacher"].id, uuid.uuid4()):
            response = await client.post(
                f"{API}/class-groups",
                json={"grade": 5, "letter": "Д", "homeroom_teacher_id": str(candidate)},
                headers=headers,
            )
            assert_problem(response, 422, "homeroom-not-teacher")
        assert "5Д" not in await groups_of(identity_app, school.id)

    async def test_unknown_year_is_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        response = await client.post(
            f"{API}/class-groups",
            json={"grade": 5, "letter": "Д", "academic_year_id": str(other_school.year_id)},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 422, "academic-year-not-found")

    async def test_only_admin_creates(self, client: httpx.AsyncClient, school: SchoolWorld) -> None:
        response = await client.post(
            f"{API}/class-groups",
            json={"grade": 5, "letter": "Д"},
            headers=await bearer(client, school["teacher"].username),
        )
        assert_problem(response, 403)


class TestUpdateClassGroup:
    async def test_rename_and_change_homeroom(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        group_id = school.class_ids["3А"]
        response = await client.patch(
            f"{API}/class-groups/{group_id}",
            json={"grade": 4, "homeroom_teacher_id": str(school["teacher2"].id)},
            headers=await bearer(client, admin),
        )
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "4А"
        stored = (await groups_of(identity_app, school.id))["4А"]
        assert stored.homeroom_teacher_id == school["teacher2"].id
        cleared = await client.patch(
            f"{API}/class-groups/{group_id}",
            json={"homeroom_teacher_id": None},
            headers=await bearer(client, admin),
        )
        assert cleared.json()["homeroom_teacher"] is None
        updated = await events(client, admin, "class_group.updated")
        assert [e["payload"]["homeroom_teacher_id"] for e in updated] == [
            str(school["teacher2"].id),
            None,
        ]

    async def test_rename_onto_existing_conflicts(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        response = await client.patch(
            f"{API}/class-groups/{school.class_ids['3А']}",
            json={"grade": 7, "letter": "Б"},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 409, "class-group-exists")

    async def test_other_school_class_is_not_found(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        for who in ("admin", "teacher"):
            response = await client.patch(
                f"{API}/class-groups/{other_school.class_ids['7Б']}",
                json={"grade": 8},
                headers=await bearer(client, school[who].username),
            )
            assert_problem(response, 404, "class-group-not-found")


class TestReadClassGroups:
    async def test_staff_and_teachers_see_all(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        for who in ("admin", "staff", "teacher"):
            response = await client.get(
                f"{API}/class-groups", headers=await bearer(client, school[who].username)
            )
            assert {g["name"] for g in response.json()["items"]} == {"7Б", "3А"}
        by_grade = await client.get(
            f"{API}/class-groups",
            params={"grade": 7},
            headers=await bearer(client, school["teacher"].username),
        )
        assert [g["name"] for g in by_grade.json()["items"]] == ["7Б"]

    async def test_student_and_guardian_see_own_class_only(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        for who in ("student", "guardian"):
            headers = await bearer(client, school[who].username)
            listed = await client.get(f"{API}/class-groups", headers=headers)
            assert [g["name"] for g in listed.json()["items"]] == ["7Б"], who
            own = await client.get(f"{API}/class-groups/{school.class_ids['7Б']}", headers=headers)
            assert own.status_code == 200
            assert own.json()["student_count"] == 1
            other = await client.get(
                f"{API}/class-groups/{school.class_ids['3А']}", headers=headers
            )
            assert_problem(other, 404, "class-group-not-found")

    async def test_other_school_class_is_not_found(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        response = await client.get(
            f"{API}/class-groups/{other_school.class_ids['7Б']}",
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 404)
        students = await client.get(
            f"{API}/class-groups/{other_school.class_ids['7Б']}/students",
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(students, 404)

    async def test_students_list_by_level_of_view(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        url = f"{API}/class-groups/{school.class_ids['7Б']}/students"
        admin = await client.get(url, headers=await bearer(client, school["admin"].username))
        assert [(s["id"], s["profile"]) for s in admin.json()["items"]] == [
            (str(school["student"].id), "full")
        ]
        teacher = await client.get(url, headers=await bearer(client, school["teacher"].username))
        assert [s["profile"] for s in teacher.json()["items"]] == ["brief"]
        student = await client.get(url, headers=await bearer(client, school["student"].username))
        assert [s["id"] for s in student.json()["items"]] == [str(school["student"].id)]


class TestMembership:
    async def test_add_and_remove_student(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        newcomer = await add_user(identity_app, school.id, ["student"])
        group_id = school.class_ids["3А"]
        added = await client.post(
            f"{API}/class-groups/{group_id}/students",
            json={"student_id": str(newcomer.id)},
            headers=await bearer(client, admin),
        )
        assert added.status_code == 201, added.text
        assert await members_of(identity_app, group_id) == {school["student2"].id, newcomer.id}

        removed = await client.delete(
            f"{API}/class-groups/{group_id}/students/{newcomer.id}",
            headers=await bearer(client, admin),
        )
        assert removed.status_code == 204
        assert await members_of(identity_app, group_id) == {school["student2"].id}
        again = await client.delete(
            f"{API}/class-groups/{group_id}/students/{newcomer.id}",
            headers=await bearer(client, admin),
        )
        assert_problem(again, 404, "membership-not-found")

        feed = await events(client, admin, "class_membership.added,class_membership.removed")
        assert [
            (e["type"], e["payload"]["class_name"], e["payload"]["student_id"]) for e in feed
        ] == [
            ("class_membership.added", "3А", str(newcomer.id)),
            ("class_membership.removed", "3А", str(newcomer.id)),
        ]
        assert feed[0]["payload"]["academic_year"] == "2026/2027"
        assert "birth_date" not in feed[0]["payload"]["student"]

    async def test_one_class_per_year(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        other = await client.post(
            f"{API}/class-groups/{school.class_ids['3А']}/students",
            json={"student_id": str(school["student"].id)},
            headers=headers,
        )
        problem = assert_problem(other, 409, "student-in-another-class")
        assert "7Б" in problem["detail"]
        same = await client.post(
            f"{API}/class-groups/{school.class_ids['7Б']}/students",
            json={"student_id": str(school["student"].id)},
            headers=headers,
        )
        assert_problem(same, 409, "already-member")
        assert await members_of(identity_app, school.class_ids["3А"]) == {school["student2"].id}

    async def test_only_students_of_the_school_join(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        for candidate in (school["teacher"].id, other_school["student"].id):
            response = await client.post(
                f"{API}/class-groups/{school.class_ids['3А']}/students",
                json={"student_id": str(candidate)},
                headers=headers,
            )
            assert_problem(response, 422, "not-a-student")

    async def test_only_admin_changes_membership(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["teacher"].username)
        response = await client.delete(
            f"{API}/class-groups/{school.class_ids['7Б']}/students/{school['student'].id}",
            headers=headers,
        )
        assert_problem(response, 403)
        assert await members_of(identity_app, school.class_ids["7Б"]) == {school["student"].id}
