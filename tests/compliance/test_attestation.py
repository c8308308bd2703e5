"""Attestation procedures with identification (CO-6, ID-8, §4.5, §4.7, §4.8, §5.3).

An event with its local act and procedures; identification by a one-time code issued by
the examiner, by a password re-entry proved by identity's signed proof, or by a
proctor; violations and technical incidents recorded against the event; learning told
of each identification. Every refusal is problem+json and leaves nothing behind.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select, update

from services.common import jwt
from services.compliance.models import AttestationCode
from tests.compliance.attestation_support import (
    API,
    LearningRecorder,
    assert_problem,
    create_event,
    event_body,
    reauth_proof,
    school_today,
    seed_course,
    stored,
)
from tests.support.keys import mint
from tests.support.service_world import World


@pytest.fixture
def learning(compliance_app: FastAPI) -> LearningRecorder:
    recorder = LearningRecorder()
    compliance_app.state.learning_identifications = recorder
    return recorder


async def issue_code(
    client: httpx.AsyncClient, world: World, event_id: str, student: str = "student"
) -> httpx.Response:
    return await client.post(
        f"{API}/events/{event_id}/codes",
        json={"student_id": str(world.id(student))},
        headers=world.headers("teacher"),
    )


async def identify(
    client: httpx.AsyncClient,
    world: World,
    event_id: str,
    body: dict[str, Any],
    who: str = "student",
) -> httpx.Response:
    return await client.post(
        f"{API}/events/{event_id}/identifications", json=body, headers=world.headers(who)
    )


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


class TestEvents:
    async def test_an_event_of_a_course_with_its_act_procedures_and_informing(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        course_id = await seed_course(compliance_app, world)
        body = event_body(world, course_id=str(course_id))
        del body["class_group_id"]
        r = await client.post(f"{API}/events", json=body, headers=world.headers("staff"))
        assert r.status_code == 201, r.text
        event = r.json()
        assert event["class_group_id"] == str(world.class_id("7Б"))  # the course's class
        assert event["class_name"] == "7Б"
        assert event["subject"] == "Математика"
        assert event["local_act_number"] == "№ 112-о"
        assert event["identification_method"] == "one_time_code"
        assert event["informings"] == []

        informed = {
            "informed_on": school_today(world).isoformat(),
            "channel": "diary",
            "description": "Порядок проведения и где смотреть результаты — в дневнике",
        }
        r = await client.post(
            f"{API}/events/{event['id']}/informings",
            json=informed,
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        assert [i["channel"] for i in r.json()["informings"]] == ["diary"]

        # the students of the course and their guardians read it; others do not see it
        for who in ("student", "guardian", "student2", "teacher", "admin"):
            r = await client.get(f"{API}/events/{event['id']}", headers=world.headers(who))
            assert r.status_code == 200, who
        for who in ("student3", "teacher2"):
            r = await client.get(f"{API}/events/{event['id']}", headers=world.headers(who))
            assert_problem(r, 404, "attestation-event-not-found")
        listed = await client.get(f"{API}/events", headers=world.headers("guardian"))
        assert [e["id"] for e in listed.json()["items"]] == [event["id"]]
        assert (await client.get(f"{API}/events", headers=world.headers("student3"))).json()[
            "items"
        ] == []

        r = await client.patch(
            f"{API}/events/{event['id']}",
            json={"results_location": "Электронный журнал, через два рабочих дня"},
            headers=world.headers("admin"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["version"] == 2

    async def test_bad_events_are_refused_and_nothing_is_stored(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        today = school_today(world)
        before = await stored(compliance_app, world)
        admin = world.headers("admin")
        r = await client.post(
            f"{API}/events",
            json=event_body(world, local_act_date=(today + timedelta(days=1)).isoformat()),
            headers=admin,
        )
        assert_problem(r, 422, "local-act-after-event")
        assert "§4.7" in r.json()["detail"]
        r = await client.post(
            f"{API}/events", json=event_body(world, identification_method="selfie"), headers=admin
        )
        assert_problem(r, 422, "validation-error")
        r = await client.post(
            f"{API}/events", json=event_body(world, class_group_id=None), headers=admin
        )
        assert_problem(r, 422, "validation-error")
        r = await client.post(
            f"{API}/events", json=event_body(world, course_id=str(uuid.uuid4())), headers=admin
        )
        assert_problem(r, 404, "course-not-found")
        r = await client.post(
            f"{API}/events", json=event_body(world, class_group_id=str(uuid.uuid4())), headers=admin
        )
        assert_problem(r, 404, "class-group-not-found")
        r = await client.post(
            f"{API}/events", json=event_body(world, title="Кр\x00"), headers=admin
        )
        assert_problem(r, 422, "validation-error")
        r = await client.post(
            f"{API}/events", json=event_body(world), headers=world.headers("teacher")
        )
        assert_problem(r, 403, "attestation-admin-only")
        assert await stored(compliance_app, world) == before


class TestOneTimeCode:
    async def test_identification_by_code_and_a_recorded_violation(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        learning: LearningRecorder,
    ) -> None:
        event = await create_event(client, world)
        eid = event["id"]

        r = await issue_code(client, world, eid)
        assert r.status_code == 201, r.text
        assert r.headers["cache-control"] == "no-store"
        issued = r.json()
        code = issued["code"]
        assert len(code) == 6
        assert code.isdigit()
        async with compliance_app.state.database.session() as session:
            stmt = select(AttestationCode).where(AttestationCode.event_id == uuid.UUID(eid))
            row = (await session.execute(stmt)).scalars().one()
            assert code not in row.code_hash  # only a keyed hash is kept

        # a wrong code: refused, the attempt counted, nobody identified, learning not told
        r = await identify(client, world, eid, {"method": "one_time_code", "code": wrong(code)})
        assert_problem(r, 422, "code-invalid")
        assert r.json()["attempts_left"] == issued["max_attempts"] - 1
        assert (await stored(compliance_app, world))["identifications"] == 0
        assert learning.calls == []

        # the right code: the student is identified, by the examiner who issued it
        r = await identify(client, world, eid, {"method": "one_time_code", "code": code})
        assert r.status_code == 201, r.text
        ident = r.json()
        assert ident["student_id"] == str(world.id("student"))
        assert ident["method"] == "one_time_code"
        assert ident["identified_by"] == str(world.id("teacher"))
        assert ident["identified_by_name"] == "Иванова Анна"
        assert ident["recorded_by"] == str(world.id("student"))
        assert learning.calls == [
            {
                "school_id": str(world.school_id),
                "student_id": str(world.id("student")),
                "attestation_event_id": eid,
                "method": "one_time_code",
                "identified_at": learning.calls[0]["identified_at"],
                "identified_by": str(world.id("teacher")),
            }
        ]

        # the code is used once
        r = await identify(client, world, eid, {"method": "one_time_code", "code": code})
        assert_problem(r, 422, "code-already-used")
        assert (await stored(compliance_app, world))["identifications"] == 1

        students = await client.get(
            f"{API}/events/{eid}/students", headers=world.headers("teacher")
        )
        assert {s["student_id"]: s["identified"] for s in students.json()} == {
            str(world.id("student")): True,
            str(world.id("student2")): False,
        }

        # a violation during the event: time, kind, evidence, who recorded
        violation = {
            "student_id": str(world.id("student")),
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=3)).isoformat(),
            "kind": "extraneous_person",
            "description": "В кадре посторонний подсказывает ответы",
            "evidence_url": "https://disk.school.example.ru/attestation/7b/violation-1.mp4",
        }
        r = await client.post(
            f"{API}/events/{eid}/violations", json=violation, headers=world.headers("teacher")
        )
        assert r.status_code == 201, r.text
        assert r.json()["recorded_by"] == str(world.id("teacher"))
        assert r.json()["recorded_by_name"] == "Иванова Анна"
        listed = await client.get(f"{API}/events/{eid}/violations", headers=world.headers("admin"))
        assert [(v["kind"], v["evidence_url"]) for v in listed.json()] == [
            ("extraneous_person", violation["evidence_url"])
        ]
        # the student sees the event and their identification, not the violations
        r = await client.get(f"{API}/events/{eid}/violations", headers=world.headers("student"))
        assert_problem(r, 403, "attestation-examiner-only")
        mine = await client.get(
            f"{API}/events/{eid}/identifications", headers=world.headers("student2")
        )
        assert mine.json() == []  # another student's identification is not shown

        events = await client.get(
            "/api/v1/compliance/events",
            params={"types": "attestation_identification.recorded,attestation_violation.recorded"},
            headers=world.headers("admin"),
        )
        assert [e["type"] for e in events.json()["items"]] == [
            "attestation_identification.recorded",
            "attestation_violation.recorded",
        ]

    async def test_expired_exhausted_and_replaced_codes_are_refused(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        learning: LearningRecorder,
    ) -> None:
        eid = (await create_event(client, world))["id"]
        r = await identify(client, world, eid, {"method": "one_time_code", "code": "123456"})
        assert_problem(r, 422, "code-not-issued")

        code = (await issue_code(client, world, eid)).json()["code"]
        async with compliance_app.state.database.session() as session:
            await session.execute(
                update(AttestationCode).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            )
            await session.commit()
        r = await identify(client, world, eid, {"method": "one_time_code", "code": code})
        assert_problem(r, 422, "code-expired")

        issued = (await issue_code(client, world, eid)).json()
        for _ in range(issued["max_attempts"]):
            r = await identify(
                client, world, eid, {"method": "one_time_code", "code": wrong(issued["code"])}
            )
            assert_problem(r, 422, "code-invalid")
        r = await identify(client, world, eid, {"method": "one_time_code", "code": issued["code"]})
        assert_problem(r, 422, "code-attempts-exhausted")

        first = (await issue_code(client, world, eid)).json()["code"]
        second = (await issue_code(client, world, eid)).json()["code"]
        if first != second:
            r = await identify(client, world, eid, {"method": "one_time_code", "code": first})
            assert_problem(r, 422, "code-invalid")  # replaced by the newer code
        assert (await stored(compliance_app, world))["identifications"] == 0
        assert learning.calls == []

    async def test_wrong_method_unknown_method_and_strangers_are_refused(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        learning: LearningRecorder,
    ) -> None:
        eid = (await create_event(client, world))["id"]
        code = (await issue_code(client, world, eid)).json()["code"]
        r = await identify(client, world, eid, {"method": "face_id", "code": code})
        assert_problem(r, 422, "validation-error")
        r = await identify(
            client,
            world,
            eid,
            {"method": "proctor", "student_id": str(world.id("student"))},
            who="teacher",
        )
        assert_problem(r, 422, "identification-method-mismatch")
        r = await identify(client, world, eid, {"method": "password_reauth", "proof": "x"})
        assert_problem(r, 422, "identification-method-mismatch")
        # a student of another class does not see the event; nor is a code issued for them
        r = await identify(
            client, world, eid, {"method": "one_time_code", "code": code}, "student3"
        )
        assert_problem(r, 404, "attestation-event-not-found")
        r = await issue_code(client, world, eid, "student3")
        assert_problem(r, 422, "not-a-participant")
        # a student can't issue codes
        r = await client.post(
            f"{API}/events/{eid}/codes",
            json={"student_id": str(world.id("student"))},
            headers=world.headers("student"),
        )
        assert_problem(r, 403, "attestation-examiner-only")
        assert (await stored(compliance_app, world))["identifications"] == 0
        assert learning.calls == []

    async def test_learning_down_means_nothing_is_recorded(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        learning: LearningRecorder,
    ) -> None:
        eid = (await create_event(client, world))["id"]
        code = (await issue_code(client, world, eid)).json()["code"]
        learning.down = True
        r = await identify(client, world, eid, {"method": "one_time_code", "code": code})
        assert_problem(r, 503, "learning-unavailable")
        assert (await stored(compliance_app, world))["identifications"] == 0
        learning.down = False
        r = await identify(client, world, eid, {"method": "one_time_code", "code": code})
        assert r.status_code == 201, r.text  # the code was not spent by the failed try


class TestPasswordReauth:
    async def test_a_fresh_proof_is_accepted_once(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        learning: LearningRecorder,
    ) -> None:
        eid = (await create_event(client, world, identification_method="password_reauth"))["id"]
        proof = reauth_proof(world)
        r = await identify(client, world, eid, {"method": "password_reauth", "proof": proof})
        assert r.status_code == 201, r.text
        assert r.json()["identified_by"] == str(world.id("student"))
        assert [c["method"] for c in learning.calls] == ["password_reauth"]
        r = await identify(client, world, eid, {"method": "password_reauth", "proof": proof})
        assert_problem(r, 422, "reauth-proof-used")
        assert (await stored(compliance_app, world))["identifications"] == 1

    async def test_expired_forged_foreign_and_access_tokens_are_refused(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        other_world: World,
        learning: LearningRecorder,
    ) -> None:
        eid = (await create_event(client, world, identification_method="password_reauth"))["id"]
        now = int(datetime.now(UTC).timestamp())
        expired = reauth_proof(world, iat=now - 600, nbf=now - 600, exp=now - 300)
        r = await identify(client, world, eid, {"method": "password_reauth", "proof": expired})
        assert_problem(r, 422, "reauth-proof-expired")

        other_key = jwt.generate_private_key_pem()
        claims = {
            "iss": "http://127.0.0.1:8000",
            "aud": "eo-platform",
            "sub": str(world.id("student")),
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
            "typ": "reauth",
            "school": str(world.school_id),
        }
        forged = jwt.sign(claims, other_key, "test-key-1", typ="reauth+jwt")
        cases = {
            "forged": forged,
            "garbage": "not-a-jwt",
            "another student": reauth_proof(world, "student2"),
            "another school": reauth_proof(other_world),
            "access token": mint(world.id("student"), world.school_id, ["student"]),
        }
        for name, proof in cases.items():
            r = await identify(client, world, eid, {"method": "password_reauth", "proof": proof})
            assert r.status_code == 422, name
            assert r.json()["type"] == "urn:eo:problem:reauth-proof-invalid", (name, r.text)
        assert (await stored(compliance_app, world))["identifications"] == 0
        assert learning.calls == []


class TestProctorAndIncidents:
    async def test_a_proctor_check_and_an_incident_with_a_retake(
        self,
        client: httpx.AsyncClient,
        compliance_app: FastAPI,
        world: World,
        learning: LearningRecorder,
    ) -> None:
        event = await create_event(client, world, identification_method="proctor")
        eid = event["id"]
        body = {
            "method": "proctor",
            "student_id": str(world.id("student2")),
            "note": "Сверено с фотографией в личном деле",
        }
        r = await identify(client, world, eid, body, who="student")
        assert_problem(r, 403, "attestation-examiner-only")
        r = await identify(client, world, eid, body, who="teacher")
        assert r.status_code == 201, r.text
        assert r.json()["identified_by"] == str(world.id("teacher"))
        assert r.json()["note"] == body["note"]
        assert learning.calls[0]["student_id"] == str(world.id("student2"))

        held_on = event["held_on"]
        incident = {
            "student_id": str(world.id("student2")),
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "kind": "connection_lost",
            "description": "Связь прервалась на 15 минут",
            "outcome": "retake_scheduled",
        }
        before = await stored(compliance_app, world)
        r = await client.post(
            f"{API}/events/{eid}/incidents", json=incident, headers=world.headers("teacher")
        )
        assert_problem(r, 422, "retake-date-required")
        future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
        r = await client.post(
            f"{API}/events/{eid}/incidents",
            json={**incident, "occurred_at": future, "retake_on": held_on},
            headers=world.headers("teacher"),
        )
        assert_problem(r, 422, "in-future")
        assert await stored(compliance_app, world) == before
        retake = (school_today(world) + timedelta(days=3)).isoformat()
        r = await client.post(
            f"{API}/events/{eid}/incidents",
            json={**incident, "retake_on": retake},
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        inc = r.json()
        assert (inc["outcome"], inc["retake_on"]) == ("retake_scheduled", retake)
        r = await client.patch(
            f"{API}/events/{eid}/incidents/{inc['id']}",
            json={"outcome": "continued", "outcome_note": "Связь восстановлена"},
            headers=world.headers("admin"),
        )
        assert r.status_code == 200, r.text
        assert r.json()["outcome"] == "continued"
        listed = await client.get(f"{API}/events/{eid}/incidents", headers=world.headers("teacher"))
        assert [i["outcome"] for i in listed.json()] == ["continued"]

    async def test_bad_violations_are_refused(
        self, client: httpx.AsyncClient, compliance_app: FastAPI, world: World
    ) -> None:
        eid = (await create_event(client, world))["id"]
        base = {
            "occurred_at": (datetime.now(UTC) - timedelta(minutes=1)).isoformat(),
            "kind": "prompting",
            "description": "Подсказка",
        }
        before = await stored(compliance_app, world)
        cases = [
            (base, 422, "validation-error"),  # no evidence
            ({**base, "evidence_url": "ftp://x.example.ru/a"}, 422, "validation-error"),
            ({**base, "kind": "telepathy", "evidence_text": "…"}, 422, "validation-error"),
            (
                {**base, "evidence_text": "Протокол", "student_id": str(world.id("student3"))},
                422,
                "not-a-participant",
            ),
            (
                {
                    **base,
                    "evidence_text": "Протокол",
                    "occurred_at": (datetime.now(UTC) + timedelta(hours=1)).isoformat(),
                },
                422,
                "in-future",
            ),
        ]
        for body, status, code in cases:
            r = await client.post(
                f"{API}/events/{eid}/violations", json=body, headers=world.headers("teacher")
            )
            assert_problem(r, status, code)
        assert await stored(compliance_app, world) == before
