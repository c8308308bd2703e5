"""The platform assembled as in production: real tokens, real feeds, one gateway."""

from __future__ import annotations

import httpx

from tests.support.platform import Platform


async def test_people_log_in_and_services_learn_the_school_from_identity_feed(
    platform: Platform,
) -> None:
    headers = await platform.headers("demo-student")

    async def timetable() -> httpx.Response | None:
        r = await platform.gateway.get(
            "/api/v1/learning/timetable",
            params={"from": "2026-11-23", "to": "2026-11-29"},
            headers=headers,
        )
        return r if r.status_code == 200 else None

    response = await platform.wait_for(timetable, what="learning's replica of the directory")
    body = response.json()
    assert body["timezone"] == "Europe/Samara"  # the demo school's, from identity's feed
    assert body["lessons"] == []
