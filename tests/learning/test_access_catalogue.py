"""Who may do what with the catalogue of platforms and the federal list (LE-4, X-7).

* reads: every person of a school — the global catalogue of §5.13, the school's own
  platforms, the federal list; another school's platforms are 404 and never listed;
* writes (a school's own platforms): administrators only (403 for everyone else); a
  platform of another school is 404; the §5.13 platforms are read-only (403);
* anonymous: 401 everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from tests.learning.materials_support import API
from tests.support.service_world import World, service_headers

COVERED: set[str] = {
    "learning_list_catalogue_platforms",
    "learning_get_catalogue_platform",
    "learning_create_catalogue_platform",
    "learning_update_catalogue_platform",
    "learning_archive_catalogue_platform",
    "learning_resolve_catalogue_url",
    "learning_list_federal_list_entries",
    "learning_list_federal_list_orders",
}

ROLES = ("anonymous", "admin", "staff", "teacher", "student", "guardian")
READ = {"anonymous": 401, **{r: 200 for r in ROLES if r != "anonymous"}}
WRITE = {"anonymous": 401, "admin": 200, **dict.fromkeys(ROLES[2:], 403)}


@dataclass
class Setting:
    world: World
    other: World
    own: dict[str, Any]  # a platform of the world's school
    foreign: dict[str, Any]  # a platform of the other school
    resh_id: str


async def add_platform(
    client: httpx.AsyncClient, world: World, code: str, domain: str
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/catalogue/platforms",
        json={
            "code": code,
            "name": f"Платформа {code}",
            "category": "cloud_services",
            "domains": [domain],
        },
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def setting(client: httpx.AsyncClient, world: World, other_world: World) -> Setting:
    own = await add_platform(client, world, "school-disk", "disk.school.example")
    foreign = await add_platform(client, other_world, "other-disk", "disk.other.example")
    response = await client.get(
        f"{API}/catalogue/platforms",
        params={"scope": "global", "limit": 50},
        headers=world.headers("admin"),
    )
    resh = next(p for p in response.json()["items"] if p["code"] == "resh")
    return Setting(world, other_world, own, foreign, resh["id"])


def h(s: Setting, role: str) -> dict[str, str]:
    return s.world.headers(role)


class TestReads:
    @pytest.mark.parametrize("role", ROLES)
    async def test_list_catalogue_platforms(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(
            f"{API}/catalogue/platforms", params={"limit": 50}, headers=h(setting, role)
        )
        assert response.status_code == READ[role]
        if response.status_code == 200:
            codes = {p["code"] for p in response.json()["items"]}
            assert {"resh", "school-disk"} <= codes
            assert "other-disk" not in codes
            assert str(setting.other.school_id) not in response.text

    @pytest.mark.parametrize("role", ROLES)
    async def test_get_catalogue_platform(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        for pid in (setting.resh_id, setting.own["id"]):
            response = await client.get(
                f"{API}/catalogue/platforms/{pid}", headers=h(setting, role)
            )
            assert response.status_code == READ[role]
        response = await client.get(
            f"{API}/catalogue/platforms/{setting.foreign['id']}", headers=h(setting, role)
        )
        assert response.status_code == (401 if role == "anonymous" else 404)

    @pytest.mark.parametrize("role", ROLES)
    async def test_resolve_catalogue_url(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(
            f"{API}/catalogue/resolve",
            params={"url": "https://disk.other.example/file"},
            headers=h(setting, role),
        )
        assert response.status_code == READ[role]
        if response.status_code == 200:
            assert response.json()["platform"] is None  # another school's platform
        response = await client.get(
            f"{API}/catalogue/resolve",
            params={"url": "https://disk.school.example/file"},
            headers=h(setting, role),
        )
        if response.status_code == 200:
            assert response.json()["platform"]["code"] == "school-disk"

    @pytest.mark.parametrize("role", ROLES)
    async def test_list_federal_list_entries(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(f"{API}/catalogue/federal-list", headers=h(setting, role))
        assert response.status_code == READ[role]

    @pytest.mark.parametrize("role", ROLES)
    async def test_list_federal_list_orders(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.get(
            f"{API}/catalogue/federal-list/orders", headers=h(setting, role)
        )
        assert response.status_code == READ[role]

    async def test_service_tokens_are_refused(
        self, client: httpx.AsyncClient, setting: Setting
    ) -> None:
        response = await client.get(f"{API}/catalogue/platforms", headers=service_headers())
        assert response.status_code == 403


class TestWrites:
    @pytest.mark.parametrize("role", ROLES)
    async def test_create_catalogue_platform(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.post(
            f"{API}/catalogue/platforms",
            json={
                "code": "new-one",
                "name": "Новая",
                "category": "email",
                "domains": ["mail.school.example"],
            },
            headers=h(setting, role),
        )
        assert response.status_code == {**WRITE, "admin": 201}[role], response.text

    @pytest.mark.parametrize("role", ROLES)
    async def test_update_catalogue_platform(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.patch(
            f"{API}/catalogue/platforms/{setting.own['id']}",
            json={"name": "Новое имя"},
            headers=h(setting, role),
        )
        assert response.status_code == WRITE[role], response.text
        if role == "admin":
            response = await client.patch(
                f"{API}/catalogue/platforms/{setting.foreign['id']}",
                json={"name": "x"},
                headers=h(setting, role),
            )
            assert response.status_code == 404
            response = await client.patch(
                f"{API}/catalogue/platforms/{setting.resh_id}",
                json={"name": "x"},
                headers=h(setting, role),
            )
            assert response.status_code == 403

    @pytest.mark.parametrize("role", ROLES)
    async def test_archive_catalogue_platform(
        self, client: httpx.AsyncClient, setting: Setting, role: str
    ) -> None:
        response = await client.delete(
            f"{API}/catalogue/platforms/{setting.own['id']}", headers=h(setting, role)
        )
        assert response.status_code == {**WRITE, "admin": 204}[role], response.text
        if role == "admin":
            response = await client.delete(
                f"{API}/catalogue/platforms/{setting.foreign['id']}", headers=h(setting, role)
            )
            assert response.status_code == 404
            response = await client.delete(
                f"{API}/catalogue/platforms/{setting.resh_id}", headers=h(setting, role)
            )
            assert response.status_code == 403
