"""The catalogue of external platforms (§5.13) and the federal list of approved
e-resources (order № 738 of 04.10.2023) (LE-4)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select, update

from services.learning.catalogue.data import (
    REGULATION_PLATFORMS,
    FederalListFileError,
    load_federal_list,
)
from services.learning.catalogue.seed import seed_catalogue
from services.learning.models import CataloguePlatform
from tests.learning.materials_support import API, create_material, post_material
from tests.support.service_world import World, running_app

# §5.13 of the regulation, verbatim and in order.
REGULATION_5_13 = [
    "ФГИС «Моя школа»",
    "Российская электронная школа",
    "УЧИ.РУ",
    "ГлобалЛаб",
    "ЯКласс",
    "Информационно коммуникационная образовательная платформа Сферум",
    "Библиотека цифрового образовательного контента",
    "Облако знаний",
    "электронный журнал",
    "облачные хранилища информации",
    "электронная почта",
]


def problem(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    assert body["type"] == f"urn:eo:problem:{code}"
    return body


async def platforms(
    client: httpx.AsyncClient, world: World, who: str = "teacher", **params: Any
) -> list[dict[str, Any]]:
    response = await client.get(
        f"{API}/catalogue/platforms", params={"limit": 100, **params}, headers=world.headers(who)
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def by_code(client: httpx.AsyncClient, world: World, **params: Any) -> dict[str, Any]:
    return {p["code"]: p for p in await platforms(client, world, **params)}


class TestRegulationCatalogue:
    async def test_the_list_of_5_13_is_preloaded_as_written(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        items = await platforms(client, world, scope="global")
        assert [p["name"] for p in items] == REGULATION_5_13
        assert all(p["source_clause"] == "§5.13" for p in items)
        assert all(p["scope"] == "global" and p["is_active"] for p in items)
        codes = {p["code"]: p for p in items}
        assert codes["resh"]["domains"] == ["resh.edu.ru"]
        assert codes["sferum"]["category"] == "videoconferencing"
        assert codes["moya_shkola"]["category"] == "information_system"
        # kinds of resources, not sites: nothing to link into
        assert codes["email"]["domains"] == []
        assert codes["email"]["url"] is None
        # the built-in federal list has no entries: nothing is marked federal
        assert not any(p["on_federal_list"] for p in items)
        assert all(p["federal_entries"] == [] for p in items)

    async def test_seeding_is_idempotent_and_restores_the_data(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        async with learning_app.state.database.session() as session:
            await session.execute(
                update(CataloguePlatform)
                .where(CataloguePlatform.school_id.is_(None), CataloguePlatform.code == "uchi_ru")
                .values(name="Изменено", domains=["evil.example"])
            )
        await seed_catalogue(learning_app)
        await seed_catalogue(learning_app)
        async with learning_app.state.database.session() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(CataloguePlatform)
                .where(CataloguePlatform.school_id.is_(None))
            )
        assert count == len(REGULATION_PLATFORMS)
        uchi = (await by_code(client, world))["uchi_ru"]
        assert uchi["name"] == "УЧИ.РУ"
        assert uchi["domains"] == ["uchi.ru"]

    async def test_one_platform_and_filters(self, client: httpx.AsyncClient, world: World) -> None:
        resh = (await by_code(client, world))["resh"]
        response = await client.get(
            f"{API}/catalogue/platforms/{resh['id']}", headers=world.headers("student")
        )
        assert response.status_code == 200
        assert response.json()["name"] == "Российская электронная школа"
        assert {p["code"] for p in await platforms(client, world, category="email")} == {"email"}
        assert await platforms(client, world, federal="true") == []
        response = await client.get(
            f"{API}/catalogue/platforms/{resh['id']}",
            params={"on": "not-a-date"},
            headers=world.headers("student"),
        )
        problem(response, 422, "validation-error")

    async def test_pages(self, client: httpx.AsyncClient, world: World) -> None:
        seen: list[str] = []
        params: dict[str, Any] = {"limit": 4, "scope": "global"}
        while True:
            response = await client.get(
                f"{API}/catalogue/platforms", params=params, headers=world.headers("teacher")
            )
            body = response.json()
            seen += [p["name"] for p in body["items"]]
            if not body["next_cursor"]:
                break
            params["cursor"] = body["next_cursor"]
        assert seen == REGULATION_5_13
        response = await client.get(
            f"{API}/catalogue/platforms",
            params={"cursor": "eyJvZmZzZXQiOi0xfQ"},
            headers=world.headers("teacher"),
        )
        problem(response, 400, "invalid-cursor")

    async def test_resolve(self, client: httpx.AsyncClient, world: World) -> None:
        response = await client.get(
            f"{API}/catalogue/resolve",
            params={"url": "https://lib.myschool.edu.ru/x"},
            headers=world.headers("guardian"),
        )
        assert response.status_code == 200
        body = response.json()
        assert body["host"] == "lib.myschool.edu.ru"
        assert body["platform"]["code"] == "cok_library"
        assert body["on_federal_list"] is False
        response = await client.get(
            f"{API}/catalogue/resolve",
            params={"url": "https://example.org/"},
            headers=world.headers("guardian"),
        )
        assert response.json()["platform"] is None
        response = await client.get(
            f"{API}/catalogue/resolve",
            params={"url": "mailto:a@b.ru"},
            headers=world.headers("guardian"),
        )
        problem(response, 422, "validation-error")


class TestFederalListData:
    async def test_the_order_738(self, client: httpx.AsyncClient, world: World) -> None:
        response = await client.get(
            f"{API}/catalogue/federal-list/orders", headers=world.headers("student")
        )
        assert response.status_code == 200
        [order] = response.json()
        assert order["number"] == "№ 738"
        assert order["date"] == "2023-10-04"
        assert order["valid_from"] == "2023-10-04"
        assert order["valid_to"] is None
        assert order["valid"] is True
        assert "федерального перечня электронных образовательных ресурсов" in order["title"]
        response = await client.get(
            f"{API}/catalogue/federal-list/orders",
            params={"on": "2023-01-01"},
            headers=world.headers("student"),
        )
        assert response.json()[0]["valid"] is False
        response = await client.get(
            f"{API}/catalogue/federal-list", headers=world.headers("student")
        )
        assert response.json() == {"items": [], "next_cursor": None}

    async def test_a_bad_operator_file_stops_the_service(
        self, learning_db_url: str, tmp_path: Path
    ) -> None:
        path = tmp_path / "list.json"
        path.write_text("[]", encoding="utf-8")
        with pytest.raises(FederalListFileError):
            async with running_app("learning", learning_db_url, federal_list_path=path):
                pass

    def test_bad_operator_files_are_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "list.json"
        for content in (
            "{",
            json.dumps(
                {
                    "entries": [
                        {"code": "x", "name": "x", "domains": ["a.ru"], "order_number": "№ 1"}
                    ]
                }
            ),
            json.dumps(
                {
                    "entries": [
                        {"code": "x", "name": "x", "domains": ["a b"], "order_number": "№ 738"}
                    ]
                }
            ),
            json.dumps({"unknown": []}),
        ):
            path.write_text(content, encoding="utf-8")
            with pytest.raises(FederalListFileError):
                load_federal_list(path)
        with pytest.raises(FederalListFileError):
            load_federal_list(tmp_path / "missing.json")


def operator_file(path: Path, today: date) -> Path:
    """Entries around today: uchi.ru expired, resh.edu.ru valid, yaklass.ru not yet."""
    path.write_text(
        json.dumps(
            {
                "orders": [
                    {
                        "number": "№ 499",
                        "date": "2024-07-18",
                        "title": "Об утверждении федерального перечня (новая редакция)",
                        "confirmed": False,
                    }
                ],
                "entries": [
                    {
                        "code": "uchi-math",
                        "name": "Математика 1–4",
                        "provider": "ООО «Учи.ру»",
                        "domains": ["uchi.ru"],
                        "order_number": "№ 738",
                        "valid_to": (today - timedelta(days=3)).isoformat(),
                    },
                    {
                        "code": "resh-all",
                        "name": "Уроки РЭШ",
                        "domains": ["RESH.edu.ru"],
                        "order_number": "№ 499",
                        "valid_from": (today - timedelta(days=30)).isoformat(),
                    },
                    {
                        "code": "yaklass-future",
                        "name": "ЯКласс",
                        "domains": ["yaklass.ru"],
                        "order_number": "№ 499",
                        "valid_from": (today + timedelta(days=3)).isoformat(),
                    },
                    {
                        "code": "school-region",
                        "name": "Региональный ресурс",
                        "domains": ["edu.region.example"],
                        "order_number": "№ 738",
                    },
                ],
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    return path


class TestFederalMarking:
    @pytest.fixture
    def learning_overrides(self, tmp_path: Path) -> dict[str, object]:
        return {
            "files_path": tmp_path / "files",
            "federal_list_path": operator_file(tmp_path / "federal.json", date.today()),
        }

    async def test_a_platform_is_federal_only_while_the_entry_is_valid(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        today = date.today()
        now = await by_code(client, world)
        assert now["resh"]["on_federal_list"] is True
        assert [e["code"] for e in now["resh"]["federal_entries"]] == ["resh-all"]
        assert now["resh"]["federal_entries"][0]["order_number"] == "№ 499"
        assert now["uchi_ru"]["on_federal_list"] is False  # expired three days ago
        assert now["yaklass"]["on_federal_list"] is False  # from in three days
        # a covered parent domain does not make the library of Моя школа federal, nor back
        assert now["moya_shkola"]["on_federal_list"] is False

        before = await by_code(client, world, on=(today - timedelta(days=5)).isoformat())
        assert before["uchi_ru"]["on_federal_list"] is True
        assert before["resh"]["on_federal_list"] is True
        later = await by_code(client, world, on=(today + timedelta(days=5)).isoformat())
        assert later["yaklass"]["on_federal_list"] is True
        assert later["uchi_ru"]["on_federal_list"] is False
        long_ago = await by_code(client, world, on=(today - timedelta(days=60)).isoformat())
        assert long_ago["resh"]["on_federal_list"] is False

        assert {p["code"] for p in await platforms(client, world, federal="true")} == {"resh"}

    async def test_materials_show_the_federal_mark_of_their_platform(
        self, learning_app: FastAPI, client: httpx.AsyncClient, world: World
    ) -> None:
        resh = await create_material(
            client, world, kind="third_party_link", title="РЭШ", url="https://resh.edu.ru/l/1"
        )
        uchi = await create_material(
            client, world, kind="third_party_link", title="Учи", url="https://uchi.ru/l/1"
        )
        assert resh["on_federal_list"] is True
        assert resh["platform"]["on_federal_list"] is True
        assert uchi["on_federal_list"] is False
        response = await client.get(
            f"{API}/materials/{resh['id']}", headers=world.headers("student")
        )
        assert response.json()["on_federal_list"] is True

    async def test_the_list_and_its_orders_are_readable(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get(
            f"{API}/catalogue/federal-list", params={"limit": 10}, headers=world.headers("guardian")
        )
        entries = {e["code"]: e for e in response.json()["items"]}
        assert set(entries) == {"resh-all", "school-region", "uchi-math", "yaklass-future"}
        assert entries["resh-all"]["domains"] == ["resh.edu.ru"]
        assert entries["uchi-math"]["order_number"] == "№ 738"
        assert entries["uchi-math"]["order_date"] == "2023-10-04"
        assert entries["uchi-math"]["valid"] is False
        assert entries["school-region"]["valid_from"] == "2023-10-04"
        valid = await client.get(
            f"{API}/catalogue/federal-list",
            params={"valid": "true", "q": "учи"},
            headers=world.headers("guardian"),
        )
        assert valid.json()["items"] == []
        page = await client.get(
            f"{API}/catalogue/federal-list", params={"limit": 3}, headers=world.headers("guardian")
        )
        assert len(page.json()["items"]) == 3
        assert page.json()["next_cursor"]
        orders = await client.get(
            f"{API}/catalogue/federal-list/orders", headers=world.headers("guardian")
        )
        assert [(o["number"], o["confirmed"]) for o in orders.json()] == [
            ("№ 738", True),
            ("№ 499", False),
        ]

    async def test_a_school_platform_under_a_listed_domain_is_federal(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.post(
            f"{API}/catalogue/platforms",
            json={
                "code": "region-lms",
                "name": "Региональная платформа",
                "category": "online_platform",
                "domains": ["lms.edu.region.example"],
            },
            headers=world.headers("admin"),
        )
        assert response.status_code == 201, response.text
        assert response.json()["on_federal_list"] is True


class TestSchoolPlatforms:
    async def test_an_admin_adds_a_platform_for_the_school_only(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
    ) -> None:
        body = {
            "code": "dnevnik",
            "name": "Электронный дневник региона",
            "category": "e_journal",
            "url": "https://dnevnik.region.example/",
            "domains": ["Dnevnik.Region.Example", "школа.рф"],
            "description": "Региональный электронный журнал",
        }
        response = await client.post(
            f"{API}/catalogue/platforms", json=body, headers=world.headers("admin")
        )
        assert response.status_code == 201, response.text
        created = response.json()
        assert created["scope"] == "school"
        assert created["source_clause"] is None
        assert created["domains"] == ["dnevnik.region.example", "xn--80atdl2c.xn--p1ai"]
        pid = created["id"]

        # the school's teachers link into it; another school does not see it
        material = await create_material(
            client, world, kind="third_party_link", title="Журнал", url="https://школа.рф/x"
        )
        assert material["platform"]["code"] == "dnevnik"
        assert material["platform"]["scope"] == "school"
        assert "dnevnik" not in await by_code(client, other_world)
        response = await client.get(
            f"{API}/catalogue/platforms/{pid}", headers=other_world.headers("admin")
        )
        problem(response, 404, "platform-not-found")
        response = await post_material(
            client,
            other_world,
            kind="third_party_link",
            title="x",
            url="https://dnevnik.region.example/",
        )
        problem(response, 422, "url-not-in-catalogue")
        response = await client.patch(
            f"{API}/catalogue/platforms/{pid}",
            json={"name": "x"},
            headers=other_world.headers("admin"),
        )
        problem(response, 404, "platform-not-found")

        # codes and domains are unique in what a school sees
        dup = await client.post(
            f"{API}/catalogue/platforms",
            json={**body, "domains": ["other.example"]},
            headers=world.headers("admin"),
        )
        problem(dup, 409, "platform-code-taken")
        dup = await client.post(
            f"{API}/catalogue/platforms",
            json={**body, "code": "resh", "domains": ["x.example"]},
            headers=world.headers("admin"),
        )
        problem(dup, 409, "platform-code-taken")
        dup = await client.post(
            f"{API}/catalogue/platforms",
            json={**body, "code": "uchi2", "domains": ["uchi.ru"]},
            headers=world.headers("admin"),
        )
        problem(dup, 409, "platform-domain-taken")
        # the other school may use the same code for its own
        response = await client.post(
            f"{API}/catalogue/platforms", json=body, headers=other_world.headers("admin")
        )
        assert response.status_code == 201

        response = await client.patch(
            f"{API}/catalogue/platforms/{pid}",
            json={"name": "Дневник", "url": None, "domains": ["dnevnik.region.example"]},
            headers=world.headers("admin"),
        )
        assert response.status_code == 200, response.text
        assert response.json()["name"] == "Дневник"
        assert response.json()["url"] is None
        assert response.json()["domains"] == ["dnevnik.region.example"]

        # removed from the catalogue: new links refused, the material keeps its platform
        response = await client.delete(
            f"{API}/catalogue/platforms/{pid}", headers=world.headers("admin")
        )
        assert response.status_code == 204
        response = await post_material(
            client,
            world,
            kind="third_party_link",
            title="x",
            url="https://dnevnik.region.example/",
        )
        problem(response, 422, "url-not-in-catalogue")
        kept = await client.get(
            f"{API}/materials/{material['id']}", headers=world.headers("teacher")
        )
        assert kept.json()["platform"]["code"] == "dnevnik"
        assert "dnevnik" not in await by_code(client, world)
        assert "dnevnik" in await by_code(client, world, who="admin", include_inactive="true")
        problem(
            await client.get(f"{API}/catalogue/platforms/{pid}", headers=world.headers("teacher")),
            404,
            "platform-not-found",
        )
        # and back
        response = await client.patch(
            f"{API}/catalogue/platforms/{pid}",
            json={"is_active": True},
            headers=world.headers("admin"),
        )
        assert response.json()["is_active"] is True

    async def test_the_5_13_platforms_are_read_only(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        resh = (await by_code(client, world))["resh"]
        response = await client.patch(
            f"{API}/catalogue/platforms/{resh['id']}",
            json={"name": "x"},
            headers=world.headers("admin"),
        )
        problem(response, 403, "platform-read-only")
        response = await client.delete(
            f"{API}/catalogue/platforms/{resh['id']}", headers=world.headers("admin")
        )
        problem(response, 403, "platform-read-only")

    @pytest.mark.parametrize(
        "body",
        [
            {"code": "Bad Code", "name": "x", "category": "email", "domains": ["a.ru"]},
            {"code": "ok", "name": "x", "category": "email", "domains": []},
            {"code": "ok", "name": "x", "category": "email", "domains": ["http://a.ru/"]},
            {"code": "ok", "name": "x", "category": "tv", "domains": ["a.ru"]},
            {"code": "ok", "name": "x", "category": "email", "domains": ["a.ru"], "url": "ftp://a"},
            {"code": "ok", "name": "x", "category": "email", "domains": ["a.ru"], "extra": 1},
        ],
    )
    async def test_bad_platforms_are_refused(
        self, client: httpx.AsyncClient, world: World, body: dict[str, Any]
    ) -> None:
        response = await client.post(
            f"{API}/catalogue/platforms", json=body, headers=world.headers("admin")
        )
        problem(response, 422, "validation-error")
        assert "ok" not in await by_code(client, world)
