"""Access to the portfolio (JO-7): every role, own and other child, own and other class,
own and other school."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.access_check import expect
from tests.support.service_world import World

API = "/api/v1/journal"

COVERED: set[str] = {
    "journal_create_portfolio_item",
    "journal_get_student_portfolio",
    "journal_export_student_portfolio_pdf",
    "journal_list_portfolio_items",
    "journal_get_portfolio_item",
    "journal_confirm_portfolio_item",
    "journal_reject_portfolio_item",
}

ITEM: dict[str, Any] = {"kind": "competency", "title": "Публичное выступление"}

# the portfolio of "student" (7Б, homeroom "teacher", guardian "guardian")
READS = {
    "anonymous": 401,
    "student": 200,
    "student2": 404,
    "student3": 404,
    "guardian": 200,
    "guardian2": 404,
    "teacher": 200,
    "teacher2": 403,
    "staff": 200,
    "admin": 200,
    "other:admin": 404,
    "other:staff": 404,
    "other:teacher": 404,
    "other:student": 404,
    "other:guardian": 404,
}
# who decides: staff, admins and the homeroom teacher (each tried on a fresh item)
DECIDERS = ("teacher", "staff", "admin")
NOT_DECIDERS = {
    "anonymous": 401,
    "student": 403,
    "guardian": 403,
    "student2": 404,
    "guardian2": 404,
    "teacher2": 403,
    "other:admin": 404,
    "other:teacher": 404,
    "other:student": 404,
}


async def proposed(client: httpx.AsyncClient, world: World) -> str:
    r = await client.post(
        f"{API}/students/{world.id('student')}/portfolio/items",
        json=ITEM,
        headers=world.headers("student"),
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


async def test_create(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    url = f"{API}/students/{world.id('student')}/portfolio/items"
    await expect(
        client,
        "POST",
        url,
        world,
        other_world,
        {**READS, "student": 201, "guardian": 201, "teacher": 201, "staff": 201, "admin": 201},
        json=ITEM,
    )


async def test_read_portfolio_and_pdf(
    client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    sid = world.id("student")
    await expect(client, "GET", f"{API}/students/{sid}/portfolio", world, other_world, READS)
    await expect(client, "GET", f"{API}/students/{sid}/portfolio.pdf", world, other_world, READS)


async def test_read_item(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    item = await proposed(client, world)
    await expect(client, "GET", f"{API}/portfolio-items/{item}", world, other_world, READS)


async def test_confirm_and_reject(
    client: httpx.AsyncClient, world: World, other_world: World
) -> None:
    for action, body in (("confirm", None), ("reject", {"reason": "Нет подтверждения"})):
        item = await proposed(client, world)
        url = f"{API}/portfolio-items/{item}/{action}"
        await expect(client, "POST", url, world, other_world, NOT_DECIDERS, json=body)
        for who in DECIDERS:
            fresh = await proposed(client, world)
            await expect(
                client,
                "POST",
                f"{API}/portfolio-items/{fresh}/{action}",
                world,
                other_world,
                {who: 200},
                json=body,
            )


async def test_review_queue(client: httpx.AsyncClient, world: World, other_world: World) -> None:
    item = await proposed(client, world)
    await expect(
        client,
        "GET",
        f"{API}/portfolio-items",
        world,
        other_world,
        {
            "anonymous": 401,
            "student": 403,
            "guardian": 403,
            "teacher": 200,
            "teacher2": 200,
            "staff": 200,
            "admin": 200,
            "other:admin": 200,
        },
    )
    theirs = await client.get(f"{API}/portfolio-items", headers=other_world.headers("admin"))
    assert item not in {i["id"] for i in theirs.json()["items"]}
    homeroom_3a = await client.get(f"{API}/portfolio-items", headers=world.headers("teacher2"))
    assert homeroom_3a.json()["items"] == []
