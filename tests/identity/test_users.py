"""User accounts (ID-1, ID-2, ID-4, ID-10): creation with a one-time password, who sees
whose profile and how much of it, changes, deactivation and password reset."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.identity.models import ClassGroup, PersonalDataAccess, User
from tests.identity.conftest import bearer, login
from tests.identity.factories import SchoolWorld, add_user

API = "/api/v1/identity"
PERSONAL_FIELDS = ("birth_date", "email", "phone", "username", "external_ids")


def new_user(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "username": "petrov." + uuid.uuid4().hex[:8],
        "last_name": "Петров",
        "first_name": "Пётр",
        "middle_name": "Петрович",
        "birth_date": "2012-04-05",
        "email": "petrov@example.org",
        "phone": "+7 (900) 123-45-67",
        "roles": ["student"],
    }
    body.update(overrides)
    return body


async def count_users(app: FastAPI, school_id: uuid.UUID) -> int:
    async with app.state.database.session() as session:
        stmt = select(func.count(User.id)).where(User.school_id == school_id)
        return int((await session.execute(stmt)).scalar_one())


async def events(client: httpx.AsyncClient, admin: str, types: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"{API}/events", params={"types": types, "limit": 1000}, headers=await bearer(client, admin)
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def access_rows(app: FastAPI, subject_id: uuid.UUID) -> list[PersonalDataAccess]:
    async with app.state.database.session() as session:
        stmt = select(PersonalDataAccess).where(PersonalDataAccess.subject_id == subject_id)
        return list((await session.execute(stmt)).scalars())


async def set_homeroom(app: FastAPI, group_id: uuid.UUID, teacher_id: uuid.UUID) -> None:
    async with app.state.database.session() as session:
        group = await session.get(ClassGroup, group_id)
        assert group is not None
        group.homeroom_teacher_id = teacher_id


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    if code is not None:
        assert body["type"] == f"urn:eo:problem:{code}"
    assert any("а" <= ch <= "я" for ch in body.get("detail", "").lower()), body
    return body


class TestCreateUser:
    async def test_admin_creates_account_with_one_time_password(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        body = new_user(roles=["student", "guardian"])
        response = await client.post(
            f"{API}/users", json=body, headers=await bearer(client, school["admin"].username)
        )
        assert response.status_code == 201, response.text
        assert response.headers["cache-control"] == "no-store"
        created = response.json()
        user = created["user"]
        assert user["profile"] == "full"
        assert user["username"] == body["username"]
        assert user["roles"] == ["guardian", "student"]
        assert user["must_change_password"] is True
        assert user["birth_date"] == "2012-04-05"
        password = created["initial_password"]
        assert len(password) >= 12

        async with identity_app.state.database.session() as session:
            stored = await session.get(User, uuid.UUID(user["id"]))
            assert stored is not None
            assert stored.school_id == school.id
            assert stored.password_hash.startswith("$argon2id$")
            assert password not in stored.password_hash

        # ID-1: the issued password only allows the mandatory change
        first = await client.post(
            f"{API}/token",
            data={"grant_type": "password", "username": body["username"], "password": password},
        )
        assert first.status_code == 403
        assert first.json()["type"] == "urn:eo:problem:password-change-required"
        changed = await client.post(
            f"{API}/password/initial",
            json={
                "username": body["username"],
                "current_password": password,
                "new_password": "Свой-пароль-ученика-1",
            },
        )
        assert changed.status_code == 200, changed.text

    async def test_event_has_no_contact_data(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        body = new_user()
        response = await client.post(f"{API}/users", json=body, headers=await bearer(client, admin))
        user_id = response.json()["user"]["id"]
        created = [
            e for e in await events(client, admin, "user.created") if e["aggregate_id"] == user_id
        ]
        assert len(created) == 1
        payload = created[0]["payload"]
        assert payload["roles"] == ["student"]
        assert payload["last_name"] == "Петров"
        assert payload["birth_date"] == "2012-04-05"  # students: needed for age rules
        assert payload["is_active"] is True
        # the login travels (exports such as OneRoster's users.csv need it), never the
        # ways to reach the person or the password
        assert payload["username"] == body["username"]
        for key in ("email", "phone", "password_hash"):
            assert key not in payload

    async def test_taken_username_is_conflict(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        before = await count_users(identity_app, school.id)
        # logins are global: another school's login is taken too (case-insensitive)
        taken = other_school["student"].username.upper()
        response = await client.post(
            f"{API}/users",
            json=new_user(username=taken),
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 409, "username-taken")
        assert await count_users(identity_app, school.id) == before

    async def test_bad_fields_are_reported_in_russian(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        before = await count_users(identity_app, school.id)
        response = await client.post(
            f"{API}/users",
            json=new_user(
                username="я",
                roles=[],
                email="not-an-email",
                birth_date="2999-01-01",
                nickname="x",
            ),
            headers=await bearer(client, school["admin"].username),
        )
        body = assert_problem(response, 422, "validation-error")
        fields = {e["field"] for e in body["errors"]}
        assert {
            "body.username",
            "body.roles",
            "body.email",
            "body.birth_date",
            "body.nickname",
        } <= fields
        messages = " ".join(e["message"] for e in body["errors"])
        assert "Логин" in messages
        assert "будущем" in messages
        assert await count_users(identity_app, school.id) == before

    async def test_unknown_role_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        response = await client.post(
            f"{API}/users",
            json=new_user(roles=["student", "director"]),
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 422, "validation-error")

    async def test_non_admin_cannot_create(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        before = await count_users(identity_app, school.id)
        for who in ("staff", "teacher", "student", "guardian"):
            response = await client.post(
                f"{API}/users", json=new_user(), headers=await bearer(client, school[who].username)
            )
            assert response.status_code == 403, who
        assert await count_users(identity_app, school.id) == before


class TestProfileVisibility:
    async def test_admin_and_staff_see_full_profile_and_the_read_is_logged(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        student = school["student"]
        for who in ("admin", "staff"):
            response = await client.get(
                f"{API}/users/{student.id}", headers=await bearer(client, school[who].username)
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert body["profile"] == "full"
            assert body["birth_date"] == "2013-03-01"
            assert body["class_groups"][0]["name"] == "7Б"
        rows = await access_rows(identity_app, student.id)
        assert {r.actor_id for r in rows} == {school["admin"].id, school["staff"].id}
        assert {(r.action, r.resource) for r in rows} == {("read", "user_profile")}

    async def test_own_profile_is_full_and_not_logged(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        student = school["student"]
        response = await client.get(
            f"{API}/users/{student.id}", headers=await bearer(client, student.username)
        )
        assert response.status_code == 200
        assert response.json()["profile"] == "full"
        assert await access_rows(identity_app, student.id) == []

    async def test_teacher_sees_brief_profile_without_personal_fields(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        response = await client.get(
            f"{API}/users/{school['student'].id}",
            headers=await bearer(client, school["teacher"].username),
        )
        assert response.status_code == 200
        body = response.json()
        assert body["profile"] == "brief"
        assert body["last_name"] == "Иванов"
        assert body["class_groups"][0]["name"] == "7Б"
        for key in PERSONAL_FIELDS:
            assert key not in body
        assert await access_rows(identity_app, school["student"].id) == []

    async def test_homeroom_teacher_sees_full_profile_of_own_students_only(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        await set_homeroom(identity_app, school.class_ids["7Б"], school["teacher"].id)
        headers = await bearer(client, school["teacher"].username)
        own = await client.get(f"{API}/users/{school['student'].id}", headers=headers)
        assert own.json()["profile"] == "full"
        other = await client.get(f"{API}/users/{school['student2'].id}", headers=headers)
        assert other.json()["profile"] == "brief"

    async def test_student_sees_only_self(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["student"].username)
        for other in ("student2", "teacher", "admin", "guardian"):
            response = await client.get(f"{API}/users/{school[other].id}", headers=headers)
            assert_problem(response, 404, "user-not-found")

    async def test_guardian_sees_own_child_not_another(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["guardian"].username)
        child = await client.get(f"{API}/users/{school['student'].id}", headers=headers)
        assert child.status_code == 200
        assert child.json()["profile"] == "full"
        stranger = await client.get(f"{API}/users/{school['student2'].id}", headers=headers)
        assert_problem(stranger, 404, "user-not-found")

    async def test_other_school_user_is_not_found(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        for who in ("admin", "staff", "teacher"):
            response = await client.get(
                f"{API}/users/{other_school['student'].id}",
                headers=await bearer(client, school[who].username),
            )
            assert_problem(response, 404, "user-not-found")

    async def test_unknown_id_is_not_found(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        response = await client.get(
            f"{API}/users/{uuid.uuid4()}", headers=await bearer(client, school["admin"].username)
        )
        assert_problem(response, 404)


class TestListUsers:
    async def test_filters(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        await add_user(identity_app, school.id, ["teacher"], is_active=False)
        headers = await bearer(client, school["admin"].username)

        by_role = await client.get(f"{API}/users", params={"role": "teacher"}, headers=headers)
        assert by_role.status_code == 200
        teachers = by_role.json()["items"]
        assert len(teachers) == 3
        assert all("teacher" in u["roles"] for u in teachers)

        active = await client.get(
            f"{API}/users", params={"role": "teacher", "active": "true"}, headers=headers
        )
        assert {u["id"] for u in active.json()["items"]} == {
            str(school["teacher"].id),
            str(school["teacher2"].id),
        }

        in_class = await client.get(
            f"{API}/users", params={"class_group_id": str(school.class_ids["3А"])}, headers=headers
        )
        assert [u["id"] for u in in_class.json()["items"]] == [str(school["student2"].id)]

    async def test_name_search_in_cyrillic_any_case(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        created = await client.post(
            f"{API}/users",
            json=new_user(last_name="Ёлкина", first_name="Алёна", roles=["teacher"]),
            headers=headers,
        )
        user_id = created.json()["user"]["id"]
        for q in ("ёлкин", "ЁЛКИНА", "Ёлкина Алёна", "алён"):
            response = await client.get(f"{API}/users", params={"q": q}, headers=headers)
            assert [u["id"] for u in response.json()["items"]] == [user_id], q
        nothing = await client.get(f"{API}/users", params={"q": "Ёлкина Ивановна"}, headers=headers)
        assert nothing.json()["items"] == []

    async def test_pages_follow_link_header(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        seen: list[str] = []
        url: str | None = f"{API}/users?limit=3"
        while url:
            response = await client.get(url, headers=headers)
            assert response.status_code == 200
            body = response.json()
            seen += [u["id"] for u in body["items"]]
            link = response.headers.get("link")
            if body["next_cursor"]:
                assert link
                assert 'rel="next"' in link
                url = link.split(";")[0].strip("<>")
            else:
                url = None
        assert len(seen) == len(set(seen)) == 7

    async def test_limit_above_cap_is_refused(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        response = await client.get(
            f"{API}/users",
            params={"limit": 10_000},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 400, "limit-too-large")

    async def test_lists_show_only_what_the_caller_may_see(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        student = await client.get(
            f"{API}/users", headers=await bearer(client, school["student"].username)
        )
        assert [u["id"] for u in student.json()["items"]] == [str(school["student"].id)]
        guardian = await client.get(
            f"{API}/users", headers=await bearer(client, school["guardian"].username)
        )
        assert {u["id"] for u in guardian.json()["items"]} == {
            str(school["guardian"].id),
            str(school["student"].id),
        }
        teacher = await client.get(
            f"{API}/users", headers=await bearer(client, school["teacher"].username)
        )
        items = teacher.json()["items"]
        assert len(items) == 7
        assert {u["profile"] for u in items if u["id"] != str(school["teacher"].id)} == {"brief"}
        other_ids = {str(p.id) for p in other_school.people.values()}
        assert not other_ids & {u["id"] for u in items}


class TestUpdateUser:
    async def test_admin_changes_fields_and_roles(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        target = school["teacher2"]
        response = await client.patch(
            f"{API}/users/{target.id}",
            json={
                "last_name": "Сидорова",
                "phone": "+7 900 000-00-01",
                "roles": ["teacher", "staff"],
                "email": None,
            },
            headers=await bearer(client, admin),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["last_name"] == "Сидорова"
        assert body["roles"] == ["staff", "teacher"]
        assert body["email"] is None
        async with identity_app.state.database.session() as session:
            stored = await session.get(User, target.id)
            assert stored is not None
            assert (stored.last_name, stored.email, stored.phone) == (
                "Сидорова",
                None,
                "+7 900 000-00-01",
            )
        updated = [
            e
            for e in await events(client, admin, "user.updated")
            if e["aggregate_id"] == str(target.id)
        ]
        assert updated[-1]["payload"]["roles"] == ["staff", "teacher"]
        assert updated[-1]["payload"]["trained_for_dot"] is False

    async def test_removing_a_role_ends_sessions(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        person = await add_user_via_api(client, school, roles=["teacher", "staff"])
        tokens = await login(client, person["username"], person["password"])
        response = await client.patch(
            f"{API}/users/{person['id']}",
            json={"roles": ["teacher"]},
            headers=await bearer(client, school["admin"].username),
        )
        assert response.status_code == 200
        me = await client.get(
            f"{API}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert me.status_code == 401

    async def test_contact_change_alone_emits_no_event(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        target = school["teacher"]
        response = await client.patch(
            f"{API}/users/{target.id}",
            json={"email": "new.address@example.org"},
            headers=await bearer(client, admin),
        )
        assert response.status_code == 200
        assert response.json()["email"] == "new.address@example.org"
        async with identity_app.state.database.session() as session:
            stored = await session.get(User, target.id)
            assert stored is not None
            assert stored.email == "new.address@example.org"
        assert await events(client, admin, "user.updated") == []

    async def test_required_fields_cannot_be_cleared(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        response = await client.patch(
            f"{API}/users/{school['teacher'].id}",
            json={"last_name": None},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 422, "validation-error")

    async def test_admin_cannot_drop_own_admin_role(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        response = await client.patch(
            f"{API}/users/{school['admin'].id}",
            json={"roles": ["teacher"]},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 422, "own-admin-role")

    async def test_role_in_use_cannot_be_removed(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        response = await client.patch(
            f"{API}/users/{school['student'].id}",
            json={"roles": ["staff"]},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 409, "role-in-use")

    async def test_non_admin_gets_403_and_other_school_404(
        self,
        client: httpx.AsyncClient,
        identity_app: FastAPI,
        school: SchoolWorld,
        other_school: SchoolWorld,
    ) -> None:
        response = await client.patch(
            f"{API}/users/{school['student'].id}",
            json={"last_name": "Взлом"},
            headers=await bearer(client, school["teacher"].username),
        )
        assert_problem(response, 403)
        foreign = await client.patch(
            f"{API}/users/{other_school['student'].id}",
            json={"last_name": "Взлом"},
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(foreign, 404)
        async with identity_app.state.database.session() as session:
            names = {
                (await session.get(User, school["student"].id)).last_name,  # type: ignore[union-attr]
                (await session.get(User, other_school["student"].id)).last_name,  # type: ignore[union-attr]
            }
        assert names == {"Иванов"}


async def add_user_via_api(
    client: httpx.AsyncClient, school: SchoolWorld, roles: list[str]
) -> dict[str, str]:
    """A user created by the admin whose one-time password is already changed."""
    body = new_user(roles=roles)
    created = await client.post(
        f"{API}/users", json=body, headers=await bearer(client, school["admin"].username)
    )
    assert created.status_code == 201, created.text
    password = "Личный-пароль-" + uuid.uuid4().hex[:6]
    changed = await client.post(
        f"{API}/password/initial",
        json={
            "username": body["username"],
            "current_password": created.json()["initial_password"],
            "new_password": password,
        },
    )
    assert changed.status_code == 200, changed.text
    return {"id": created.json()["user"]["id"], "username": body["username"], "password": password}


class TestDeactivation:
    async def test_deactivation_revokes_sessions_and_emits_event(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        student = school["student"]
        tokens = await login(client, student.username)
        response = await client.post(
            f"{API}/users/{student.id}/deactivate", headers=await bearer(client, admin)
        )
        assert response.status_code == 200, response.text
        assert response.json()["is_active"] is False
        assert response.json()["deactivated_at"] is not None

        refresh = await client.post(
            f"{API}/token",
            data={"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"]},
        )
        assert refresh.status_code == 400
        me = await client.get(
            f"{API}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert me.status_code == 401
        again = await client.post(
            f"{API}/token",
            data={
                "grant_type": "password",
                "username": student.username,
                "password": student.password,
            },
        )
        assert again.status_code == 400

        async with identity_app.state.database.session() as session:
            stored = await session.get(User, student.id)
            assert stored is not None
            assert stored.is_active is False
        deactivated = await events(client, admin, "user.deactivated")
        assert [e["aggregate_id"] for e in deactivated] == [str(student.id)]
        assert deactivated[0]["payload"]["is_active"] is False

    async def test_reactivation_restores_login(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = await bearer(client, school["admin"].username)
        student = school["student"]
        await client.post(f"{API}/users/{student.id}/deactivate", headers=admin)
        response = await client.post(f"{API}/users/{student.id}/reactivate", headers=admin)
        assert response.status_code == 200
        assert response.json()["is_active"] is True
        await login(client, student.username)
        types = [
            e["type"]
            for e in await events(
                client, school["admin"].username, "user.deactivated,user.reactivated"
            )
        ]
        assert types == ["user.deactivated", "user.reactivated"]

    async def test_admin_cannot_deactivate_self(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"]
        response = await client.post(
            f"{API}/users/{admin.id}/deactivate", headers=await bearer(client, admin.username)
        )
        assert_problem(response, 422, "self-deactivation")
        async with identity_app.state.database.session() as session:
            stored = await session.get(User, admin.id)
            assert stored is not None
            assert stored.is_active is True

    async def test_only_admin_deactivates(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        response = await client.post(
            f"{API}/users/{school['student'].id}/deactivate",
            headers=await bearer(client, school["staff"].username),
        )
        assert_problem(response, 403)
        await login(client, school["student"].username)


class TestPasswordReset:
    async def test_reset_issues_one_time_password_and_revokes_sessions(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        teacher = school["teacher"]
        tokens = await login(client, teacher.username)
        response = await client.post(
            f"{API}/users/{teacher.id}/reset-password",
            headers=await bearer(client, school["admin"].username),
        )
        assert response.status_code == 200, response.text
        assert response.headers["cache-control"] == "no-store"
        password = response.json()["initial_password"]
        me = await client.get(
            f"{API}/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert me.status_code == 401
        old = await client.post(
            f"{API}/token",
            data={
                "grant_type": "password",
                "username": teacher.username,
                "password": teacher.password,
            },
        )
        assert old.status_code == 400
        new = await client.post(
            f"{API}/token",
            data={"grant_type": "password", "username": teacher.username, "password": password},
        )
        assert new.status_code == 403
        assert new.json()["type"] == "urn:eo:problem:password-change-required"

    async def test_reset_of_other_school_user_is_not_found(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        response = await client.post(
            f"{API}/users/{other_school['teacher'].id}/reset-password",
            headers=await bearer(client, school["admin"].username),
        )
        assert_problem(response, 404)
        await login(client, other_school["teacher"].username)


class TestBirthDates:
    async def test_student_event_birth_date_only_for_students(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        admin = school["admin"].username
        response = await client.post(
            f"{API}/users",
            json=new_user(roles=["teacher"], birth_date=date(1980, 1, 2).isoformat()),
            headers=await bearer(client, admin),
        )
        user_id = response.json()["user"]["id"]
        created = [
            e for e in await events(client, admin, "user.created") if e["aggregate_id"] == user_id
        ]
        assert "birth_date" not in created[0]["payload"]
        assert created[0]["payload"]["trained_for_dot"] is False
