"""Attestation mode of online tests (§4.8, §5.3): an attempt starts only for a student
identified for the attestation event; identifications are recorded by a platform
service."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.learning.courses_support import create_course
from tests.learning.quizzes_support import (
    API,
    NOW,
    Clock,
    add_question,
    answer,
    assert_problem,
    create_quiz,
    graded_events,
    install_clock,
    iso,
    new_id,
    option_id,
    single,
    start,
    submit,
)
from tests.support.service_world import World, service_headers


@pytest.fixture
def clock(learning_app: FastAPI) -> Clock:
    return install_clock(learning_app)


@pytest.fixture
async def course(client: httpx.AsyncClient, world: World) -> dict[str, Any]:
    return await create_course(client, world)


class TestAttestationMode:
    async def test_identification_required(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        clock: Clock,
        course: dict[str, Any],
    ) -> None:
        event_id = new_id()
        q = await add_question(client, world, course["id"], single())
        quiz = await create_quiz(
            client,
            world,
            course["id"],
            [q["id"]],
            control_type="interim_attestation",
            attestation_mode=True,
            attestation_event_id=event_id,
        )
        url = f"{API}/quizzes/{quiz['id']}/attempts"
        assert_problem(
            await client.post(url, headers=world.headers("student")), 403, "identification-required"
        )

        ident = {
            "school_id": str(world.school_id),
            "student_id": str(world.id("student")),
            "attestation_event_id": new_id(),  # another event: does not count
            "method": "video",
            "identified_at": iso(NOW),
            "identified_by": str(world.id("teacher")),
        }
        ident_url = f"{API}/quizzes/identifications"
        r = await client.post(ident_url, json=ident, headers=service_headers("compliance"))
        assert r.status_code == 201, r.text
        assert_problem(
            await client.post(url, headers=world.headers("student")), 403, "identification-required"
        )

        # only a platform service records identifications
        ident["attestation_event_id"] = event_id
        for caller in ("teacher", "admin", "student"):
            r = await client.post(ident_url, json=ident, headers=world.headers(caller))
            assert r.status_code == 403, r.text
        assert_problem(
            await client.post(url, headers=world.headers("student")), 403, "identification-required"
        )

        r = await client.post(ident_url, json=ident, headers=service_headers("compliance"))
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["method"] == "video"
        assert body["student_id"] == str(world.id("student"))
        attempt = await start(client, world, quiz["id"])
        r = await answer(client, world, attempt["id"], q["id"], {"option_ids": [option_id(q, "4")]})
        r = await submit(client, world, attempt["id"])
        assert r.status_code == 200
        events = await graded_events(client, world)
        assert events[0]["payload"]["attestation_event_id"] == event_id
        assert events[0]["payload"]["control_type"] == "interim_attestation"
        # another student of the class is still not identified
        assert_problem(
            await client.post(url, headers=world.headers("student2")),
            403,
            "identification-required",
        )

    async def test_identification_input(
        self, client: httpx.AsyncClient, world: World, other_world: World, clock: Clock
    ) -> None:
        url = f"{API}/quizzes/identifications"
        good = {
            "school_id": str(world.school_id),
            "student_id": str(world.id("student")),
            "attestation_event_id": new_id(),
            "method": "in_person",
            "identified_at": iso(NOW),
        }
        svc = service_headers("compliance")
        # a student of another school, a teacher, nobody: not found
        for student in (other_world.id("student"), world.id("teacher"), new_id()):
            r = await client.post(url, json={**good, "student_id": str(student)}, headers=svc)
            assert_problem(r, 404, "student-not-found")
        r = await client.post(
            url, json={**good, "identified_at": iso(NOW + timedelta(hours=1))}, headers=svc
        )
        assert_problem(r, 422, "identification-in-future")
        for bad in (
            {"method": "Видео"},
            {"identified_at": "2026-11-25T10:00:00"},
            {"identified_at": "1900-01-01T00:00:00Z"},
            {"extra": 1},
        ):
            r = await client.post(url, json={**good, **bad}, headers=svc)
            assert_problem(r, 422, "validation-error")
        r = await client.post(url, json=good)
        assert r.status_code == 401

    async def test_attestation_mode_needs_an_event(
        self, client: httpx.AsyncClient, world: World, clock: Clock, course: dict[str, Any]
    ) -> None:
        q = await add_question(client, world, course["id"], single())
        r = await client.post(
            f"{API}/quizzes",
            json={
                "course_id": course["id"],
                "title": "Аттестация",
                "question_ids": [q["id"]],
                "attestation_mode": True,
            },
            headers=world.headers("teacher"),
        )
        assert_problem(r, 422, "validation-error")
        quiz = await create_quiz(client, world, course["id"], [q["id"]], publish=False)
        r = await client.patch(
            f"{API}/quizzes/{quiz['id']}",
            json={"attestation_mode": True},
            headers=world.headers("teacher"),
        )
        assert_problem(r, 422, "attestation-event-required")
