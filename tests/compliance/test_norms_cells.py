"""Every cell of the norms through the API (CO-1, CO-2): at the limit a plan passes, one
minute over it fails with one violation naming the rule, its set and version, the
clause, the limit, the actual figure, the unit and the severity.

Cells: §5.10 (СанПиН 1.2.3685-21, table 6.8) per lesson and per school day for every
device and band, the same table's home totals, СП 2.4.3648-20 п. 2.10.2 (copying from
the screen) and the regulation's §5.11 (continuous screen work, distance lesson).
Each band is tried at its lowest and highest grade or age.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.compliance.norms_support import (
    API,
    HOME_CELLS,
    REGULATION,
    SANPIN,
    SCHOOL_CELLS,
    SP,
    assert_violation,
    band_key,
    chunks,
    day_of,
    only_rule,
    spread_lesson,
    subject,
)
from tests.support.service_world import World


def _edges(lo: int, hi: int) -> list[int]:
    return sorted({lo, hi})


SCHOOL_CASES = [
    pytest.param(device, kind, lo, hi, value, lesson, day, id=f"{device}-{kind}{value}")
    for device, kind, lo, hi, lesson, day in SCHOOL_CELLS
    for value in _edges(lo, hi)
]
HOME_CASES = [
    pytest.param(device, lo, hi, value, minutes, id=f"{device}-grade{value}")
    for device, lo, hi, minutes in HOME_CELLS
    for value in _edges(lo, hi)
]


async def _check(
    client: httpx.AsyncClient, world: World, what: str, body: dict[str, Any]
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/checks/{what}", json=body, headers=world.headers("teacher")
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


@pytest.mark.parametrize(("device", "kind", "lo", "hi", "value", "lesson", "day"), SCHOOL_CASES)
class TestTable68School:
    async def test_per_lesson(
        self,
        client: httpx.AsyncClient,
        world: World,
        device: str,
        kind: str,
        lo: int,
        hi: int,
        value: int,
        lesson: int,
        day: int,
    ) -> None:
        at = await _check(
            client, world, "lesson", {**subject(kind, value), **spread_lesson(device, lesson)}
        )
        assert at["status"] == "passed", at["violations"]
        assert at["totals"]["school"] == {device: lesson}

        over = await _check(
            client, world, "lesson", {**subject(kind, value), **spread_lesson(device, lesson + 1)}
        )
        assert over["status"] == "blocked"
        assert over["blocking"] is True
        rule_id = f"{SANPIN}:per_lesson:{device}:{band_key(kind, lo, hi)}"
        assert_violation(
            only_rule(over, rule_id),
            rule_id=rule_id,
            set_code=SANPIN,
            clause_part="табл. 6.8",
            limit=lesson,
            actual=lesson + 1,
            device=device,
        )

    async def test_per_school_day(
        self,
        client: httpx.AsyncClient,
        world: World,
        device: str,
        kind: str,
        lo: int,
        hi: int,
        value: int,
        lesson: int,
        day: int,
    ) -> None:
        at = await _check(
            client,
            world,
            "class-day",
            {**subject(kind, value), "lessons": day_of(device, day, lesson)},
        )
        assert at["status"] == "passed", at["violations"]
        assert at["totals"]["school"] == {device: day}

        over = await _check(
            client,
            world,
            "class-day",
            {**subject(kind, value), "lessons": day_of(device, day + 1, lesson)},
        )
        rule_id = f"{SANPIN}:daily_school:{device}:{band_key(kind, lo, hi)}"
        v = only_rule(over, rule_id)
        assert_violation(
            v,
            rule_id=rule_id,
            set_code=SANPIN,
            clause_part="в день в школе",
            limit=day,
            actual=day + 1,
            device=device,
        )
        assert v["lesson_index"] is None


@pytest.mark.parametrize(("device", "lo", "hi", "value", "minutes"), HOME_CASES)
async def test_per_day_at_home(
    client: httpx.AsyncClient,
    world: World,
    device: str,
    lo: int,
    hi: int,
    value: int,
    minutes: int,
) -> None:
    at = await _check(
        client,
        world,
        "student-day",
        {"grade": value, "home": [{"device": device, "minutes": minutes, "ref": "hw-1"}]},
    )
    assert at["status"] == "passed", at["violations"]
    assert at["totals"]["home"] == {device: minutes}

    over = await _check(
        client,
        world,
        "student-day",
        {
            "grade": value,
            "home": [
                {"device": device, "minutes": minutes - 10},
                {"device": device, "minutes": 11},
            ],
        },
    )
    rule_id = f"{SANPIN}:daily_home:{device}:g{lo}-{hi}"
    assert_violation(
        only_rule(over, rule_id),
        rule_id=rule_id,
        set_code=SANPIN,
        clause_part="дома",
        limit=minutes,
        actual=minutes + 1,
        device=device,
    )


def _copying(devices: list[tuple[str, int]]) -> list[dict[str, Any]]:
    return [{"device": d, "minutes": m, "kind": "copying"} for d, m in devices]


class TestCopyingFromTheScreen:
    """СП 2.4.3648-20, п. 2.10.2: 5–7 min (5–7 years), 10 (grades 1–4), 15 (grades 5–9)."""

    @pytest.mark.parametrize("age", [5, 6, 7])
    async def test_preschool_range(self, client: httpx.AsyncClient, world: World, age: int) -> None:
        rule_id = f"{SP}:continuous_copying:any:a5-7"

        def plan(board: int, panel: int) -> dict[str, Any]:
            # two devices so that neither reaches its own per-lesson limit (7 and 5)
            return {
                "age": age,
                "duration_minutes": 30,
                "delivery_form": "in_person",
                "segments": _copying(
                    [("interactive_whiteboard", board), ("interactive_panel", panel)]
                ),
            }

        passed = await _check(client, world, "lesson", plan(3, 2))
        assert passed["status"] == "passed", passed["violations"]

        for board, panel in ((3, 3), (4, 3)):  # 6 and 7 minutes: over 5, not over 7
            warned = await _check(client, world, "lesson", plan(board, panel))
            assert warned["status"] == "warned"
            assert warned["blocking"] is False
            assert_violation(
                only_rule(warned, rule_id),
                rule_id=rule_id,
                set_code=SP,
                clause_part="п. 2.10.2",
                limit=5,
                actual=board + panel,
                severity="warn",
            )

        blocked = await _check(client, world, "lesson", plan(4, 4))
        assert blocked["status"] == "blocked"
        assert_violation(
            only_rule(blocked, rule_id),
            rule_id=rule_id,
            set_code=SP,
            clause_part="п. 2.10.2",
            limit=7,
            actual=8,
        )

    @pytest.mark.parametrize(
        ("grade", "band", "limit"),
        [(1, "g1-4", 10), (4, "g1-4", 10), (5, "g5-9", 15), (9, "g5-9", 15)],
    )
    async def test_school_grades(
        self, client: httpx.AsyncClient, world: World, grade: int, band: str, limit: int
    ) -> None:
        def plan(minutes: int) -> dict[str, Any]:
            return {
                "grade": grade,
                "duration_minutes": 45,
                "delivery_form": "in_person",
                "segments": _copying([("pc", minutes)]),
            }

        at = await _check(client, world, "lesson", plan(limit))
        assert at["status"] == "passed", at["violations"]
        rule_id = f"{SP}:continuous_copying:any:{band}"
        over = await _check(client, world, "lesson", plan(limit + 1))
        assert_violation(
            only_rule(over, rule_id),
            rule_id=rule_id,
            set_code=SP,
            clause_part="п. 2.10.2",
            limit=limit,
            actual=limit + 1,
        )

    async def test_grades_10_11_have_no_copying_norm(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = {
            "grade": 10,
            "lesson_number": 1,
            "duration_minutes": 45,
            "delivery_form": "in_person",
            "segments": _copying([("pc", 20)]),
        }
        assert (await _check(client, world, "lesson", body))["status"] == "passed"

    async def test_a_pause_or_other_work_breaks_the_stretch(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        viewing_between = {
            "grade": 3,
            "duration_minutes": 45,
            "delivery_form": "in_person",
            "segments": [
                {"device": "pc", "minutes": 8, "kind": "copying"},
                {"device": "pc", "minutes": 2, "kind": "viewing"},
                {"device": "pc", "minutes": 8, "kind": "copying"},
            ],
        }
        result = await _check(client, world, "lesson", viewing_between)
        assert result["status"] == "passed", result["violations"]
        segments, _ = chunks("laptop", 18, kind="copying", size=9)
        paused = {
            "grade": 3,
            "duration_minutes": 45,
            "delivery_form": "in_person",
            "segments": segments,
        }
        assert (await _check(client, world, "lesson", paused))["status"] == "passed"
        back_to_back = {**paused, "segments": [{**s, "start_minute": None} for s in segments]}
        over = await _check(client, world, "lesson", back_to_back)
        assert only_rule(over, f"{SP}:continuous_copying:any:g1-4")["actual"] == 18


class TestRegulation511:
    """Положение, п. 5.11: continuous screen work and the 30-minute distance lesson."""

    @pytest.mark.parametrize(
        ("grade", "number", "band", "limit"),
        [
            (5, None, "g5-7", 20),
            (7, None, "g5-7", 20),
            (8, None, "g8-9", 25),
            (9, None, "g8-9", 25),
            (10, 1, "g10-11:h1", 30),
            (11, 1, "g10-11:h1", 30),
            (10, 2, "g10-11:h2", 20),
            (11, 3, "g10-11:h2", 20),
        ],
    )
    async def test_continuous_screen_work(
        self,
        client: httpx.AsyncClient,
        world: World,
        grade: int,
        number: int | None,
        band: str,
        limit: int,
    ) -> None:
        def plan(minutes: int) -> dict[str, Any]:
            # a PC allows 30 (grades 5–9) and 35 (10–11) minutes per lesson
            return {
                "grade": grade,
                "lesson_number": number,
                "duration_minutes": 45,
                "delivery_form": "e_learning",
                "segments": [
                    {"device": "pc", "minutes": minutes - 5},
                    {"device": "laptop", "minutes": 5, "kind": "interactive"},
                ],
            }

        at = await _check(client, world, "lesson", plan(limit))
        assert at["status"] == "passed", at["violations"]
        rule_id = f"{REGULATION}:continuous:any:{band}"
        over = await _check(client, world, "lesson", plan(limit + 1))
        assert_violation(
            only_rule(over, rule_id),
            rule_id=rule_id,
            set_code=REGULATION,
            clause_part="п. 5.11",
            limit=limit,
            actual=limit + 1,
        )

    @pytest.mark.parametrize("grade", [5, 11])
    async def test_distance_lesson_lasts_30_minutes(
        self, client: httpx.AsyncClient, world: World, grade: int
    ) -> None:
        def plan(duration: int, delivery: str = "distance") -> dict[str, Any]:
            return {
                "grade": grade,
                "lesson_number": 1,
                "duration_minutes": duration,
                "delivery_form": delivery,
                "segments": [],
            }

        assert (await _check(client, world, "lesson", plan(30)))["status"] == "passed"
        assert (await _check(client, world, "lesson", plan(45, "in_person")))["status"] == "passed"
        rule_id = f"{REGULATION}:lesson_duration:any:g5-11:distance"
        over = await _check(client, world, "lesson", plan(31))
        assert_violation(
            only_rule(over, rule_id),
            rule_id=rule_id,
            set_code=REGULATION,
            clause_part="п. 5.11",
            limit=30,
            actual=31,
        )

    async def test_grades_1_4_have_no_distance_duration_rule(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = {"grade": 4, "duration_minutes": 40, "delivery_form": "distance", "segments": []}
        assert (await _check(client, world, "lesson", body))["status"] == "passed"
