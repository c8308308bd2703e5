"""Reviews (LE-7, Reg §1.6, §2.4): mark and comment as text, audio or video, accepted or
returned, the review.completed event and the student's first opening of the feedback."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from services.learning.models import Review, StoredFile, kernel
from tests.learning.assignments_support import (
    API,
    MP3,
    MP4,
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

COMPLETED_KEYS = {
    "id",
    "submission_id",
    "submission_version",
    "assignment_id",
    "assignment_title",
    "course_id",
    "subject",
    "lesson_id",
    "student_id",
    "reviewer_id",
    "mark",
    "status",
    "comment_text",
    "has_media_comment",
    "reviewed_at",
    "submitted_at",
    "work",
}


async def stored(app: FastAPI, world: World) -> tuple[int, int, int]:
    async with app.state.database.session() as session:
        reviews = await session.scalar(
            select(func.count()).select_from(Review).where(Review.school_id == world.school_id)
        )
        files = await session.scalar(
            select(func.count())
            .select_from(StoredFile)
            .where(StoredFile.school_id == world.school_id, StoredFile.purpose == "review_comment")
        )
        evts = await session.scalar(
            select(func.count())
            .select_from(kernel.outbox)
            .where(kernel.outbox.school_id == world.school_id)
        )
    return reviews or 0, files or 0, evts or 0


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
    return await create_assignment(client, world, course_id, title="Сочинение «Осень»")


@pytest.fixture
async def work(
    client: httpx.AsyncClient, world: World, assignment: dict[str, Any]
) -> dict[str, Any]:
    text = "Осень наступила. " * 60
    r = await submit(
        client,
        world,
        assignment["id"],
        text=text,
        files=[("сочинение.pdf", PDF, "application/pdf"), ("рисунок.png", PNG, "image/png")],
    )
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


class TestReviewing:
    async def test_a_review_with_mark_text_and_audio(
        self,
        client: httpx.AsyncClient,
        world: World,
        assignment: dict[str, Any],
        work: dict[str, Any],
        clock: FakeClock,
    ) -> None:
        clock.advance(hours=2)
        r = await review(
            client,
            world,
            work["id"],
            status="accepted",
            mark="5",
            comment="Хорошо раскрыта тема",
            media=("отзыв.mp3", MP3, "audio/mpeg"),
        )
        assert r.status_code == 201, r.text
        body = r.json()
        assert body["status"] == "accepted"
        assert body["mark"] == "5"
        assert body["comment_text"] == "Хорошо раскрыта тема"
        assert body["media"]["name"] == "отзыв.mp3"
        assert body["media"]["content_type"] == "audio/mpeg"
        assert body["reviewer_id"] == str(world.id("teacher"))
        assert body["reviewer_name"] == "Иванова Анна"
        assert body["submission_version"] == 1
        assert body["first_opened_at"] is None
        assert datetime.fromisoformat(body["reviewed_at"]) == clock.now

        (evt,) = await events(client, world, "review.completed")
        payload = evt["payload"]
        assert set(payload) == COMPLETED_KEYS
        assert payload["id"] == body["id"]
        assert payload["submission_id"] == work["id"]
        assert payload["submission_version"] == 1
        assert payload["assignment_id"] == assignment["id"]
        assert payload["assignment_title"] == "Сочинение «Осень»"
        assert payload["course_id"] == assignment["course_id"]
        assert payload["subject"] == "Математика"
        assert payload["lesson_id"] is None
        assert payload["student_id"] == str(world.id("student"))
        assert payload["reviewer_id"] == str(world.id("teacher"))
        assert payload["mark"] == "5"
        assert payload["status"] == "accepted"
        assert payload["has_media_comment"] is True
        assert payload["reviewed_at"] == clock.now.isoformat()
        assert payload["submitted_at"] == "2026-11-25T06:00:00+00:00"
        excerpt = payload["work"]["text_excerpt"]
        assert excerpt.startswith("Осень наступила.")
        assert len(excerpt) <= 500
        assert excerpt.endswith("…")
        assert payload["work"]["file_names"] == ["сочинение.pdf", "рисунок.png"]

        # the media is downloaded by those who read the review
        url = f"{API}/submissions/{work['id']}/review/media"
        for who in ("student", "guardian", "teacher"):
            r = await client.get(url, headers=world.headers(who))
            assert r.status_code == 200, who
            assert r.content == MP3
        problem(
            await client.get(url, headers=world.headers("student2")), 404, "submission-not-found"
        )

    async def test_a_video_comment_alone_and_no_mark(
        self, client: httpx.AsyncClient, world: World, work: dict[str, Any]
    ) -> None:
        r = await review(
            client,
            world,
            work["id"],
            status="returned",
            mark=None,
            comment=None,
            media=("разбор.mp4", MP4, "video/mp4"),
        )
        assert r.status_code == 201, r.text
        assert r.json()["mark"] is None
        assert r.json()["comment_text"] is None
        (evt,) = await events(client, world, "review.completed")
        assert evt["payload"]["mark"] is None
        assert evt["payload"]["status"] == "returned"
        assert evt["payload"]["comment_text"] is None

    async def test_a_review_without_media_has_none_to_download(
        self, client: httpx.AsyncClient, world: World, work: dict[str, Any]
    ) -> None:
        await review(client, world, work["id"])
        r = await client.get(
            f"{API}/submissions/{work['id']}/review/media", headers=world.headers("teacher")
        )
        problem(r, 404, "file-not-found")

    async def test_bad_reviews_are_refused_and_nothing_is_stored(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        work: dict[str, Any],
    ) -> None:
        before = await stored(learning_app, world)
        problem(await review(client, world, work["id"], mark="6"), 422, "validation-error")
        problem(await review(client, world, work["id"], mark="отлично"), 422, "validation-error")
        problem(await review(client, world, work["id"], status="done"), 422, "validation-error")
        r = await client.post(
            f"{API}/submissions/{work['id']}/review",
            data={"mark": "5"},
            headers=world.headers("teacher"),
        )
        problem(r, 422, "validation-error")
        r = await review(client, world, work["id"], media=("отзыв.pdf", PDF, "application/pdf"))
        problem(r, 415, "file-type-refused")
        r = await review(client, world, work["id"], media=("отзыв.mp3", PNG, "audio/mpeg"))
        problem(r, 415, "file-type-mismatch")
        r = await review(client, world, work["id"], comment="плохо\x00")
        problem(r, 422, "validation-error")
        assert await stored(learning_app, world) == before

    async def test_each_mark_of_the_scale_is_accepted(
        self,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
    ) -> None:
        for mark in ("2", "3", "4", "5", "зачёт", "незачёт"):
            a = await create_assignment(client, world, course_id, title=f"Работа {mark}")
            sub = (await submit(client, world, a["id"])).json()
            r = await review(client, world, sub["id"], mark=mark)
            assert r.status_code == 201, r.text
            assert r.json()["mark"] == mark

    async def test_a_version_is_reviewed_once_and_only_the_latest(
        self,
        client: httpx.AsyncClient,
        world: World,
        assignment: dict[str, Any],
        work: dict[str, Any],
    ) -> None:
        assert (await review(client, world, work["id"], status="returned")).status_code == 201
        problem(await review(client, world, work["id"]), 409, "already-reviewed")
        v2 = (await submit(client, world, assignment["id"])).json()
        v3 = (await submit(client, world, assignment["id"])).json()
        problem(await review(client, world, v2["id"]), 409, "submission-superseded")
        r = await review(client, world, v3["id"], status="accepted", mark="4")
        assert r.status_code == 201
        assert r.json()["submission_version"] == 3
        assert [
            e["payload"]["submission_version"]
            for e in await events(client, world, "review.completed")
        ] == [1, 3]

    async def test_only_a_teacher_of_the_course_or_an_admin_reviews(
        self,
        client: httpx.AsyncClient,
        world: World,
        other_world: World,
        work: dict[str, Any],
    ) -> None:
        for who in ("teacher2", "staff", "student", "guardian"):
            problem(await review(client, world, work["id"], as_=who), 403, "forbidden")
        problem(
            await review(client, other_world, work["id"], as_="admin"), 404, "submission-not-found"
        )
        problem(
            await review(client, world, str(uuid.uuid4()), as_="admin"), 404, "submission-not-found"
        )
        assert (await review(client, world, work["id"], as_="admin")).status_code == 201


class TestFirstOpening:
    async def test_the_students_first_opening_is_recorded_once(
        self,
        client: httpx.AsyncClient,
        world: World,
        work: dict[str, Any],
        clock: FakeClock,
    ) -> None:
        url = f"{API}/submissions/{work['id']}/review"
        problem(await client.get(url, headers=world.headers("student")), 404, "review-not-found")
        await review(client, world, work["id"], mark="4", comment="Проверьте вывод")

        # a guardian and the teacher reading it do not count
        clock.advance(hours=1)
        for who in ("guardian", "teacher", "admin"):
            r = await client.get(url, headers=world.headers(who))
            assert r.status_code == 200, who
            assert r.json()["first_opened_at"] is None

        clock.set_local(datetime(2026, 11, 26, 8, 15))  # the next school day (Reg §1.6)
        opened_at = clock.now
        r = await client.get(url, headers=world.headers("student"))
        assert r.status_code == 200
        assert r.json()["mark"] == "4"
        assert r.json()["comment_text"] == "Проверьте вывод"
        assert datetime.fromisoformat(r.json()["first_opened_at"]) == opened_at

        clock.advance(days=1)
        r = await client.get(url, headers=world.headers("student"))
        assert datetime.fromisoformat(r.json()["first_opened_at"]) == opened_at
        r = await client.get(url, headers=world.headers("teacher"))
        assert datetime.fromisoformat(r.json()["first_opened_at"]) == opened_at
        r = await client.get(f"{API}/submissions/{work['id']}", headers=world.headers("teacher"))
        assert datetime.fromisoformat(r.json()["review"]["first_opened_at"]) == opened_at

        for who in ("student2", "guardian2"):
            problem(await client.get(url, headers=world.headers(who)), 404, "submission-not-found")
