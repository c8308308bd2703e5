"""CSV roster import (ID-1 … ID-4, ID-9): all rows valid → everything created in one go;
any bad row → every problem reported with its line and nothing stored."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.identity.models import (
    ClassMembership,
    ExternalId,
    Guardianship,
    User,
    UserRole,
    kernel,
)
from services.identity.roster.schemas import COLUMNS
from tests.identity.conftest import bearer
from tests.identity.factories import SchoolWorld
from tests.identity.test_users import assert_problem, events

API = "/api/v1/identity"
IMPORT = f"{API}/users/import"
HEADER = ";".join(COLUMNS)
CSV = {"Content-Type": "text/csv; charset=utf-8"}


def tag() -> str:
    return uuid.uuid4().hex[:6]


async def snapshot(app: FastAPI, school: SchoolWorld) -> dict[str, int]:
    """Row counts of everything an import writes, for one school (the database is shared)."""
    async with app.state.database.session() as session:
        counts = {}
        for name, model in (
            ("users", User),
            ("roles", UserRole),
            ("memberships", ClassMembership),
            ("guardianships", Guardianship),
            ("external_ids", ExternalId),
            ("events", kernel.outbox),
        ):
            stmt = select(func.count(model.id)).where(model.school_id == school.id)
            counts[name] = int((await session.execute(stmt)).scalar_one())
        return counts


async def post_csv(
    client: httpx.AsyncClient,
    school: SchoolWorld,
    text: str,
    *,
    bom: bool = False,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    raw = ("\ufeff" if bom else "") + text
    auth = await bearer(client, school["admin"].username)
    return await client.post(
        IMPORT, content=raw.encode(), headers={**CSV, **auth, **(headers or {})}
    )


class TestImportSuccess:
    async def test_semicolon_file_with_bom_creates_everything(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        t = tag()
        existing_student = school["student2"].username
        text = "\n".join(
            [
                HEADER,
                f"kid.{t};Смирнов;Пётр;Сергеевич;01.03.2013;;student;7Б;;moya_shkola;MS-{t}",
                f"mom.{t};Смирнова;Мария;Петровна;;m.{t}@example.org;guardian;;kid.{t}|{existing_student};;",
                f"teach.{t};Кузнецова;Анна;;1985-10-20;;teacher|staff;;;esia;E-{t}",
                "",
            ]
        )
        before = await snapshot(identity_app, school)
        response = await post_csv(client, school, text, bom=True)
        assert response.status_code == 201, response.text
        assert response.headers["cache-control"] == "no-store"
        body = response.json()
        assert (
            body["created"],
            body["memberships"],
            body["guardianships"],
            body["external_ids"],
        ) == (3, 1, 2, 2)
        assert [(u["line"], u["username"]) for u in body["users"]] == [
            (2, f"kid.{t}"),
            (3, f"mom.{t}"),
            (4, f"teach.{t}"),
        ]
        assert len({u["password"] for u in body["users"]}) == 3

        after = await snapshot(identity_app, school)
        assert after["users"] - before["users"] == 3
        assert after["roles"] - before["roles"] == 4
        assert after["memberships"] - before["memberships"] == 1
        assert after["guardianships"] - before["guardianships"] == 2
        assert after["external_ids"] - before["external_ids"] == 2

        ids = {u["username"]: u["id"] for u in body["users"]}
        async with identity_app.state.database.session() as session:
            kid = await session.get(User, uuid.UUID(ids[f"kid.{t}"]))
            assert kid is not None
            assert kid.school_id == school.id
            assert kid.birth_date is not None
            assert kid.birth_date.isoformat() == "2013-03-01"
            assert kid.must_change_password is True
            group = (
                await session.execute(
                    select(ClassMembership.class_group_id).where(
                        ClassMembership.student_id == kid.id
                    )
                )
            ).scalar_one()
            assert group == school.class_ids["7Б"]

        admin = school["admin"].username
        types = [
            e["type"]
            for e in await events(
                client, admin, "user.created,class_membership.added,guardianship.created"
            )
        ]
        assert types.count("user.created") == 3
        assert types.count("class_membership.added") == 1
        assert types.count("guardianship.created") == 2
        kid_event = next(
            e
            for e in await events(client, admin, "user.created")
            if e["aggregate_id"] == ids[f"kid.{t}"]
        )
        assert kid_event["payload"]["class_groups"][0]["name"] == "7Б"
        assert "email" not in kid_event["payload"]

        # the mother sees both children, including the one already in the school
        lookup = await client.get(
            f"{API}/external-ids/lookup",
            params={"system": "moya_shkola", "value": f"MS-{t}"},
            headers=await bearer(client, admin),
        )
        assert lookup.json()["entity_id"] == ids[f"kid.{t}"]

    async def test_first_login_of_imported_user_must_change_password(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        t = tag()
        response = await post_csv(
            client, school, f"username,last_name,first_name,roles\nnew.{t},Орлов,Илья,student\n"
        )
        assert response.status_code == 201, response.text
        credentials = response.json()["users"][0]
        first = await client.post(
            f"{API}/token",
            data={
                "grant_type": "password",
                "username": credentials["username"],
                "password": credentials["password"],
            },
        )
        assert first.status_code == 403
        assert first.json()["type"] == "urn:eo:problem:password-change-required"
        changed = await client.post(
            f"{API}/password/initial",
            json={
                "username": credentials["username"],
                "current_password": credentials["password"],
                "new_password": "Орлов-свой-пароль-9",
            },
        )
        assert changed.status_code == 200, changed.text
        me = await client.get(
            f"{API}/me", headers={"Authorization": f"Bearer {changed.json()['access_token']}"}
        )
        assert me.json()["must_change_password"] is False

    async def test_comma_file_with_quotes_and_crlf(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        t = tag()
        text = (
            "username,last_name,first_name,middle_name,roles,class\r\n"
            f'a.{t},"Римский-Корсаков, мл.",Николай,,student,3а\r\n'
            f"b.{t},Лебедева,Ольга,Игоревна,teacher,\r\n"
        )
        response = await post_csv(client, school, text)
        assert response.status_code == 201, response.text
        async with identity_app.state.database.session() as session:
            user = (
                await session.execute(select(User).where(User.username == f"a.{t}"))
            ).scalar_one()
            assert user.last_name == "Римский-Корсаков, мл."
            assert user.middle_name is None


class TestImportErrors:
    async def test_bad_rows_are_all_reported_and_nothing_is_stored(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        t = tag()
        taken = school["teacher"].username
        text = "\n".join(
            [
                HEADER,
                f"ok.{t};Верный;Вася;;2013-01-01;;student;7Б;;;",  # line 2: fine
                f"{taken};Занятый;Логин;;;;teacher;;;;",  # 3: login taken
                f"bad.{t};Датов;Дата;;31.02.2013;;student;;;;",  # 4: no such date
                f"ok.{t};Дубль;Дубль;;;;student;;;;",  # 5: duplicate of line 2
                f"role.{t};Ролев;Роль;;;;director;;;;",  # 6: unknown role
                f"cls.{t};Классов;Класс;;;;student;9Я;;;",  # 7: no such class
                f"mom.{t};Мамина;Мама;;;;guardian;;nobody.{t};;",  # 8: unknown child
                f"ext.{t};Внешний;Ид;;;not-an-email;teacher;;;sferum;",  # 9: e-mail, missing id
                "",
                ";Безлогинов;Без;;;;student;;;;",  # 11: no username (after a blank line)
            ]
        )
        before = await snapshot(identity_app, school)
        response = await post_csv(client, school, text, bom=True)
        body = assert_problem(response, 422, "roster-invalid")
        assert "ничего не сохранено" in body["detail"]
        found = {(e["line"], e["field"]) for e in body["errors"]}
        assert found == {
            (3, "username"),
            (4, "birth_date"),
            (5, "username"),
            (6, "roles"),
            (7, "class"),
            (8, "guardian_of"),
            (9, "email"),
            (9, "external_id"),
            (11, "username"),
        }
        assert body["errors_total"] == len(found)
        assert all(e["message"] and e["code"] for e in body["errors"])
        duplicate = next(e for e in body["errors"] if e["line"] == 5)
        assert "строке 2" in duplicate["message"]
        assert await snapshot(identity_app, school) == before

    async def test_header_problems(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        before = await snapshot(identity_app, school)
        response = await post_csv(client, school, "username;last_name;nickname\nx;y;z\n")
        body = assert_problem(response, 422, "roster-invalid")
        assert {(e["line"], e["field"]) for e in body["errors"]} == {
            (1, "nickname"),
            (1, "first_name"),
            (1, "roles"),
        }
        assert await snapshot(identity_app, school) == before

    async def test_not_utf8_is_reported_with_its_line(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        text = f"username,last_name,first_name,roles\nw.{tag()},Иванов,Иван,student\n"
        raw = text.encode("cp1251")
        auth = await bearer(client, school["admin"].username)
        response = await client.post(IMPORT, content=raw, headers={**CSV, **auth})
        body = assert_problem(response, 422, "roster-invalid")
        assert body["errors"][0]["line"] == 2
        assert body["errors"][0]["code"] == "not-utf8"

    async def test_empty_file(self, client: httpx.AsyncClient, school: SchoolWorld) -> None:
        response = await post_csv(client, school, "\n\n")
        assert_problem(response, 422, "roster-invalid")
        header_only = await post_csv(client, school, HEADER + "\n")
        assert_problem(header_only, 422, "roster-invalid")

    async def test_content_type_must_be_csv(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        auth = await bearer(client, school["admin"].username)
        response = await client.post(IMPORT, json={"rows": []}, headers=auth)
        assert_problem(response, 415, "csv-required")
        latin1 = await client.post(
            IMPORT,
            content=b"username",
            headers={**auth, "Content-Type": "text/csv; charset=windows-1251"},
        )
        assert_problem(latin1, 415, "csv-charset")

    async def test_only_admin_imports(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        before = await snapshot(identity_app, school)
        for who in ("staff", "teacher"):
            response = await client.post(
                IMPORT,
                content=f"username,last_name,first_name,roles\nz.{tag()},Я,Я,student\n".encode(),
                headers={**CSV, **await bearer(client, school[who].username)},
            )
            assert_problem(response, 403)
        assert await snapshot(identity_app, school) == before


class TestImportRowCap:
    @pytest.fixture
    def identity_overrides(self) -> dict[str, object]:
        return {"csv_import_max_rows": 3}

    async def test_too_many_rows_is_refused(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        rows = [f"cap{i}.{tag()},Фамилия,Имя,student" for i in range(4)]
        before = await snapshot(identity_app, school)
        response = await post_csv(
            client, school, "username,last_name,first_name,roles\n" + "\n".join(rows)
        )
        assert_problem(response, 413, "roster-too-large")
        assert await snapshot(identity_app, school) == before
        ok = await post_csv(
            client, school, "username,last_name,first_name,roles\n" + "\n".join(rows[:3])
        )
        assert ok.status_code == 201, ok.text
