"""Norms as versioned data (CO-1): the built-in sets read through the API, a school's own
stricter sets, their versions and retirement, and the history of checks made under
them."""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.compliance.models import NormRule, NormRuleSet, NormRuleSetVersion
from tests.compliance.norms_support import API, SANPIN, assert_problem, only_rule
from tests.support.service_world import World

SCHOOL_SET = "school-eso"


def school_rule(**overrides: Any) -> dict[str, Any]:
    rule: dict[str, Any] = {
        "measure": "per_lesson",
        "device": "tablet",
        "grade_from": 5,
        "grade_to": 9,
        "limit_minutes": 15,
        "clause": "Приказ № 12 от 01.09.2026, п. 2",
    }
    rule.update(overrides)
    return rule


def school_set(*rules: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": SCHOOL_SET,
        "title": "Нормы школы: ЭСО строже СанПиН",
        "source": "Приказ директора № 12 от 01.09.2026",
        "effective_from": "2026-09-01",
        "rules": list(rules) or [school_rule()],
    }
    body.update(overrides)
    return body


async def create(client: httpx.AsyncClient, world: World, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post(f"{API}/rule-sets", json=body, headers=world.headers("admin"))
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


async def stored_sets(app: FastAPI, world: World) -> tuple[int, int, int]:
    async with app.state.database.session() as session:
        counts = []
        for model in (NormRuleSet, NormRuleSetVersion, NormRule):
            stmt = select(func.count()).select_from(model).where(model.school_id == world.school_id)
            counts.append(int((await session.execute(stmt)).scalar_one()))
    return counts[0], counts[1], counts[2]


async def events(client: httpx.AsyncClient, world: World, type_: str) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/compliance/events", params={"types": type_}, headers=world.headers("admin")
    )
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


async def lesson_check(
    client: httpx.AsyncClient, world: World, minutes: int, day: str, grade: int = 7
) -> dict[str, Any]:
    response = await client.post(
        f"{API}/checks/lesson",
        json={
            "grade": grade,
            "date": day,
            "duration_minutes": 45,
            "delivery_form": "in_person",
            "segments": [{"device": "tablet", "minutes": minutes}],
        },
        headers=world.headers("teacher"),
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


class TestBuiltInSets:
    async def test_any_user_reads_the_built_in_sets(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get(f"{API}/rule-sets", headers=world.headers("student"))
        assert response.status_code == 200
        items = response.json()["items"]
        assert [i["code"] for i in items] == [
            "polozhenie-eo-dot",
            "sanpin-1.2.3685-21",
            "sp-2.4.3648-20",
        ]
        sanpin = items[1]
        assert sanpin["built_in"] is True
        assert sanpin["kind"] == "federal"
        assert [v["version"] for v in sanpin["versions"]] == [1]
        assert sanpin["versions"][0]["effective_from"] == "2021-03-01"
        assert "28.01.2021 № 2" in sanpin["versions"][0]["source"]

    async def test_pages(self, client: httpx.AsyncClient, world: World) -> None:
        await create(client, world, school_set())
        first = await client.get(
            f"{API}/rule-sets", params={"limit": 2}, headers=world.headers("guardian")
        )
        assert [i["code"] for i in first.json()["items"]] == ["polozhenie-eo-dot", SANPIN]
        assert 'rel="next"' in first.headers["link"]
        rest = await client.get(
            f"{API}/rule-sets",
            params={"limit": 2, "cursor": first.json()["next_cursor"]},
            headers=world.headers("guardian"),
        )
        assert [i["code"] for i in rest.json()["items"]] == [SCHOOL_SET, "sp-2.4.3648-20"]
        assert rest.json()["next_cursor"] is None
        school_only = await client.get(
            f"{API}/rule-sets", params={"kind": "school"}, headers=world.headers("teacher")
        )
        assert [i["code"] for i in school_only.json()["items"]] == [SCHOOL_SET]

    async def test_a_version_lists_every_cell(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get(
            f"{API}/rule-sets/{SANPIN}/versions/1", headers=world.headers("student")
        )
        assert response.status_code == 200
        body = response.json()
        # 25 rows × (per lesson, per school day) + 12 home totals
        assert body["rule_count"] == len(body["rules"]) == 62
        rules = {r["id"]: r for r in body["rules"]}
        tablet = rules[f"{SANPIN}:per_lesson:tablet:g10-11"]
        assert (tablet["band_from"], tablet["band_to"], tablet["limit_minutes"]) == (10, 11, 20)
        assert tablet["band_label"] == "10–11 классы"
        assert rules[f"{SANPIN}:daily_school:tablet:g10-11"]["limit_minutes"] == 80
        assert rules[f"{SANPIN}:daily_home:tablet:g10-11"]["limit_minutes"] == 150
        panel = rules[f"{SANPIN}:per_lesson:interactive_panel:a5-7"]
        assert (panel["band_kind"], panel["limit_minutes"]) == ("age", 5)

    async def test_copying_norm_keeps_its_range(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get(
            f"{API}/rule-sets/sp-2.4.3648-20/versions/1", headers=world.headers("teacher")
        )
        preschool = response.json()["rules"][0]
        assert preschool["id"] == "sp-2.4.3648-20:continuous_copying:any:a5-7"
        assert (preschool["warn_above_minutes"], preschool["limit_minutes"]) == (5, 7)
        assert "п. 2.10.2" in preschool["clause"]

    @pytest.mark.parametrize(
        "path",
        ["/rule-sets/nope", "/rule-sets/nope/versions/1", f"/rule-sets/{SANPIN}/versions/2"],
    )
    async def test_unknown_is_404(self, client: httpx.AsyncClient, world: World, path: str) -> None:
        response = await client.get(API + path, headers=world.headers("admin"))
        assert response.status_code == 404

    async def test_built_in_sets_are_read_only(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        version = {k: v for k, v in school_set().items() if k not in ("code", "title")}
        response = await client.post(
            f"{API}/rule-sets/{SANPIN}/versions", json=version, headers=world.headers("admin")
        )
        assert_problem(response, 422, "rule-set-built-in")
        response = await client.post(
            f"{API}/rule-sets/{SANPIN}/versions/1/retire", json={}, headers=world.headers("admin")
        )
        assert_problem(response, 422, "rule-set-built-in")
        response = await client.post(
            f"{API}/rule-sets", json=school_set(code=SANPIN), headers=world.headers("admin")
        )
        assert_problem(response, 409, "rule-set-code-taken")


class TestSchoolSets:
    async def test_admin_creates_a_stricter_set(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        body = await create(
            client,
            world,
            school_set(
                school_rule(),
                school_rule(
                    measure="continuous",
                    device=None,
                    grade_from=10,
                    grade_to=11,
                    hour=1,
                    limit_minutes=25,
                ),
                school_rule(
                    measure="combined_daily",
                    device=None,
                    grade_from=1,
                    grade_to=11,
                    limit_minutes=150,
                ),
                school_rule(
                    measure="continuous_copying",
                    device=None,
                    grade_from=None,
                    grade_to=None,
                    age_from=5,
                    age_to=7,
                    limit_minutes=5,
                ),
            ),
        )
        assert body["code"] == SCHOOL_SET
        assert body["version"] == 1
        assert body["kind"] == "school"
        assert body["status"] == "active"
        assert body["built_in"] is False
        assert [r["id"] for r in body["rules"]] == [
            f"{SCHOOL_SET}:per_lesson:tablet:g5-9",
            f"{SCHOOL_SET}:continuous:any:g10-11:h1",
            f"{SCHOOL_SET}:combined_daily:any:g1-11",
            f"{SCHOOL_SET}:continuous_copying:any:a5-7",
        ]
        assert await stored_sets(compliance_app, world) == (1, 1, 4)

        read = await client.get(f"{API}/rule-sets/{SCHOOL_SET}", headers=world.headers("student"))
        assert read.status_code == 200
        assert [v["version"] for v in read.json()["versions"]] == [1]

        created = await events(client, world, "norm_rule_set.version_created")
        assert len(created) == 1
        payload = created[0]["payload"]
        assert payload["code"] == SCHOOL_SET
        assert payload["school_id"] == str(world.school_id)
        assert len(payload["rules"]) == 4

    async def test_another_school_does_not_see_it(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        await create(client, world, school_set())
        for path in (f"/rule-sets/{SCHOOL_SET}", f"/rule-sets/{SCHOOL_SET}/versions/1"):
            response = await client.get(API + path, headers=other_world.headers("admin"))
            assert response.status_code == 404
        listed = await client.get(f"{API}/rule-sets", headers=other_world.headers("admin"))
        assert SCHOOL_SET not in [i["code"] for i in listed.json()["items"]]
        # the same code is free in another school
        await create(client, other_world, school_set())

    @pytest.mark.parametrize(
        ("rule", "clause", "federal"),
        [
            (school_rule(device="pc", limit_minutes=31), "табл. 6.8", "не более 30 мин"),
            (
                school_rule(device="pc", grade_from=1, grade_to=11, limit_minutes=25),
                "табл. 6.8",
                "не более 20 мин",
            ),
            (
                school_rule(
                    measure="daily_school",
                    device="tablet",
                    grade_from=10,
                    grade_to=11,
                    limit_minutes=81,
                ),
                "в день в школе",
                "не более 80 мин",
            ),
            (
                school_rule(
                    measure="daily_home", device="pc", grade_from=10, grade_to=11, limit_minutes=171
                ),
                "дома",
                "не более 170 мин",
            ),
            (
                school_rule(
                    measure="continuous_copying",
                    device=None,
                    grade_from=1,
                    grade_to=4,
                    limit_minutes=11,
                ),
                "п. 2.10.2",
                "не более 10 мин",
            ),
            (
                school_rule(
                    measure="per_lesson",
                    device="interactive_panel",
                    grade_from=None,
                    grade_to=None,
                    age_from=5,
                    age_to=5,
                    limit_minutes=6,
                ),
                "табл. 6.8",
                "не более 5 мин",
            ),
        ],
    )
    async def test_a_laxer_rule_is_refused_citing_the_clause(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        rule: dict[str, Any],
        clause: str,
        federal: str,
    ) -> None:
        response = await client.post(
            f"{API}/rule-sets",
            json=school_set(school_rule(), rule),
            headers=world.headers("admin"),
        )
        body = assert_problem(response, 422, "school-rule-laxer-than-federal", clause, federal)
        assert body["errors"][0]["field"] == "body.rules.1.limit_minutes"
        assert await stored_sets(compliance_app, world) == (0, 0, 0)

    async def test_the_same_limit_as_the_federal_one_is_accepted(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        await create(client, world, school_set(school_rule(device="pc", limit_minutes=30)))

    @pytest.mark.parametrize(
        ("rule", "code"),
        [
            (school_rule(device=None), "rule-device-required"),
            (school_rule(device="projector"), "unknown-device-type"),
            (school_rule(measure="continuous"), "rule-device-not-applicable"),
            (school_rule(hour=1), "rule-hour-not-applicable"),
            (school_rule(grade_from=None, grade_to=None), "rule-band-required"),
            (school_rule(age_from=5, age_to=7), "rule-band-required"),
            (school_rule(grade_from=9, grade_to=5), "grade-out-of-range"),
            (school_rule(grade_from=0, grade_to=5), "grade-out-of-range"),
            (
                school_rule(device="pc", grade_from=None, grade_to=None, age_from=5, age_to=7),
                "device-not-allowed-for-age",
            ),
            (
                school_rule(device="tablet", grade_from=None, grade_to=None, age_from=4, age_to=7),
                "age-out-of-range",
            ),
            (
                school_rule(measure="daily_home", device="interactive_panel"),
                "home-norm-not-defined",
            ),
            (school_rule(warn_above_minutes=15), "rule-warn-threshold"),
            (
                school_rule(delivery_forms=["distance", "distance"]),
                "rule-delivery-duplicate",
            ),
            (
                school_rule(measure="daily_school", delivery_forms=["distance"]),
                "rule-delivery-not-applicable",
            ),
        ],
    )
    async def test_bad_rules_are_refused(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        rule: dict[str, Any],
        code: str,
    ) -> None:
        response = await client.post(
            f"{API}/rule-sets", json=school_set(rule), headers=world.headers("admin")
        )
        assert_problem(response, 422, code)
        assert await stored_sets(compliance_app, world) == (0, 0, 0)

    async def test_duplicate_rule_and_malformed_bodies(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.post(
            f"{API}/rule-sets",
            json=school_set(school_rule(), school_rule(limit_minutes=10)),
            headers=world.headers("admin"),
        )
        assert_problem(response, 422, "duplicate-rule")
        for body in (
            school_set(code="Не латиница"),
            school_set(rules=[]),
            school_set(effective_to="2026-08-01"),
            {**school_set(), "extra": 1},
            school_set(school_rule(measure="per_week")),
            school_set(school_rule(limit_minutes=-1)),
        ):
            response = await client.post(
                f"{API}/rule-sets", json=body, headers=world.headers("admin")
            )
            assert_problem(response, 422, "validation-error")

    async def test_codes_are_unique_in_a_school(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        await create(client, world, school_set())
        response = await client.post(
            f"{API}/rule-sets", json=school_set(), headers=world.headers("admin")
        )
        assert_problem(response, 409, "rule-set-code-taken")


def _version(**overrides: Any) -> dict[str, Any]:
    body = {k: v for k, v in school_set().items() if k not in ("code", "title")}
    body.update(overrides)
    return body


class TestVersions:
    async def test_overlapping_versions_are_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        await create(client, world, school_set())
        response = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions",
            json=_version(effective_from="2027-01-01"),
            headers=world.headers("admin"),
        )
        assert_problem(response, 409, "rule-set-versions-overlap", "версией 1")
        assert await stored_sets(compliance_app, world) == (1, 1, 1)

    async def test_retire_then_a_new_version(self, client: httpx.AsyncClient, world: World) -> None:
        await create(client, world, school_set())
        retired = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions/1/retire",
            json={"effective_to": "2026-12-31", "reason": "Новый приказ"},
            headers=world.headers("admin"),
        )
        assert retired.status_code == 200, retired.text
        assert retired.json()["status"] == "retired"
        assert retired.json()["effective_to"] == "2026-12-31"
        assert retired.json()["retire_reason"] == "Новый приказ"

        overlap = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions",
            json=_version(effective_from="2026-12-31"),
            headers=world.headers("admin"),
        )
        assert_problem(overlap, 409, "rule-set-versions-overlap")
        second = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions",
            json=_version(effective_from="2027-01-01", rules=[school_rule(limit_minutes=12)]),
            headers=world.headers("admin"),
        )
        assert second.status_code == 201, second.text
        assert second.json()["version"] == 2

        again = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions/1/retire",
            json={},
            headers=world.headers("admin"),
        )
        assert_problem(again, 409, "rule-set-version-retired")
        listing = await client.get(f"{API}/rule-sets/{SCHOOL_SET}", headers=world.headers("staff"))
        assert [(v["version"], v["status"]) for v in listing.json()["versions"]] == [
            (1, "retired"),
            (2, "active"),
        ]
        retired_events = await events(client, world, "norm_rule_set.version_retired")
        assert [e["payload"]["version"] for e in retired_events] == [1]

    async def test_retire_defaults_to_today_and_checks_dates(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        await create(client, world, school_set(effective_to="2030-06-30"))
        too_early = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions/1/retire",
            json={"effective_to": "2026-08-01"},
            headers=world.headers("admin"),
        )
        assert_problem(too_early, 422, "retire-before-start")
        too_late = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions/1/retire",
            json={"effective_to": "2031-01-01"},
            headers=world.headers("admin"),
        )
        assert_problem(too_late, 422, "retire-after-end")
        missing = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions/7/retire",
            json={},
            headers=world.headers("admin"),
        )
        assert missing.status_code == 404
        done = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions/1/retire",
            json={},
            headers=world.headers("admin"),
        )
        assert done.status_code == 200
        assert date.fromisoformat(done.json()["effective_to"]) <= date(2030, 6, 30)
        assert done.json()["effective_to"] >= "2026-09-01"


class TestChecksUnderSchoolSets:
    async def test_history_survives_retirement(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        await create(client, world, school_set())
        rule_id = f"{SCHOOL_SET}:per_lesson:tablet:g5-9"
        before = await lesson_check(client, world, 16, "2026-10-01")
        violation = only_rule(before, rule_id)
        assert (violation["set_code"], violation["set_version"]) == (SCHOOL_SET, 1)
        assert violation["set_kind"] == "school"
        assert violation["clause"] == "Приказ № 12 от 01.09.2026, п. 2"
        assert (violation["limit"], violation["actual"]) == (15, 16)
        assert SCHOOL_SET in [s["code"] for s in before["rule_sets"]]
        # the federal limit (20) is not reached: only the school's rule speaks
        assert (await lesson_check(client, world, 15, "2026-10-01"))["status"] == "passed"

        retired = await client.post(
            f"{API}/rule-sets/{SCHOOL_SET}/versions/1/retire",
            json={"effective_to": "2026-10-31"},
            headers=world.headers("admin"),
        )
        assert retired.status_code == 200
        after = await lesson_check(client, world, 16, "2026-11-02")
        assert after["status"] == "passed"
        assert SCHOOL_SET not in [s["code"] for s in after["rule_sets"]]
        # days inside the retired version's period are still judged by it
        still = await lesson_check(client, world, 16, "2026-10-15")
        only_rule(still, rule_id)

        run = await client.get(f"{API}/checks/{before['check_id']}", headers=world.headers("admin"))
        assert run.status_code == 200
        stored = run.json()
        assert stored["violations"][0]["rule_id"] == rule_id
        assert {"code": SCHOOL_SET, "version": 1} in [
            {"code": s["code"], "version": s["version"]} for s in stored["rule_sets"]
        ]

    async def test_every_set_in_force_speaks(self, client: httpx.AsyncClient, world: World) -> None:
        await create(client, world, school_set())
        result = await lesson_check(client, world, 21, "2026-10-01")
        found = {(v["set_code"], v["limit"]) for v in result["violations"]}
        # the school's 15, table 6.8's 20 and §5.11's 20 continuous minutes (grade 7)
        assert found == {(SCHOOL_SET, 15), (SANPIN, 20), ("polozhenie-eo-dot", 20)}

    async def test_a_combined_daily_rule_and_a_rule_for_distance_lessons(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        await create(
            client,
            world,
            school_set(
                school_rule(
                    measure="combined_daily",
                    device=None,
                    grade_from=5,
                    grade_to=9,
                    limit_minutes=50,
                ),
                school_rule(device="pc", limit_minutes=10, delivery_forms=["distance"]),
            ),
        )

        def plan(delivery: str, pc: int) -> dict[str, Any]:
            return {
                "duration_minutes": 30 if delivery == "distance" else 45,
                "delivery_form": delivery,
                "segments": [
                    {"device": "pc", "minutes": pc, "start_minute": 0},
                    {"device": "tablet", "minutes": 10, "start_minute": pc + 2},
                ],
            }

        day = await client.post(
            f"{API}/checks/class-day",
            json={
                "grade": 6,
                "date": "2026-10-05",
                "lessons": [plan("in_person", 15), plan("distance", 11), plan("in_person", 5)],
            },
            headers=world.headers("teacher"),
        )
        assert day.status_code == 200, day.text
        found = {(v["rule_id"], v["lesson_index"], v["actual"]) for v in day.json()["violations"]}
        assert found == {
            (f"{SCHOOL_SET}:per_lesson:pc:g5-9:distance", 1, 11),
            (f"{SCHOOL_SET}:combined_daily:any:g5-9", None, 61),
        }

    async def test_applicable_rules(self, client: httpx.AsyncClient, world: World) -> None:
        await create(client, world, school_set())
        response = await client.get(
            f"{API}/applicable-rules",
            params={"grade": 7, "on": "2026-10-01"},
            headers=world.headers("student"),
        )
        assert response.status_code == 200, response.text
        rules = {(r["set_code"], r["id"]) for r in response.json()["rules"]}
        assert (SANPIN, f"{SANPIN}:per_lesson:tablet:g5-9") in rules
        assert (SCHOOL_SET, f"{SCHOOL_SET}:per_lesson:tablet:g5-9") in rules
        assert ("polozhenie-eo-dot", "polozhenie-eo-dot:continuous:any:g5-7") in rules
        before = await client.get(
            f"{API}/applicable-rules",
            params={"grade": 7, "on": "2026-08-31"},
            headers=world.headers("student"),
        )
        assert SCHOOL_SET not in {r["set_code"] for r in before.json()["rules"]}
        preschool = await client.get(
            f"{API}/applicable-rules", params={"age": 5}, headers=world.headers("teacher")
        )
        devices = {r["device"] for r in preschool.json()["rules"] if r["device"]}
        assert devices == {"interactive_whiteboard", "interactive_panel"}
        bad = await client.get(
            f"{API}/applicable-rules", params={"grade": 12}, headers=world.headers("teacher")
        )
        assert_problem(bad, 422, "grade-out-of-range", "табл. 6.8")
