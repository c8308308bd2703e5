"""Lists of assignments (LE-5, X-3, X-7): what each role sees, counts per assignment, the
student's own work, pagination, and a constant number of queries whatever the class
size."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.learning.assignments_support import (
    API,
    FakeClock,
    add_students,
    create_assignment,
    install_clock,
    link_guardian,
    make_course,
    review,
    submit,
)
from tests.support.keys import mint
from tests.support.service_world import World, seed_directory


@pytest.fixture
def clock(learning_app: FastAPI) -> FakeClock:
    return install_clock(learning_app)


@pytest.fixture
async def course_id(learning_app: FastAPI, world: World) -> uuid.UUID:
    return await make_course(learning_app, world)


async def listed(
    client: httpx.AsyncClient, world: World, who: str, **params: Any
) -> list[dict[str, Any]]:
    r = await client.get(f"{API}/assignments", params=params, headers=world.headers(who))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    return items


@contextmanager
def count_statements(app: FastAPI) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(str(args[2]))

    engine = app.state.database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


class TestWhoSeesWhat:
    async def test_each_role_sees_its_own_assignments(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        everyone = await create_assignment(client, world, course_id, title="Всем")
        only2 = await create_assignment(
            client,
            world,
            course_id,
            title="Второй",
            target={"kind": "students", "student_ids": [str(world.id("student2"))]},
        )
        draft = await create_assignment(client, world, course_id, title="Черновик", draft=True)
        course2 = await make_course(
            learning_app, world, teachers=["teacher2"], class_name="3А", subject="Чтение"
        )
        third = await create_assignment(client, world, course2, title="3А", as_="teacher2")

        def ids(items: list[dict[str, Any]]) -> set[str]:
            return {i["id"] for i in items}

        assert ids(await listed(client, world, "teacher")) == {
            everyone["id"],
            only2["id"],
            draft["id"],
        }
        assert ids(await listed(client, world, "teacher", course_id=str(course2))) == {third["id"]}
        assert ids(await listed(client, world, "teacher2")) == {third["id"]}
        all_ = {everyone["id"], only2["id"], draft["id"], third["id"]}
        assert ids(await listed(client, world, "admin")) == all_
        assert ids(await listed(client, world, "staff")) == all_
        assert ids(await listed(client, world, "admin", status="draft")) == {draft["id"]}
        assert ids(await listed(client, world, "student")) == {everyone["id"]}
        assert ids(await listed(client, world, "student2")) == {everyone["id"], only2["id"]}
        assert ids(await listed(client, world, "student3")) == {third["id"]}
        assert ids(await listed(client, world, "guardian")) == {everyone["id"]}
        assert ids(
            await listed(client, world, "guardian2", student_id=str(world.id("student2")))
        ) == {everyone["id"], only2["id"]}
        # staff may look at one student's assignments: published ones only
        assert ids(
            await listed(client, world, "teacher", student_id=str(world.id("student2")))
        ) == {everyone["id"], only2["id"]}

        # another child, another school: not found
        r = await client.get(
            f"{API}/assignments",
            params={"student_id": str(world.id("student2"))},
            headers=world.headers("guardian"),
        )
        assert r.status_code == 404
        r = await client.get(
            f"{API}/assignments",
            params={"student_id": str(world.id("student"))},
            headers=world.headers("student2"),
        )
        assert r.status_code == 404

    async def test_students_and_guardians_do_not_see_the_group_list(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        a = await create_assignment(
            client,
            world,
            course_id,
            target={
                "kind": "group",
                "group_name": "Группа А",
                "student_ids": [str(world.id("student")), str(world.id("student2"))],
            },
        )
        (item,) = await listed(client, world, "student")
        assert item["target"] == {"kind": "group", "group_name": "Группа А", "student_ids": None}
        assert item["stats"] is None
        r = await client.get(f"{API}/assignments/{a['id']}", headers=world.headers("teacher"))
        assert len(r.json()["target"]["student_ids"]) == 2

    async def test_a_single_assignment_is_hidden_from_those_it_was_not_given_to(
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
        for who in ("student", "guardian", "student3"):
            r = await client.get(f"{API}/assignments/{only2['id']}", headers=world.headers(who))
            assert r.status_code == 404, who
        for who in ("student2", "guardian2", "teacher", "teacher2", "staff", "admin"):
            r = await client.get(f"{API}/assignments/{only2['id']}", headers=world.headers(who))
            assert r.status_code == 200, who
        r = await client.get(
            f"{API}/assignments/{only2['id']}", headers=other_world.headers("admin")
        )
        assert r.status_code == 404


class TestCountsAndWork:
    async def test_teachers_see_counts_and_students_their_work(
        self,
        learning_app: FastAPI,
        client: httpx.AsyncClient,
        world: World,
        course_id: uuid.UUID,
        clock: FakeClock,
    ) -> None:
        a = await create_assignment(client, world, course_id)
        (item,) = await listed(client, world, "student")
        assert item["work"] == {
            "student_id": str(world.id("student")),
            "submission_id": None,
            "version": None,
            "received_at": None,
            "late": None,
            "review_status": None,
        }
        first = (await submit(client, world, a["id"])).json()
        second = (await submit(client, world, a["id"], as_="student2")).json()
        assert (await review(client, world, second["id"], status="returned")).status_code == 201
        second_v2 = (await submit(client, world, a["id"], as_="student2")).json()
        assert second_v2["version"] == 2

        (item,) = await listed(client, world, "teacher", course_id=str(course_id))
        assert item["stats"] == {
            "targets": 2,
            "submitted": 2,
            "late": 0,
            "reviewed": 0,
            "returned": 0,
            "awaiting_review": 2,
        }
        assert (await review(client, world, first["id"])).status_code == 201
        (item,) = await listed(client, world, "teacher", course_id=str(course_id))
        assert item["stats"]["reviewed"] == 1
        assert item["stats"]["awaiting_review"] == 1

        (item,) = await listed(client, world, "student")
        assert item["work"]["submission_id"] == first["id"]
        assert item["work"]["review_status"] == "accepted"
        (item,) = await listed(client, world, "guardian2")
        assert item["work"]["submission_id"] == second_v2["id"]
        assert item["work"]["version"] == 2
        assert item["work"]["review_status"] is None
        r = await client.get(f"{API}/assignments/{a['id']}", headers=world.headers("student2"))
        assert r.json()["work"]["version"] == 2


class TestPages:
    async def test_pages_follow_the_deadline_newest_first(
        self, client: httpx.AsyncClient, world: World, course_id: uuid.UUID, clock: FakeClock
    ) -> None:
        made = [
            await create_assignment(client, world, course_id, due_at=f"2026-12-0{d}T18:00:00")
            for d in (3, 1, 2)
        ]
        seen: list[str] = []
        params: dict[str, Any] = {"limit": 2}
        while True:
            r = await client.get(
                f"{API}/assignments", params=params, headers=world.headers("student")
            )
            assert r.status_code == 200, r.text
            seen += [i["due_local"][:10] for i in r.json()["items"]]
            if r.json()["next_cursor"] is None:
                break
            assert 'rel="next"' in r.headers["link"]
            params = {"limit": 2, "cursor": r.json()["next_cursor"]}
        assert seen == ["2026-12-03", "2026-12-02", "2026-12-01"]
        assert len(made) == 3
        r = await client.get(
            f"{API}/assignments",
            params={"due_from": "2026-12-02", "due_to": "2026-12-02"},
            headers=world.headers("teacher"),
        )
        assert [i["due_local"][:10] for i in r.json()["items"]] == ["2026-12-02"]
        r = await client.get(
            f"{API}/assignments", params={"cursor": "не-курсор"}, headers=world.headers("teacher")
        )
        assert r.status_code == 400


class TestQueryCount:
    """1 student in class 3А against 30: the same statements for every list."""

    async def _counts(
        self, app: FastAPI, client: httpx.AsyncClient, world: World, course_id: uuid.UUID
    ) -> dict[str, int]:
        counts: dict[str, int] = {}
        reads = {
            "teacher": ({"course_id": str(course_id)}, "teacher2"),
            "teacher_own": ({}, "teacher2"),
            "admin": ({}, "admin"),
            "student": ({}, "student3"),
            "guardian": ({}, "guardian"),
            "staff_by_student": ({"student_id": str(world.id("student3"))}, "staff"),
        }
        for name, (params, who) in reads.items():
            with count_statements(app) as statements:
                r = await client.get(
                    f"{API}/assignments", params=params, headers=world.headers(who)
                )
            assert r.status_code == 200, r.text
            assert len(r.json()["items"]) == 4, (name, r.text)
            counts[name] = len(statements)
        with count_statements(app) as statements:
            r = await client.get(
                f"{API}/assignments/{self.first_id}/submissions", headers=world.headers("teacher2")
            )
        assert r.status_code == 200, r.text
        counts["submissions"] = len(statements)
        return counts

    async def _school(
        self, app: FastAPI, client: httpx.AsyncClient, students: int
    ) -> tuple[World, uuid.UUID]:
        world = World()
        await seed_directory(app, world)
        await link_guardian(app, world, "guardian", world.id("student3"))
        extra = await add_students(app, world, students - 1, class_name="3А")
        course_id = await make_course(app, world, teachers=["teacher2"], class_name="3А")
        for n in range(3):
            a = await create_assignment(
                client, world, course_id, title=f"Задание {n}", as_="teacher2"
            )
            self.first_id = a["id"]
            for student_id in [world.id("student3"), *extra]:
                await _submit_as(client, world, a["id"], student_id)
        group = [str(s) for s in [world.id("student3"), *extra]]
        await create_assignment(
            client,
            world,
            course_id,
            as_="teacher2",
            target={"kind": "group", "group_name": "Г", "student_ids": group},
        )
        return world, course_id

    async def test_lists_cost_the_same_for_1_and_30_students(
        self, learning_app: FastAPI, client: httpx.AsyncClient, clock: FakeClock
    ) -> None:
        small, small_course = await self._school(learning_app, client, 1)
        small_counts = await self._counts(learning_app, client, small, small_course)
        big, big_course = await self._school(learning_app, client, 30)
        big_counts = await self._counts(learning_app, client, big, big_course)
        assert small_counts == big_counts


async def _submit_as(
    client: httpx.AsyncClient, world: World, assignment_id: str, student_id: uuid.UUID
) -> None:
    token = mint(student_id, world.school_id, ("student",))
    r = await client.post(
        f"{API}/assignments/{assignment_id}/submissions",
        data={"text": "Ответ"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 201, r.text
