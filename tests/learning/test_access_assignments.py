"""Who may do what with assignments, works, reviews and the review report (LE-5, LE-6,
LE-7, X-7): every operation × role × relation.

The rules:

* anonymous: 401 everywhere;
* admin: everything in the own school; staff: reads only (writes 403);
* teacher ("teacher", of the course): writes in the course; another teacher
  ("teacher2") reads the school's assignments and works but writes 403;
* student: the published assignments given to them and their own works; submits only
  for themselves; other writes 403;
* guardian: what their linked child sees; writes 403;
* another child's objects (student2's) are 404 for the student and the guardian;
* another school's objects are 404 (a write refused by role first may say 403).

Each operation runs as one test against a fresh school and a second school. Every
successful response is scanned for the other school's identifiers.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.learning.assignments_support import (
    API,
    MP3,
    PDF,
    create_assignment,
    install_clock,
    make_course,
    review,
    submit,
)
from tests.support.service_world import World

ROLES = ("anonymous", "student", "guardian", "teacher2", "staff", "teacher", "admin")

COVERED: set[str] = {
    "learning_create_assignment",
    "learning_list_assignments",
    "learning_get_assignment",
    "learning_update_assignment",
    "learning_publish_assignment",
    "learning_delete_assignment",
    "learning_submit_work",
    "learning_record_received_work",
    "learning_list_assignment_submissions",
    "learning_get_submission",
    "learning_download_submission_file",
    "learning_review_submission",
    "learning_get_submission_review",
    "learning_download_review_media",
    "learning_report_unreviewed_works",
}


@dataclass
class Ctx:
    app: FastAPI
    client: httpx.AsyncClient
    world: World
    other: World
    course: uuid.UUID
    other_course: uuid.UUID
    assignment: dict[str, Any] = field(default_factory=dict)  # class 7Б, published
    only2: dict[str, Any] = field(default_factory=dict)  # given to student2 only
    other_assignment: dict[str, Any] = field(default_factory=dict)
    work: dict[str, Any] = field(default_factory=dict)  # student's, reviewed with audio
    work2: dict[str, Any] = field(default_factory=dict)  # student2's, reviewed with audio
    other_work: dict[str, Any] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return self.world.headers(role)

    def school(self, target: str) -> World:
        return self.other if target == "other_school" else self.world

    async def draft(self, target: str) -> str:
        w = self.school(target)
        course = self.other_course if target == "other_school" else self.course
        return str((await create_assignment(self.client, w, course, draft=True))["id"])

    async def fresh_work(self, target: str) -> str:
        w = self.school(target)
        course = self.other_course if target == "other_school" else self.course
        a = await create_assignment(self.client, w, course)
        r = await submit(self.client, w, a["id"])
        assert r.status_code == 201, r.text
        return str(r.json()["id"])

    def target_work(self, target: str) -> dict[str, Any]:
        return {"own": self.work, "other_child": self.work2, "other_school": self.other_work}[
            target
        ]

    def target_assignment(self, target: str) -> dict[str, Any]:
        return {
            "own": self.assignment,
            "other_child": self.only2,
            "other_school": self.other_assignment,
        }[target]


async def reviewed_work(
    client: httpx.AsyncClient, w: World, assignment_id: str, who: str
) -> dict[str, Any]:
    r = await submit(
        client, w, assignment_id, as_=who, files=[("работа.pdf", PDF, "application/pdf")]
    )
    assert r.status_code == 201, r.text
    work: dict[str, Any] = r.json()
    r = await review(client, w, work["id"], media=("отзыв.mp3", MP3, "audio/mpeg"))
    assert r.status_code == 201, r.text
    return work


@pytest.fixture
async def ctx(
    learning_app: FastAPI, client: httpx.AsyncClient, world: World, other_world: World
) -> Ctx:
    install_clock(learning_app)
    c = Ctx(
        learning_app,
        client,
        world,
        other_world,
        course=await make_course(learning_app, world),
        other_course=await make_course(learning_app, other_world),
    )
    c.assignment = await create_assignment(client, world, c.course)
    c.only2 = await create_assignment(
        client,
        world,
        c.course,
        target={"kind": "students", "student_ids": [str(world.id("student2"))]},
    )
    c.other_assignment = await create_assignment(client, other_world, c.other_course)
    c.work = await reviewed_work(client, world, c.assignment["id"], "student")
    c.work2 = await reviewed_work(client, world, c.only2["id"], "student2")
    c.other_work = await reviewed_work(client, other_world, c.other_assignment["id"], "student")
    return c


Call = Callable[[Ctx, str, str], Awaitable[httpx.Response]]


# -- the operations -------------------------------------------------------------------


async def create_assignment_op(c: Ctx, role: str, target: str) -> httpx.Response:
    course = c.other_course if target == "other_school" else c.course
    return await c.client.post(
        f"{API}/assignments",
        json={"course_id": str(course), "title": "Новое", "due_at": "2026-12-01T18:00:00"},
        headers=c.headers(role),
    )


async def list_assignments_op(c: Ctx, role: str, target: str) -> httpx.Response:
    params: dict[str, str] = {}
    if target == "other_child":
        params["student_id"] = str(c.world.id("student2"))
    elif target == "other_school":
        params["student_id"] = str(c.other.id("student"))
    return await c.client.get(f"{API}/assignments", params=params, headers=c.headers(role))


async def get_assignment_op(c: Ctx, role: str, target: str) -> httpx.Response:
    a = c.target_assignment(target)
    return await c.client.get(f"{API}/assignments/{a['id']}", headers=c.headers(role))


async def update_assignment_op(c: Ctx, role: str, target: str) -> httpx.Response:
    draft = await c.draft(target)
    return await c.client.patch(
        f"{API}/assignments/{draft}", json={"title": "Изменено"}, headers=c.headers(role)
    )


async def publish_assignment_op(c: Ctx, role: str, target: str) -> httpx.Response:
    draft = await c.draft(target)
    return await c.client.post(f"{API}/assignments/{draft}/publish", headers=c.headers(role))


async def delete_assignment_op(c: Ctx, role: str, target: str) -> httpx.Response:
    draft = await c.draft(target)
    return await c.client.delete(f"{API}/assignments/{draft}", headers=c.headers(role))


async def submit_work_op(c: Ctx, role: str, target: str) -> httpx.Response:
    a = c.target_assignment(target)
    if target == "own":  # the student's work on ``assignment`` is already accepted
        a = await create_assignment(c.client, c.world, c.course)
    return await c.client.post(
        f"{API}/assignments/{a['id']}/submissions",
        data={"text": "Ответ"},
        headers=c.headers(role),
    )


async def record_received_work_op(c: Ctx, role: str, target: str) -> httpx.Response:
    w = c.school(target)
    a = c.target_assignment(target)
    if target == "own":
        a = await create_assignment(c.client, c.world, c.course)
    return await c.client.post(
        f"{API}/assignments/{a['id']}/submissions/recorded",
        data={
            "student_id": str(w.id("student2" if target == "other_child" else "student")),
            "channel": "email",
            "received_at": "2026-11-25T08:00:00",
        },
        headers=c.headers(role),
    )


async def list_assignment_submissions_op(c: Ctx, role: str, target: str) -> httpx.Response:
    params: dict[str, str] = {}
    a = c.assignment
    if target == "other_child":
        params["student_id"] = str(c.world.id("student2"))
    elif target == "other_school":
        a = c.other_assignment
    return await c.client.get(
        f"{API}/assignments/{a['id']}/submissions", params=params, headers=c.headers(role)
    )


async def get_submission_op(c: Ctx, role: str, target: str) -> httpx.Response:
    w = c.target_work(target)
    return await c.client.get(f"{API}/submissions/{w['id']}", headers=c.headers(role))


async def download_submission_file_op(c: Ctx, role: str, target: str) -> httpx.Response:
    w = c.target_work(target)
    return await c.client.get(
        f"{API}/submissions/{w['id']}/files/{w['files'][0]['id']}", headers=c.headers(role)
    )


async def review_submission_op(c: Ctx, role: str, target: str) -> httpx.Response:
    work_id = await c.fresh_work(target)
    return await c.client.post(
        f"{API}/submissions/{work_id}/review",
        data={"status": "accepted", "mark": "5"},
        headers=c.headers(role),
    )


async def get_submission_review_op(c: Ctx, role: str, target: str) -> httpx.Response:
    w = c.target_work(target)
    return await c.client.get(f"{API}/submissions/{w['id']}/review", headers=c.headers(role))


async def download_review_media_op(c: Ctx, role: str, target: str) -> httpx.Response:
    w = c.target_work(target)
    return await c.client.get(f"{API}/submissions/{w['id']}/review/media", headers=c.headers(role))


async def report_unreviewed_works_op(c: Ctx, role: str, target: str) -> httpx.Response:
    params = {"date": "2026-11-25"}
    if target == "other_school":
        params["teacher_id"] = str(c.other.id("teacher"))
    return await c.client.get(f"{API}/reports/unreviewed", params=params, headers=c.headers(role))


# -- expected statuses ----------------------------------------------------------------

READ_ALL = dict.fromkeys(ROLES[1:], 200)
CHILD_404 = {"student": 404, "guardian": 404}
ALL_404 = dict.fromkeys(ROLES[1:], 404)
WRITE = {
    "student": 403,
    "guardian": 403,
    "teacher2": 403,
    "staff": 403,
}
WRITE_OTHER_SCHOOL = {
    "student": 403,
    "guardian": 403,
    "staff": 403,
    "teacher2": 404,
    "teacher": 404,
    "admin": 404,
}

MATRIX: dict[str, tuple[Call, dict[str, dict[str, int]]]] = {
    "learning_create_assignment": (
        create_assignment_op,
        {
            "own": {**WRITE, "teacher": 201, "admin": 201},
            "other_school": WRITE_OTHER_SCHOOL,
        },
    ),
    "learning_list_assignments": (
        list_assignments_op,
        {"own": READ_ALL, "other_child": CHILD_404, "other_school": ALL_404},
    ),
    "learning_get_assignment": (
        get_assignment_op,
        {"own": READ_ALL, "other_child": CHILD_404, "other_school": ALL_404},
    ),
    "learning_update_assignment": (
        update_assignment_op,
        {"own": {**WRITE, "teacher": 200, "admin": 200}, "other_school": WRITE_OTHER_SCHOOL},
    ),
    "learning_publish_assignment": (
        publish_assignment_op,
        {"own": {**WRITE, "teacher": 200, "admin": 200}, "other_school": WRITE_OTHER_SCHOOL},
    ),
    "learning_delete_assignment": (
        delete_assignment_op,
        {"own": {**WRITE, "teacher": 204, "admin": 204}, "other_school": WRITE_OTHER_SCHOOL},
    ),
    "learning_submit_work": (
        submit_work_op,
        {
            "own": {
                "student": 201,
                "guardian": 403,
                "teacher2": 403,
                "staff": 403,
                "teacher": 403,
                "admin": 403,
            },
            "other_child": {"student": 404},
            "other_school": {"student": 404, "guardian": 403, "teacher": 403},
        },
    ),
    "learning_record_received_work": (
        record_received_work_op,
        {"own": {**WRITE, "teacher": 201, "admin": 201}, "other_school": WRITE_OTHER_SCHOOL},
    ),
    "learning_list_assignment_submissions": (
        list_assignment_submissions_op,
        {"own": READ_ALL, "other_child": CHILD_404, "other_school": ALL_404},
    ),
    "learning_get_submission": (
        get_submission_op,
        {"own": READ_ALL, "other_child": CHILD_404, "other_school": ALL_404},
    ),
    "learning_download_submission_file": (
        download_submission_file_op,
        {"own": READ_ALL, "other_child": CHILD_404, "other_school": ALL_404},
    ),
    "learning_review_submission": (
        review_submission_op,
        {"own": {**WRITE, "teacher": 201, "admin": 201}, "other_school": WRITE_OTHER_SCHOOL},
    ),
    "learning_get_submission_review": (
        get_submission_review_op,
        {"own": READ_ALL, "other_child": CHILD_404, "other_school": ALL_404},
    ),
    "learning_download_review_media": (
        download_review_media_op,
        {"own": READ_ALL, "other_child": CHILD_404, "other_school": ALL_404},
    ),
    "learning_report_unreviewed_works": (
        report_unreviewed_works_op,
        {
            "own": {
                "student": 403,
                "guardian": 403,
                "teacher2": 200,
                "staff": 200,
                "teacher": 200,
                "admin": 200,
            },
            "other_school": {
                "student": 403,
                "guardian": 403,
                "teacher": 403,
                "teacher2": 403,
                "staff": 404,
                "admin": 404,
            },
        },
    ),
}


def test_every_operation_has_a_row() -> None:
    assert set(MATRIX) == COVERED


@pytest.mark.parametrize("operation", sorted(MATRIX))
async def test_access(ctx: Ctx, operation: str) -> None:
    call, expected = MATRIX[operation]
    foreign = {
        str(ctx.other.school_id),
        str(ctx.other_course),
        ctx.other_assignment["id"],
        ctx.other_work["id"],
    }
    # the anonymous caller is refused everywhere
    r = await call(ctx, "anonymous", "own")
    assert r.status_code == 401, (operation, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    failures = []
    for target in ("other_school", "other_child", "own"):
        for role in ROLES[1:]:
            want = expected.get(target, {}).get(role)
            if want is None:
                continue
            r = await call(ctx, role, target)
            if r.status_code != want:
                failures.append(f"{target} {role}: {r.status_code} != {want}: {r.text[:200]}")
                continue
            if r.status_code >= 400:
                assert r.headers["content-type"].startswith("application/problem+json")
            elif r.headers.get("content-type", "").startswith("application/json"):
                leaked = [f for f in foreign if f in r.text]
                if leaked:
                    failures.append(f"{target} {role}: another school's ids {leaked}")
    assert not failures, "\n".join(failures)
