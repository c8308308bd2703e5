"""Service tokens (client credentials) and the contacts lookup for notifications."""

from __future__ import annotations

import httpx
from sqlalchemy import select

from services.common.settings import DEFAULT_SERVICE_SECRET
from services.identity.models import PersonalDataAccess
from tests.identity.conftest import identity_settings
from tests.identity.factories import SchoolWorld

API = "/api/v1/identity"


async def service_token(client: httpx.AsyncClient, client_id: str = "learning") -> dict[str, str]:
    response = await client.post(
        f"{API}/token",
        data={
            "grant_type": "client_credentials",
            "client_id": client_id,
            "client_secret": DEFAULT_SERVICE_SECRET,
        },
    )
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class TestClientCredentials:
    async def test_wrong_or_unknown_client_is_refused(self, client: httpx.AsyncClient) -> None:
        for client_id, secret in (("learning", "wrong"), ("stranger", DEFAULT_SERVICE_SECRET)):
            response = await client.post(
                f"{API}/token",
                data={
                    "grant_type": "client_credentials",
                    "client_id": client_id,
                    "client_secret": secret,
                },
            )
            assert response.status_code == 400
            assert response.json()["type"] == "urn:eo:problem:invalid-client"
        missing = await client.post(f"{API}/token", data={"grant_type": "client_credentials"})
        assert missing.status_code == 400
        assert missing.json()["type"] == "urn:eo:problem:invalid-request"

    async def test_production_needs_configured_clients(self) -> None:
        settings = identity_settings("sqlite://", environment="production")
        assert settings.effective_service_clients == {}
        configured = identity_settings(
            "sqlite://", environment="production", service_clients={"learning": "s" * 40}
        )
        assert configured.effective_service_clients == {"learning": "s" * 40}

    async def test_service_token_reads_every_schools_feed(
        self, client: httpx.AsyncClient, school: SchoolWorld, other_school: SchoolWorld
    ) -> None:
        headers = await service_token(client)
        feed = await client.get(f"{API}/events", params={"limit": 1000}, headers=headers)
        assert feed.status_code == 200
        schools = {item["school_id"] for item in feed.json()["items"]}
        one = await client.get(
            f"{API}/events", params={"school_id": str(school.id), "limit": 1000}, headers=headers
        )
        assert {item["school_id"] for item in one.json()["items"]} <= {str(school.id)}
        assert schools >= {item["school_id"] for item in one.json()["items"]}

    async def test_service_token_is_no_person(
        self, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await service_token(client)
        for path in ("/me", "/users", "/school", "/class-groups"):
            response = await client.get(f"{API}{path}", headers=headers)
            assert response.status_code == 403, path
            assert response.json()["type"] == "urn:eo:problem:service-token-not-allowed"


class TestContactsLookup:
    async def test_returns_addresses_and_logs_the_access(
        self, identity_app: object, client: httpx.AsyncClient, school: SchoolWorld
    ) -> None:
        headers = await service_token(client)
        wanted = [school["student"].id, school["guardian"].id]
        response = await client.post(
            f"{API}/contacts/lookup",
            json={"user_ids": [str(i) for i in wanted], "purpose": "notification"},
            headers=headers,
        )
        assert response.status_code == 200, response.text
        items = {item["id"]: item for item in response.json()["items"]}
        assert set(items) == {str(i) for i in wanted}
        assert all(item["school_id"] == str(school.id) for item in items.values())
        async with identity_app.state.database.session() as session:  # type: ignore[attr-defined]
            rows = (
                (
                    await session.execute(
                        select(PersonalDataAccess).where(
                            PersonalDataAccess.resource == "contacts:notification"
                        )
                    )
                )
                .scalars()
                .all()
            )
        assert {r.subject_id for r in rows} >= set(wanted)

    async def test_bad_input(self, client: httpx.AsyncClient, school: SchoolWorld) -> None:
        headers = await service_token(client)
        for body in ({"user_ids": []}, {"user_ids": ["nope"]}, {"user_ids": [], "x": 1}):
            response = await client.post(f"{API}/contacts/lookup", json=body, headers=headers)
            assert response.status_code == 422
            assert response.headers["content-type"].startswith("application/problem+json")
