"""Learning's replica of identity's directory: filled from identity's change feed with a
service token, applied once even when the feed is replayed."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.common.directory import Directory
from services.learning.models import consumer, directory
from tests.identity.conftest import bearer, identity_settings
from tests.identity.factories import make_school
from tests.support.databases import fresh_migrated_url
from tests.support.service_world import World


@pytest.fixture(scope="session")
def identity_url(db_backend: str) -> str:
    # identity's feed read whole: a database of its own, without other tests' events
    return fresh_migrated_url("identity", db_backend)


@pytest.fixture
async def identity(identity_url: str) -> AsyncIterator[FastAPI]:
    from services.identity.app import create_app

    app = create_app(identity_settings(identity_url))
    async with app.router.lifespan_context(app):
        yield app


async def connect(learning: FastAPI, identity: FastAPI) -> httpx.AsyncClient:
    """Point learning's outgoing HTTP (token and feed) at the in-process identity app."""
    http = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=identity), base_url="http://127.0.0.1:8001"
    )
    learning.state.service_tokens.http = http
    learning.state.consumers["identity"].http = http
    return http


async def test_service_token_reads_every_school(identity: FastAPI) -> None:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=identity), base_url="http://identity.test"
    ) as client:
        bad = await client.post(
            "/api/v1/identity/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "learning",
                "client_secret": "wrong",
            },
        )
        assert bad.status_code == 400
        assert bad.json()["type"] == "urn:eo:problem:invalid-client"
        good = await client.post(
            "/api/v1/identity/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "learning",
                "client_secret": "dev-service-secret-change-me",
            },
        )
        assert good.status_code == 200, good.text
        token = good.json()["access_token"]
        assert good.json()["refresh_token"] is None
        headers = {"Authorization": f"Bearer {token}"}
        feed = await client.get("/api/v1/identity/events", headers=headers)
        assert feed.status_code == 200
        # a service token is no person: the people endpoints refuse it
        users = await client.get("/api/v1/identity/users", headers=headers)
        assert users.status_code == 403


async def test_learning_replicates_identity(identity: FastAPI, learning_app: FastAPI) -> None:
    world = await make_school(identity)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=identity), base_url="http://identity.test"
    ) as client:
        admin = await bearer(client, world["admin"].username)
        created = await client.post(
            "/api/v1/identity/users",
            headers=admin,
            json={
                "username": f"u{uuid.uuid4().hex[:8]}",
                "last_name": "Новикова",
                "first_name": "Вера",
                "roles": ["student"],
                "birth_date": "2012-03-04",
            },
        )
        assert created.status_code == 201, created.text
        new_id = uuid.UUID(
            created.json()["user"]["id"] if "user" in created.json() else created.json()["id"]
        )
    http = await connect(learning_app, identity)
    try:
        feed = learning_app.state.consumers["identity"]
        applied = await feed.poll_once()
        assert applied >= 1
        async with learning_app.state.database.session() as session:
            person = await Directory(session, directory).person(world.id, new_id)
            assert person is not None
            assert person.last_name == "Новикова"
            assert person.birth_date.isoformat() == "2012-03-04"
            inbox = (
                await session.execute(select(func.count()).select_from(consumer.inbox))
            ).scalar()
        # the cursor is forgotten: the whole feed is read again and nothing applied twice
        async with learning_app.state.database.session() as session:
            row = await session.get(consumer.cursor, "identity")
            await session.delete(row)
            await session.commit()
        assert await feed.poll_once() == 0
        async with learning_app.state.database.session() as session:
            again = (
                await session.execute(select(func.count()).select_from(consumer.inbox))
            ).scalar()
        assert again == inbox
    finally:
        await http.aclose()


async def test_world_seeding(learning_app: FastAPI, world: World) -> None:
    async with learning_app.state.database.session() as session:
        d = Directory(session, directory)
        assert await d.students_of(world.school_id, [world.class_id("7Б")]) == {
            world.id("student"),
            world.id("student2"),
        }
        assert await d.children_of(world.school_id, world.id("guardian")) == {world.id("student")}
        assert str(await d.timezone(world.school_id)) == "Europe/Samara"
        teacher = await d.person(world.school_id, world.id("teacher"))
        assert teacher.is_trained_for_dot(await d.today(world.school_id))
