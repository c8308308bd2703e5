"""A compact way to write access tests for learning, journal and compliance.

``await expect(client, "GET", url, world, other, {"anonymous": 401, "student": 200,
"other:admin": 404, ...})`` calls the URL once per caller (``other:`` is the same role
in another school) and reports every cell that differs, with the body.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import httpx

from tests.support.service_world import World

Body = Mapping[str, Any] | Callable[[str], Mapping[str, Any] | None] | None


async def expect(
    client: httpx.AsyncClient,
    method: str,
    url: str,
    world: World,
    other: World,
    cells: Mapping[str, int | set[int]],
    *,
    json: Body = None,
    params: Mapping[str, Any] | None = None,
) -> None:
    mismatches: list[str] = []
    for caller, wanted in cells.items():
        who, name = (
            (other, caller.split(":", 1)[1])
            if caller.startswith("other:")
            else (
                world,
                caller,
            )
        )
        body = json(caller) if callable(json) else json
        response = await client.request(
            method, url, json=body, params=params, headers=who.headers(name)
        )
        ok = (
            response.status_code in wanted
            if isinstance(wanted, set)
            else (response.status_code == wanted)
        )
        if not ok:
            mismatches.append(
                f"{caller:16} expected {wanted}, got {response.status_code}: {response.text[:300]}"
            )
        if response.status_code >= 400:
            assert response.headers["content-type"].startswith("application/problem+json")
    assert not mismatches, f"{method} {url}\n" + "\n".join(mismatches)
