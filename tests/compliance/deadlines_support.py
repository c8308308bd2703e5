"""Helpers of the publication-deadline tests (CO-5)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import delete, select

from services.compliance.models import (
    ProductionCalendarYear,
    PublicationNotice,
    kernel,
)
from tests.support.service_world import World

API = "/api/v1/compliance"


def assert_problem(
    response: httpx.Response, status: int, code: str | None = None
) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = dict(response.json())
    if code is not None:
        assert body["type"] == f"urn:eo:problem:{code}", body
    assert any("а" <= ch <= "я" for ch in body.get("detail", "").lower()), body
    return body


def decision(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "dot_decision_next_year",
        "title": "Решение о применении ЭО и ДОТ в 2027/2028 учебном году",
        "decision_or_change_date": "2026-03-16",
        "academic_year": "2027/2028",
        "local_act_number": "45-о",
    }
    body.update(overrides)
    return body


def program_change(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "distance_only_program_info",
        "title": "Сведения о программе «Информатика» (только ДОТ)",
        "decision_or_change_date": "2026-04-28",
        "url": "https://school1.example.ru/sveden/education",
    }
    body.update(overrides)
    return body


async def create_notice(
    client: httpx.AsyncClient, world: World, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(f"{API}/notices", json=body, headers=world.headers("admin"))
    assert response.status_code == 201, response.text
    return dict(response.json())


async def publish(
    client: httpx.AsyncClient, world: World, notice_id: str, on: str, url: str | None = None
) -> httpx.Response:
    return await client.post(
        f"{API}/notices/{notice_id}/publication",
        json={"published_on": on, "url": url or "https://school1.example.ru/dot"},
        headers=world.headers("admin"),
    )


async def events(client: httpx.AsyncClient, world: World, types: str) -> list[dict[str, Any]]:
    response = await client.get(
        f"{API}/events", params={"types": types, "limit": 1000}, headers=world.headers("admin")
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def notices_in_db(app: FastAPI, school_id: uuid.UUID) -> list[PublicationNotice]:
    async with app.state.database.session() as session:
        stmt = select(PublicationNotice).where(PublicationNotice.school_id == school_id)
        return list((await session.execute(stmt)).scalars())


async def event_count(app: FastAPI, school_id: uuid.UUID) -> int:
    async with app.state.database.session() as session:
        stmt = select(kernel.outbox.id).where(kernel.outbox.school_id == school_id)
        return len(list((await session.execute(stmt)).scalars()))


async def forget_calendar_years(app: FastAPI, *years: int) -> None:
    """Drop years from the database: bundled ones come back as shipped on next use."""
    async with app.state.database.session() as session:
        await session.execute(
            delete(ProductionCalendarYear).where(ProductionCalendarYear.year.in_(years))
        )


@asynccontextmanager
async def calendar_restored(app: FastAPI, *years: int) -> AsyncIterator[None]:
    """The calendar is shared by every test of the session: put the years back after."""
    try:
        yield
    finally:
        await forget_calendar_years(app, *years)
