"""Publication notices and their deadlines (CO-5; §4.5, §4.6; 273-ФЗ ст. 29 ч. 3)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import httpx
from fastapi import FastAPI

from tests.compliance.deadlines_support import (
    API,
    assert_problem,
    create_notice,
    decision,
    event_count,
    events,
    notices_in_db,
    program_change,
    publish,
)
from tests.support.service_world import World


class TestCreateNotice:
    async def test_decision_about_next_year_is_due_on_1_may_which_does_not_move(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = await create_notice(
            client,
            world,
            decision(
                decision_or_change_date="2026-03-16",
                academic_year="2026/2027",
                title="Решение о применении ЭО и ДОТ в 2026/2027 учебном году",
            ),
        )
        # 1 May 2026 is a Friday and a public holiday: the calendar date stays the deadline
        assert body["deadline"] == "2026-05-01"
        assert "не переносится" in body["deadline_rule"]
        assert "2025/2026" in body["deadline_rule"]
        assert body["legal_basis"].startswith("§4.5")
        # five working days before 1 May: 30, 29, 28, 27, 24 April
        assert body["due_soon_from"] == "2026-04-24"
        assert body["published_on"] is None
        assert body["local_act_number"] == "45-о"

        created = await events(client, world, "compliance_notice.created")
        assert [e["aggregate_id"] for e in created] == [body["id"]]
        payload = created[0]["payload"]
        assert payload == {
            "id": body["id"],
            "school_id": str(world.school_id),
            "kind": "dot_decision_next_year",
            "title": "Решение о применении ЭО и ДОТ в 2026/2027 учебном году",
            "decision_or_change_date": "2026-03-16",
            "academic_year": "2026/2027",
            "local_act_number": "45-о",
            "notes": None,
            "url": None,
            "published_on": None,
            "deadline": "2026-05-01",
            "due_soon_from": "2026-04-24",
            "legal_basis": body["legal_basis"],
            "published_on_time": None,
        }
        assert created[0]["aggregate_type"] == "compliance_notice"

    async def test_program_information_is_due_in_10_working_days_across_may_holidays(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        """The deadline calendar across May holidays: 28 April 2026 → 14 May 2026."""
        body = await create_notice(client, world, program_change())
        # 29, 30 Apr; 4–8 May; 12, 13, 14 May — 1–3 and 9–11 May are not working days
        assert body["deadline"] == "2026-05-14"
        assert body["due_soon_from"] == "2026-05-06"
        assert "10 рабочих дней" in body["deadline_rule"]
        assert "ч. 3 ст. 29" in body["legal_basis"]
        assert body["academic_year"] is None

    async def test_across_new_year_and_a_working_saturday(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        new_year = await create_notice(
            client, world, program_change(decision_or_change_date="2025-12-25")
        )
        assert new_year["deadline"] == "2026-01-20"
        saturday = await create_notice(
            client, world, program_change(decision_or_change_date="2025-10-27")
        )
        assert saturday["deadline"] == "2025-11-11"

    async def test_bad_input_is_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        headers = world.headers("admin")
        cases: list[dict[str, Any]] = [
            program_change(kind="opt_out_notice"),
            program_change(url="http://school1.example.ru/sveden"),
            program_change(url="ftp://school1.example.ru/sveden"),
            program_change(url="https://user:secret@school1.example.ru/x"),
            program_change(url="https://school1.example.ru/a b"),
            program_change(url="javascript:alert(1)"),
            program_change(url="https://localhost/x"),
            program_change(title=""),
            program_change(title="Сведения\x00"),
            program_change(decision_or_change_date="28.04.2026"),
            program_change(unexpected=True),
            decision(academic_year=None),
            decision(academic_year="2026-2027"),
            decision(academic_year="2026/2028"),
            {"kind": "distance_only_program_info", "title": "Без даты"},
        ]
        for body in cases:
            response = await client.post(f"{API}/notices", json=body, headers=headers)
            problem = assert_problem(response, 422, "validation-error")
            assert problem["errors"], body
        assert await notices_in_db(compliance_app, world.school_id) == []
        assert await event_count(compliance_app, world.school_id) == 0

    async def test_dates_outside_the_loaded_calendar_are_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        headers = world.headers("admin")
        cases = [
            (program_change(decision_or_change_date="2024-12-20"), 2024),
            # 10 working days after 20 December 2027 end in 2028
            (program_change(decision_or_change_date="2027-12-20"), 2028),
            # a decision about 2029/2030 is due on 1 May 2029
            (decision(decision_or_change_date="2026-01-12", academic_year="2029/2030"), 2028),
        ]
        for body, year in cases:
            response = await client.post(f"{API}/notices", json=body, headers=headers)
            problem = assert_problem(response, 422, "production-calendar-year-missing")
            assert problem["missing_year"] == year
            assert f"на {year} год не загружен" in problem["detail"]
        assert await notices_in_db(compliance_app, world.school_id) == []

    async def test_a_decision_is_taken_before_the_year_it_is_about(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        response = await client.post(
            f"{API}/notices",
            json=decision(decision_or_change_date="2026-09-01", academic_year="2026/2027"),
            headers=world.headers("admin"),
        )
        assert_problem(response, 422, "academic-year-not-next")
        assert await notices_in_db(compliance_app, world.school_id) == []
        # a late decision (after 1 May, before September) is accepted, and is late
        late = await create_notice(
            client,
            world,
            decision(decision_or_change_date="2026-06-10", academic_year="2026/2027"),
        )
        assert late["deadline"] == "2026-05-01"
        assert late["due_soon_from"] == "2026-06-11"
        got = await client.get(
            f"{API}/notices/{late['id']}",
            params={"as_of": "2026-06-10"},
            headers=world.headers("admin"),
        )
        assert got.json()["state"] == "late"


class TestPublication:
    async def test_published_on_time_and_late(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        on_time = await create_notice(client, world, program_change())
        response = await publish(
            client, world, on_time["id"], "2026-05-14", "https://school1.example.ru/sveden/dot"
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["published_on"], body["url"], body["state"]) == (
            "2026-05-14",
            "https://school1.example.ru/sveden/dot",
            "published_on_time",
        )
        late = await create_notice(client, world, program_change())
        response = await publish(client, world, late["id"], "2026-05-15")
        assert response.json()["state"] == "published_late"

        published = await events(client, world, "compliance_notice.published")
        by_id = {e["aggregate_id"]: e["payload"] for e in published}
        assert by_id[on_time["id"]]["published_on_time"] is True
        assert by_id[on_time["id"]]["url"] == "https://school1.example.ru/sveden/dot"
        assert by_id[late["id"]]["published_on_time"] is False
        assert by_id[late["id"]]["deadline"] == "2026-05-14"

    async def test_decision_published_after_the_1_may_holiday_is_late(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        body = decision(decision_or_change_date="2026-03-16", academic_year="2026/2027")
        before = await create_notice(client, world, body)
        after = await create_notice(client, world, body)
        response = await publish(client, world, before["id"], "2026-04-30")
        assert response.json()["state"] == "published_on_time"
        # 1–3 May are days off; the first working day after them is already late
        response = await publish(client, world, after["id"], "2026-05-04")
        assert response.json()["state"] == "published_late"

    async def test_publication_before_the_decision_is_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        response = await publish(client, world, notice["id"], "2026-04-27")
        problem = assert_problem(response, 422, "publication-before-decision")
        assert "28.04.2026" in problem["detail"]
        # the same day as the change is fine
        assert (await publish(client, world, notice["id"], "2026-04-28")).status_code == 200
        stored = await notices_in_db(compliance_app, world.school_id)
        assert [n.published_on for n in stored] == [date(2026, 4, 28)]

    async def test_publication_in_the_future_is_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        future = (date.today() + timedelta(days=3)).isoformat()
        response = await publish(client, world, notice["id"], future)
        assert_problem(response, 422, "publication-in-future")
        stored = await notices_in_db(compliance_app, world.school_id)
        assert stored[0].published_on is None
        assert stored[0].published_by is None

    async def test_bad_publication_input(self, client: httpx.AsyncClient, world: World) -> None:
        notice = await create_notice(client, world, program_change())
        headers = world.headers("admin")
        for body in (
            {"published_on": "2026-05-05", "url": "http://school1.example.ru/x"},
            {"published_on": "2026-05-05"},
            {"url": "https://school1.example.ru/x"},
            {"published_on": "2026-05-05", "url": "https://school1.example.ru/x", "x": 1},
        ):
            response = await client.post(
                f"{API}/notices/{notice['id']}/publication", json=body, headers=headers
            )
            assert_problem(response, 422, "validation-error")
        assert await events(client, world, "compliance_notice.published") == []

    async def test_publication_is_recorded_once(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        assert (await publish(client, world, notice["id"], "2026-05-05")).status_code == 200
        response = await publish(client, world, notice["id"], "2026-05-06")
        assert_problem(response, 409, "notice-already-published")
        got = await client.get(f"{API}/notices/{notice['id']}", headers=world.headers("staff"))
        assert got.json()["published_on"] == "2026-05-05"
        assert len(await events(client, world, "compliance_notice.published")) == 1


class TestStates:
    async def test_states_through_the_period(self, client: httpx.AsyncClient, world: World) -> None:
        notice = await create_notice(client, world, program_change())
        expected = {
            "2026-04-28": "pending",
            "2026-05-05": "pending",
            "2026-05-06": "due_soon",
            "2026-05-14": "due_soon",
            "2026-05-15": "late",
        }
        for as_of, state in expected.items():
            response = await client.get(
                f"{API}/notices/{notice['id']}",
                params={"as_of": as_of},
                headers=world.headers("admin"),
            )
            assert (response.json()["state"], response.json()["as_of"]) == (state, as_of)

    async def test_without_as_of_the_state_is_for_the_schools_today(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        response = await client.get(f"{API}/notices/{notice['id']}", headers=world.headers("staff"))
        body = response.json()
        # the world's school is in Europe/Samara: today there is within a day of UTC's
        assert abs(date.fromisoformat(body["as_of"]) - date.today()) <= timedelta(days=1)
        assert body["state"] == "late"

    async def test_list_filters_and_summary_agree(
        self, client: httpx.AsyncClient, world: World, other_world: World
    ) -> None:
        due = await create_notice(client, world, program_change())  # deadline 14 May
        late = await create_notice(
            client, world, program_change(decision_or_change_date="2026-04-14")
        )  # deadline 28 April
        pending = await create_notice(
            client, world, program_change(decision_or_change_date="2026-05-08")
        )  # deadline 25 May
        on_time = await create_notice(
            client, world, program_change(decision_or_change_date="2026-04-20")
        )
        await publish(client, world, on_time["id"], "2026-04-21")
        decided = await create_notice(
            client, world, decision(decision_or_change_date="2026-03-16", academic_year="2026/2027")
        )
        await publish(client, world, decided["id"], "2026-05-04")
        await create_notice(client, other_world, program_change())

        as_of = "2026-05-07"
        expected = {
            "pending": [pending["id"]],
            "due_soon": [due["id"]],
            "late": [late["id"]],
            "published_on_time": [on_time["id"]],
            "published_late": [decided["id"]],
        }
        for state, ids in expected.items():
            response = await client.get(
                f"{API}/notices",
                params={"state": state, "as_of": as_of},
                headers=world.headers("staff"),
            )
            assert response.status_code == 200, response.text
            items = response.json()["items"]
            assert [i["id"] for i in items] == ids, state
            assert all(i["state"] == state for i in items)

        summary = await client.get(
            f"{API}/notices/summary", params={"as_of": as_of}, headers=world.headers("staff")
        )
        assert summary.json() == {
            "as_of": as_of,
            "total": 5,
            "pending": 1,
            "due_soon": 1,
            "late": 1,
            "published_on_time": 1,
            "published_late": 1,
        }
        by_kind = await client.get(
            f"{API}/notices/summary",
            params={"as_of": as_of, "kind": "dot_decision_next_year"},
            headers=world.headers("admin"),
        )
        assert by_kind.json()["total"] == 1
        assert by_kind.json()["published_late"] == 1
        kinds = await client.get(
            f"{API}/notices",
            params={"kind": "distance_only_program_info"},
            headers=world.headers("admin"),
        )
        assert len(kinds.json()["items"]) == 4

    async def test_list_is_ordered_by_deadline_and_paginated(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        for day in ("2026-05-08", "2026-04-14", "2026-04-28", "2026-04-20"):
            await create_notice(client, world, program_change(decision_or_change_date=day))
        seen: list[str] = []
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"limit": 3}
            if cursor:
                params["cursor"] = cursor
            response = await client.get(
                f"{API}/notices", params=params, headers=world.headers("admin")
            )
            page = response.json()
            seen += [i["deadline"] for i in page["items"]]
            cursor = page["next_cursor"]
            if cursor is None:
                break
            assert 'rel="next"' in response.headers["link"]
        assert seen == ["2026-04-28", "2026-05-05", "2026-05-14", "2026-05-25"]

    async def test_bad_query_parameters(self, client: httpx.AsyncClient, world: World) -> None:
        headers = world.headers("admin")
        for params in ({"state": "overdue"}, {"kind": "x"}, {"as_of": "07.05.2026"}):
            response = await client.get(f"{API}/notices", params=params, headers=headers)
            assert_problem(response, 422, "validation-error")
        response = await client.get(f"{API}/notices", params={"cursor": "!!"}, headers=headers)
        assert_problem(response, 400, "invalid-cursor")
        response = await client.get(
            f"{API}/notices", params={"cursor": "eyJ4IjoxfQ"}, headers=headers
        )
        assert_problem(response, 400, "invalid-cursor")


class TestUpdateAndDelete:
    async def test_changing_the_date_recomputes_the_deadline(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        response = await client.patch(
            f"{API}/notices/{notice['id']}",
            json={"decision_or_change_date": "2026-04-30", "notes": "Изменён учебный план"},
            headers=world.headers("admin"),
        )
        assert response.status_code == 200, response.text
        body = response.json()
        # 4–8, 12–15, 18 May
        assert (body["deadline"], body["notes"]) == ("2026-05-18", "Изменён учебный план")
        updated = await events(client, world, "compliance_notice.updated")
        assert updated[-1]["payload"]["changed"] == [
            "deadline",
            "decision_or_change_date",
            "due_soon_from",
            "notes",
        ]
        assert updated[-1]["payload"]["deadline"] == "2026-05-18"

    async def test_nothing_changed_emits_nothing(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        response = await client.patch(
            f"{API}/notices/{notice['id']}",
            json={"title": notice["title"]},
            headers=world.headers("admin"),
        )
        assert response.status_code == 200
        assert await events(client, world, "compliance_notice.updated") == []

    async def test_publication_is_corrected_not_removed(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        headers = world.headers("admin")
        url = f"{API}/notices/{notice['id']}"
        response = await client.patch(url, json={"published_on": "2026-05-05"}, headers=headers)
        assert_problem(response, 422, "notice-not-published")
        await publish(client, world, notice["id"], "2026-05-20")
        response = await client.patch(url, json={"published_on": "2026-05-12"}, headers=headers)
        assert response.json()["state"] == "published_on_time"
        for body, code in (
            ({"published_on": None}, "validation-error"),
            ({"url": None}, "publication-url-required"),
            ({"decision_or_change_date": "2026-05-13"}, "publication-before-decision"),
            ({"title": None}, "validation-error"),
            ({"kind": "dot_decision_next_year"}, "validation-error"),
        ):
            assert_problem(await client.patch(url, json=body, headers=headers), 422, code)
        stored = (await notices_in_db(compliance_app, world.school_id))[0]
        assert (stored.published_on, stored.decision_or_change_date) == (
            date(2026, 5, 12),
            date(2026, 4, 28),
        )

    async def test_a_decision_keeps_its_academic_year(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        notice = await create_notice(
            client, world, decision(decision_or_change_date="2026-03-16", academic_year="2026/2027")
        )
        url = f"{API}/notices/{notice['id']}"
        headers = world.headers("admin")
        response = await client.patch(url, json={"academic_year": None}, headers=headers)
        assert_problem(response, 422, "academic-year-required")
        response = await client.patch(url, json={"academic_year": "2027/2028"}, headers=headers)
        assert response.json()["deadline"] == "2027-05-01"

    async def test_delete(self, client: httpx.AsyncClient, world: World) -> None:
        notice = await create_notice(client, world, program_change())
        url = f"{API}/notices/{notice['id']}"
        response = await client.delete(url, headers=world.headers("admin"))
        assert response.status_code == 204
        assert_problem(
            await client.get(url, headers=world.headers("admin")), 404, "notice-not-found"
        )
        deleted = await events(client, world, "compliance_notice.deleted")
        assert deleted[0]["payload"]["id"] == notice["id"]
        assert deleted[0]["payload"]["deadline"] == "2026-05-14"

    async def test_another_schools_notice_is_not_found(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World, other_world: World
    ) -> None:
        theirs = await create_notice(client, other_world, program_change())
        url = f"{API}/notices/{theirs['id']}"
        headers = world.headers("admin")
        assert_problem(await client.get(url, headers=headers), 404, "notice-not-found")
        assert_problem(await client.patch(url, json={"title": "Чужое"}, headers=headers), 404)
        assert_problem(await publish(client, world, theirs["id"], "2026-05-05"), 404)
        assert_problem(await client.delete(url, headers=headers), 404)
        stored = await notices_in_db(compliance_app, other_world.school_id)
        assert stored[0].title == theirs["title"]
        assert stored[0].published_on is None


class TestDueSoonSetting:
    async def test_default_then_school_setting_recomputes_windows(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        notice = await create_notice(client, world, program_change())
        url = f"{API}/deadlines/settings"
        got = await client.get(url, headers=world.headers("staff"))
        assert got.json() == {"due_soon_working_days": 5, "is_default": True}

        response = await client.put(
            url, json={"due_soon_working_days": 8}, headers=world.headers("admin")
        )
        assert response.json() == {"due_soon_working_days": 8, "is_default": False}
        body = (
            await client.get(f"{API}/notices/{notice['id']}", headers=world.headers("admin"))
        ).json()
        # 8 working days before 14 May: 13, 12, 8, 7, 6, 5, 4 May, 30 April
        assert body["due_soon_from"] == "2026-04-30"
        updated = await events(client, world, "compliance_notice.updated")
        assert [e["payload"]["changed"] for e in updated] == [["due_soon_from"]]
        # a window longer than the period starts the day after the change
        await client.put(url, json={"due_soon_working_days": 20}, headers=world.headers("admin"))
        body = (
            await client.get(f"{API}/notices/{notice['id']}", headers=world.headers("admin"))
        ).json()
        assert body["due_soon_from"] == "2026-04-29"
        # new notices use the school's window
        later = await create_notice(client, world, program_change())
        assert later["due_soon_from"] == "2026-04-29"

    async def test_bad_settings(self, client: httpx.AsyncClient, world: World) -> None:
        url = f"{API}/deadlines/settings"
        for body in (
            {"due_soon_working_days": 0},
            {"due_soon_working_days": 21},
            {"due_soon_working_days": "5"},
            {},
        ):
            response = await client.put(url, json=body, headers=world.headers("admin"))
            assert_problem(response, 422, "validation-error")
        got = await client.get(url, headers=world.headers("admin"))
        assert got.json()["is_default"] is True


class TestWorkingDaysEndpoint:
    async def test_the_deadline_calendar_across_may_holidays(
        self, client: httpx.AsyncClient, world: World
    ) -> None:
        response = await client.get(
            f"{API}/calendar/working-days",
            params={"start": "2026-04-28", "days": 10},
            headers=world.headers("teacher"),
        )
        assert response.status_code == 200, response.text
        assert response.json()["deadline"] == "2026-05-14"
        response = await client.get(
            f"{API}/calendar/working-days",
            params={"start": "2027-12-20"},
            headers=world.headers("teacher"),
        )
        assert (
            assert_problem(response, 422, "production-calendar-year-missing")["missing_year"]
            == 2028
        )
        response = await client.get(
            f"{API}/calendar/working-days",
            params={"start": "2026-04-28", "days": 0},
            headers=world.headers("teacher"),
        )
        assert_problem(response, 422, "validation-error")
