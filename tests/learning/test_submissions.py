"""Submitted works (LE-6, Reg §1.4, §1.5): versions, lateness, channels, files, retries."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import StoredFile, Submission, kernel
from tests.learning.assignments_support import (
    API,
    MP3,
    PDF,
    PNG,
    FakeClock,
    create_assignment,
    events,
    install_clock,
    make_course,
    problem,
    review,
    submit,
)
from tests.support.service_world import World

RECEIVED_KEYS = {
    "id",
    "assignment_id",
    "course_id",
    "student_id",
    "version",
    "received_at",
    "received_local_date",
    "channel",
    "late",
    "recorded_by",
    "review_due_at",
}


async def stored(app: FastAPI, world: World) -> tuple[int, int, int]:
    """Submissions, stored files and events of the school."""
    async with app.state.database.session() as session:
        subs = await session.scalar(
            select(func.count())
            .select_from(Submission)
            .where(Submission.school_id == world.school_id)
        )
        files = await session.scalar(
            select(func.count())
            .select_from(StoredFile)
            .where(StoredFile.school_id == world.school_id)
        )
        evts = await session.scalar(
            select(func.count())
            .select_from(kernel.outbox)
            .where(kernel.outbox.school_id == world.school_id)
        )
    return subs or 0, files or 0, evts or 0


@pytest.fixture
def clock(learning_app: FastAPI) -> FakeClock:
    return install_clock(learning_app)


@pytest.fixture
async def course_id(learning_app: FastAPI, world: World) -> uuid.UUID:
    return await make_course(learning_app, world)


@pytest.fixture
async def assignment(
    client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
) -> dict[str, Any]:
    # due Friday 27.11 at 18:00 school time
    return await create_assignment(client, world, course_id)


class TestSubmitting:
    async def test_every_version_is_kept(
        self,
        client: httpx.AsyncClient,
        world: World,
        assignment: dict[str, Any],
        clock: FakeClock,
    ) -> None:
        r = await submit(
            client,
            world,
            assignment["id"],
            text="Решение задач 1–5",
            files=[("решение.pdf", PDF, "application/pdf")],
        )
        assert r.status_code == 201, r.text
        v1 = r.json()
        assert v1["version"] == 1
        assert v1["channel"] == "platform"
        assert v1["late"] is False
        assert v1["recorded_by"] == str(world.id("student"))
        assert v1["student_name"] == "Соколов Артём"
        assert [f["name"] for f in v1["files"]] == ["решение.pdf"]
        assert v1["received_local"] == "2026-11-25T10:00:00+04:00"

        clock.advance(hours=1)
        r = await submit(
            client, world, assignment["id"], text=None, files=[("фото.png", PNG, "image/png")]
        )
        v2 = r.json()
        assert v2["version"] == 2
        assert v2["text"] is None

        r = await client.get(
            f"{API}/assignments/{assignment['id']}/submissions",
            params={"all_versions": "true"},
            headers=world.headers("teacher"),
        )
        versions = {i["version"]: i for i in r.json()["items"]}
        assert set(versions) == {1, 2}
        assert versions[1]["text"] == "Решение задач 1–5"
        assert [f["name"] for f in versions[1]["files"]] == ["решение.pdf"]
        assert versions[1]["is_latest"] is False
        assert versions[2]["is_latest"] is True
        r = await client.get(
            f"{API}/assignments/{assignment['id']}/submissions", headers=world.headers("teacher")
        )
        assert [i["id"] for i in r.json()["items"]] == [v2["id"]]

        evts = await events(client, world, "submission.received")
        assert [e["payload"]["version"] for e in evts] == [1, 2]
        payload = evts[0]["payload"]
        assert set(payload) == RECEIVED_KEYS
        assert payload == {
            "id": v1["id"],
            "assignment_id": assignment["id"],
            "course_id": assignment["course_id"],
            "student_id": str(world.id("student")),
            "version": 1,
            "received_at": "2026-11-25T06:00:00+00:00",
            "received_local_date": "2026-11-25",
            "channel": "platform",
            "late": False,
            "recorded_by": str(world.id("student")),
            # received before the end of the school day (18:00 Samara = 14:00 UTC)
            "review_due_at": "2026-11-25T14:00:00+00:00",
        }

    async def test_files_are_downloaded_by_those_who_may_read_the_work(
        self,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        assignment: dict[str, Any],
    ) -> None:
        r = await submit(
            client, world, assignment["id"], files=[("решение.pdf", PDF, "application/pdf")]
        )
        sub = r.json()
        url = f"{API}/submissions/{sub['id']}/files/{sub['files'][0]['id']}"
        for who in ("student", "guardian", "teacher", "teacher2", "staff", "admin"):
            r = await client.get(url, headers=world.headers(who))
            assert r.status_code == 200, who
            assert r.content == PDF
            assert r.headers["content-type"].startswith("application/pdf")
        for who in ("student2", "guardian2"):
            problem(await client.get(url, headers=world.headers(who)), 404, "submission-not-found")
        r = await client.get(url, headers=other_world.headers("admin"))
        problem(r, 404, "submission-not-found")
        r = await client.get(
            f"{API}/submissions/{sub['id']}/files/{uuid.uuid4()}", headers=world.headers("teacher")
        )
        problem(r, 404, "file-not-found")

    async def test_a_work_after_the_deadline_is_late(
        self,
        client: httpx.AsyncClient,
        world: World,
        assignment: dict[str, Any],
        clock: FakeClock,
    ) -> None:
        clock.set_local(datetime(2026, 11, 27, 18, 0))
        assert (await submit(client, world, assignment["id"])).json()["late"] is False
        clock.set_local(datetime(2026, 11, 27, 18, 1))
        late = (await submit(client, world, assignment["id"])).json()
        assert late["late"] is True
        evts = await events(client, world, "submission.received")
        assert evts[-1]["payload"]["late"] is True
        assert evts[-1]["payload"]["received_local_date"] == "2026-11-27"

    async def test_only_a_student_given_the_published_assignment_submits(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        only2 = await create_assignment(
            client,
            world,
            course_id,
            target={"kind": "students", "student_ids": [str(world.id("student2"))]},
        )
        draft = await create_assignment(client, world, course_id, draft=True)
        before = await stored(learning_app, world)
        for assignment_id in (only2["id"], draft["id"], str(uuid.uuid4())):
            problem(await submit(client, world, assignment_id), 404, "assignment-not-found")
        r = await submit(client, other_world, only2["id"], as_="student2")
        problem(r, 404, "assignment-not-found")
        for who in ("teacher", "guardian2", "admin", "staff"):
            r = await submit(client, world, only2["id"], as_=who)
            problem(r, 403, "forbidden")
        assert await stored(learning_app, world) == before
        assert (await submit(client, world, only2["id"], as_="student2")).status_code == 201

    async def test_bad_works_are_refused_and_nothing_is_stored(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        assignment: dict[str, Any],
    ) -> None:
        before = await stored(learning_app, world)
        problem(await submit(client, world, assignment["id"], text="  "), 422, "empty-submission")
        problem(await submit(client, world, assignment["id"], text=None), 422, "empty-submission")
        r = await submit(
            client,
            world,
            assignment["id"],
            files=[(f"{n}.pdf", PDF, "application/pdf") for n in range(11)],
        )
        problem(r, 422, "too-many-files")
        r = await submit(
            client,
            world,
            assignment["id"],
            files=[
                ("ok.pdf", PDF, "application/pdf"),
                ("x.exe", b"MZ\x90\x00", "application/x-msdownload"),
            ],
        )
        problem(r, 415, "file-type-refused")
        r = await submit(
            client, world, assignment["id"], files=[("fake.pdf", PNG, "application/pdf")]
        )
        problem(r, 415, "file-type-mismatch")
        r = await submit(client, world, assignment["id"], text="ответ\x00")
        problem(r, 422, "validation-error")
        assert await stored(learning_app, world) == before

    async def test_a_retry_with_the_same_idempotency_key_is_stored_once(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        assignment: dict[str, Any],
    ) -> None:
        # a client repeating a request sends the same bytes: a fixed multipart boundary
        headers = {
            "Idempotency-Key": "submit-7b-1",
            "Content-Type": "multipart/form-data; boundary=eo-test-boundary",
        }
        files = [("решение.pdf", PDF, "application/pdf")]
        first = await submit(client, world, assignment["id"], files=files, headers=headers)
        assert first.status_code == 201, first.text
        again = await submit(client, world, assignment["id"], files=files, headers=headers)
        assert again.status_code == 201
        assert again.headers["idempotent-replayed"] == "true"
        assert again.json() == first.json()
        subs, files_count, _ = await stored(learning_app, world)
        assert (subs, files_count) == (1, 1)
        assert len(await events(client, world, "submission.received")) == 1

        other = await submit(
            client, world, assignment["id"], text="другой ответ", files=files, headers=headers
        )
        problem(other, 422, "idempotency-key-reused")
        assert (await stored(learning_app, world))[0] == 1

    async def test_an_accepted_work_takes_no_new_version_a_returned_one_does(
        self,
        client: httpx.AsyncClient,
        world: World,
        assignment: dict[str, Any],
    ) -> None:
        v1 = (await submit(client, world, assignment["id"])).json()
        assert (await review(client, world, v1["id"], status="returned")).status_code == 201
        v2 = (await submit(client, world, assignment["id"])).json()
        assert v2["version"] == 2
        assert (await review(client, world, v2["id"], status="accepted")).status_code == 201
        r = await submit(client, world, assignment["id"])
        problem(r, 409, "work-already-accepted")


class TestRecordedWorks:
    async def test_a_teacher_records_a_work_received_by_email(
        self,
        client: httpx.AsyncClient,
        world: World,
        assignment: dict[str, Any],
        clock: FakeClock,
    ) -> None:
        r = await client.post(
            f"{API}/assignments/{assignment['id']}/submissions/recorded",
            data={
                "student_id": str(world.id("student2")),
                "channel": "email",
                "received_at": "2026-11-24T21:15:00",  # school time, naive
                "text": "Пришло письмом от родителя",
            },
            files=[("files", ("скан.pdf", PDF, "application/pdf"))],
            headers=world.headers("teacher"),
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["channel"] == "email"
        assert body["student_id"] == str(world.id("student2"))
        assert body["recorded_by"] == str(world.id("teacher"))
        assert datetime.fromisoformat(body["received_at"]) == datetime(
            2026, 11, 24, 17, 15, tzinfo=UTC
        )
        assert body["received_local"] == "2026-11-24T21:15:00+04:00"
        assert body["late"] is False
        (evt,) = await events(client, world, "submission.received")
        assert evt["payload"]["channel"] == "email"
        assert evt["payload"]["recorded_by"] == str(world.id("teacher"))
        assert evt["payload"]["received_local_date"] == "2026-11-24"

        # the student goes on through the platform: version 2
        v2 = (await submit(client, world, assignment["id"], as_="student2")).json()
        assert v2["version"] == 2

        # a paper work with neither text nor files, after the deadline, by an admin
        clock.set_local(datetime(2026, 11, 30, 9, 0))
        r = await client.post(
            f"{API}/assignments/{assignment['id']}/submissions/recorded",
            data={
                "student_id": str(world.id("student")),
                "channel": "other",
                "received_at": "2026-11-28T12:00:00+04:00",
            },
            headers=world.headers("admin"),
        )
        assert r.status_code == 201, r.text
        assert r.json()["late"] is True
        assert r.json()["files"] == []

    async def test_recording_rules(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        assignment: dict[str, Any],
    ) -> None:
        draft = await create_assignment(client, world, course_id, draft=True)
        url = f"{API}/assignments/{assignment['id']}/submissions/recorded"
        form = {
            "student_id": str(world.id("student")),
            "channel": "email",
            "received_at": "2026-11-25T09:00:00",
        }
        before = await stored(learning_app, world)
        r = await client.post(
            url,
            data={**form, "received_at": "2026-11-25T11:00:00"},
            headers=world.headers("teacher"),
        )
        problem(r, 422, "received-in-future")
        r = await client.post(
            url,
            data={**form, "student_id": str(world.id("student3"))},
            headers=world.headers("teacher"),
        )
        problem(r, 422, "student-not-assigned")
        r = await client.post(
            url, data={**form, "channel": "platform"}, headers=world.headers("teacher")
        )
        problem(r, 422, "validation-error")
        r = await client.post(
            f"{API}/assignments/{draft['id']}/submissions/recorded",
            data=form,
            headers=world.headers("teacher"),
        )
        problem(r, 409, "assignment-not-published")
        for who in ("teacher2", "staff", "student", "guardian"):
            r = await client.post(url, data=form, headers=world.headers(who))
            problem(r, 403, "forbidden")
        assert await stored(learning_app, world) == before


class TestReading:
    async def test_a_version_is_read_by_its_student_guardian_and_staff_only(
        self,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        assignment: dict[str, Any],
    ) -> None:
        sub = (
            await submit(client, world, assignment["id"], files=[("a.mp3", MP3, "audio/mpeg")])
        ).json()
        await review(client, world, sub["id"], status="returned", mark="3")
        for who in ("student", "guardian"):
            r = await client.get(f"{API}/submissions/{sub['id']}", headers=world.headers(who))
            assert r.status_code == 200, who
            assert r.json()["review"]["status"] == "returned"
            assert r.json()["review"]["mark"] is None  # the mark is read in the review itself
        for who in ("teacher", "teacher2", "staff", "admin"):
            r = await client.get(f"{API}/submissions/{sub['id']}", headers=world.headers(who))
            assert r.status_code == 200, who
            assert r.json()["review"]["mark"] == "3"
        for who in ("student2", "guardian2"):
            r = await client.get(f"{API}/submissions/{sub['id']}", headers=world.headers(who))
            problem(r, 404, "submission-not-found")
        r = await client.get(f"{API}/submissions/{sub['id']}", headers=other_world.headers("admin"))
        problem(r, 404, "submission-not-found")

        # lists: a student sees only their own work
        await submit(client, world, assignment["id"], as_="student2")
        r = await client.get(
            f"{API}/assignments/{assignment['id']}/submissions", headers=world.headers("student2")
        )
        assert [i["student_id"] for i in r.json()["items"]] == [str(world.id("student2"))]
        r = await client.get(
            f"{API}/assignments/{assignment['id']}/submissions", headers=world.headers("teacher")
        )
        assert len(r.json()["items"]) == 2
        r = await client.get(
            f"{API}/assignments/{assignment['id']}/submissions",
            params={"student_id": str(world.id("student2"))},
            headers=world.headers("guardian"),
        )
        problem(r, 404, "student-not-found")
