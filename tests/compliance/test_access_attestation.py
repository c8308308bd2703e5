"""Who may do what with attestation events, the DOT-training flags and the dashboard
(CO-6, CO-7, CO-8, ID-8, X-7).

The event of these tests is of a sub-group course of 7Б taught by ``teacher`` whose only
student is ``student2``: ``student`` (same class, not in the group) and their
``guardian`` are "another child" (404), ``guardian2`` is the participant's guardian,
``teacher2`` teaches neither (404), another school gets 404, service tokens 403.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.compliance.attestation_support import (
    API,
    LearningRecorder,
    create_event,
    school_today,
    seed_course,
)
from tests.support.access_check import expect
from tests.support.service_world import World, service_headers

COVERED: set[str] = {
    "compliance_list_attestation_events",
    "compliance_create_attestation_event",
    "compliance_get_attestation_event",
    "compliance_update_attestation_event",
    "compliance_record_attestation_informing",
    "compliance_list_attestation_participants",
    "compliance_issue_attestation_code",
    "compliance_identify_attestation_student",
    "compliance_list_attestation_identifications",
    "compliance_record_attestation_violation",
    "compliance_list_attestation_violations",
    "compliance_record_attestation_incident",
    "compliance_list_attestation_incidents",
    "compliance_update_attestation_incident",
    "compliance_list_untrained_teacher_lessons",
    "compliance_get_compliance_dashboard",
}

OTHERS = {"other:admin": 404, "other:teacher": 404, "other:student": 404}


def examiner(ok: int) -> dict[str, int]:
    """The event's teachers and the administration; a participant's side sees it (403);
    everyone else does not (404)."""
    return {
        "anonymous": 401,
        "admin": ok,
        "staff": ok,
        "teacher": ok,
        "teacher2": 404,
        "student": 404,
        "guardian": 404,
        "student3": 404,
        "student2": 403,
        "guardian2": 403,
        **OTHERS,
    }


def readers() -> dict[str, int]:
    return {
        "anonymous": 401,
        "admin": 200,
        "staff": 200,
        "teacher": 200,
        "student2": 200,
        "guardian2": 200,
        "teacher2": 404,
        "student": 404,
        "guardian": 404,
        "student3": 404,
        **OTHERS,
    }


ADMINISTRATION = {
    "anonymous": 401,
    "admin": 200,
    "staff": 200,
    "teacher": 403,
    "student": 403,
    "guardian": 403,
    "other:admin": 200,
}


@pytest.fixture
def learning(compliance_app: FastAPI) -> LearningRecorder:
    recorder = LearningRecorder()
    compliance_app.state.learning_identifications = recorder
    return recorder


@pytest.fixture
async def events(
    client: httpx.AsyncClient, compliance_app: FastAPI, world: World, other_world: World
) -> dict[str, Any]:
    course = await seed_course(compliance_app, world, student_ids=[str(world.id("student2"))])
    coded = await create_event(client, world, course_id=str(course), class_group_id=None)
    proctored = await create_event(
        client, world, course_id=str(course), class_group_id=None, identification_method="proctor"
    )
    return {"code": coded["id"], "proctor": proctored["id"]}


class TestAttestationAccess:
    async def test_events(
        self,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        events: dict[str, Any],
    ) -> None:
        eid = events["code"]
        await expect(
            client,
            "GET",
            f"{API}/events",
            world,
            other_world,
            {"anonymous": 401, "admin": 200, "teacher2": 200, "student": 200, "guardian": 200},
        )
        await expect(client, "GET", f"{API}/events/{eid}", world, other_world, readers())

        def body(caller: str) -> dict[str, Any]:
            w = other_world if caller.startswith("other:") else world
            return {
                "title": "Зачёт",
                "kind": "current_control",
                "class_group_id": str(world.class_id("7Б")),
                "held_on": school_today(w).isoformat(),
                "local_act_number": "№ 1",
                "local_act_date": school_today(w).isoformat(),
                "identification_method": "proctor",
                "condition_control": "Камера включена",
                "technical_problems_procedure": "Сообщить учителю",
                "results_location": "Дневник",
            }

        await expect(
            client,
            "POST",
            f"{API}/events",
            world,
            other_world,
            {
                "anonymous": 401,
                "admin": 201,
                "staff": 201,
                "teacher": 403,
                "student": 403,
                "guardian": 403,
                "other:admin": 404,  # another school's class
            },
            json=body,
        )
        await expect(
            client,
            "PATCH",
            f"{API}/events/{eid}",
            world,
            other_world,
            {
                "anonymous": 401,
                "admin": 200,
                "staff": 200,
                "teacher": 403,
                "student2": 403,
                "guardian2": 403,
                "other:admin": 404,
            },
            json={"title": "Контрольная работа (перенос)"},
        )
        await expect(
            client,
            "POST",
            f"{API}/events/{eid}/informings",
            world,
            other_world,
            examiner(201),
            json={
                "informed_on": school_today(world).isoformat(),
                "channel": "class_meeting",
                "description": "Рассказали о порядке на классном часе",
            },
        )

    async def test_identification(
        self,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        events: dict[str, Any],
        learning: LearningRecorder,
    ) -> None:
        await expect(
            client,
            "GET",
            f"{API}/events/{events['code']}/students",
            world,
            other_world,
            examiner(200),
        )
        await expect(
            client,
            "POST",
            f"{API}/events/{events['code']}/codes",
            world,
            other_world,
            examiner(201),
            json={"student_id": str(world.id("student2"))},
        )
        await expect(
            client,
            "POST",
            f"{API}/events/{events['proctor']}/identifications",
            world,
            other_world,
            examiner(201),
            json={"method": "proctor", "student_id": str(world.id("student2"))},
        )
        await expect(
            client,
            "GET",
            f"{API}/events/{events['proctor']}/identifications",
            world,
            other_world,
            readers(),
        )

    async def test_violations_and_incidents(
        self,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        events: dict[str, Any],
    ) -> None:
        eid = events["code"]
        when = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        await expect(
            client,
            "POST",
            f"{API}/events/{eid}/violations",
            world,
            other_world,
            examiner(201),
            json={
                "occurred_at": when,
                "kind": "camera_off",
                "description": "Камера выключена",
                "evidence_text": "Отметка проктора в 10:12",
            },
        )
        await expect(
            client, "GET", f"{API}/events/{eid}/violations", world, other_world, examiner(200)
        )
        incident = {
            "occurred_at": when,
            "kind": "platform_failure",
            "description": "Платформа не открывала тест",
            "outcome": "time_extended",
        }
        await expect(
            client,
            "POST",
            f"{API}/events/{eid}/incidents",
            world,
            other_world,
            examiner(201),
            json=incident,
        )
        await expect(
            client, "GET", f"{API}/events/{eid}/incidents", world, other_world, examiner(200)
        )
        created = await client.post(
            f"{API}/events/{eid}/incidents", json=incident, headers=world.headers("admin")
        )
        iid = created.json()["id"]
        await expect(
            client,
            "PATCH",
            f"{API}/events/{eid}/incidents/{iid}",
            world,
            other_world,
            examiner(200),
            json={"outcome": "continued"},
        )

    async def test_service_tokens_are_refused(
        self, client: httpx.AsyncClient, world: World, events: dict[str, Any]
    ) -> None:
        eid = events["code"]
        for method, url, body in (
            ("GET", f"{API}/events", None),
            ("GET", f"{API}/events/{eid}", None),
            ("POST", f"{API}/events/{eid}/codes", {"student_id": str(world.id("student2"))}),
            ("GET", "/api/v1/compliance/dot-training/flags", None),
            ("GET", "/api/v1/compliance/dashboard", None),
        ):
            r = await client.request(method, url, json=body, headers=service_headers())
            assert r.status_code == 403, url
            assert r.json()["type"] == "urn:eo:problem:service-token-not-allowed"


class TestAdministrationViews:
    @pytest.mark.parametrize(
        "url", ["/api/v1/compliance/dot-training/flags", "/api/v1/compliance/dashboard"]
    )
    async def test_admin_and_staff_only(
        self, client: httpx.AsyncClient, world: World, other_world: World, url: str
    ) -> None:
        await expect(client, "GET", url, world, other_world, ADMINISTRATION)
