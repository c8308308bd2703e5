"""Who sees the opted-out students of a course (LE-12, X-7).

The course's teachers and the administration (admin, staff) read the list; another
teacher, students and guardians get 403; another school's course is 404 (and a course a
student or guardian cannot see at all is 404 too); anonymous 401; service tokens 403.
"""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from tests.learning.assignments_support import make_course
from tests.learning.optouts_support import register_optout
from tests.support.access_check import expect
from tests.support.service_world import World, service_headers

API = "/api/v1/learning"

COVERED: set[str] = {"learning_list_course_optout_students"}


async def test_course_optout_students(
    client: httpx.AsyncClient, learning_app: FastAPI, world: World, other_world: World
) -> None:
    course = await make_course(learning_app, world)
    primary = await make_course(learning_app, world, class_name="3А", teachers=("teacher2",))
    await register_optout(learning_app, world, "student")
    url = f"{API}/courses/{course}/optout-students"
    await expect(
        client,
        "GET",
        url,
        world,
        other_world,
        {
            "anonymous": 401,
            "teacher": 200,
            "admin": 200,
            "staff": 200,
            "teacher2": 403,
            "student": 403,
            "guardian": 403,
            "student3": 404,
            "other:admin": 404,
            "other:teacher": 404,
        },
    )
    await expect(
        client,
        "GET",
        f"{API}/courses/{primary}/optout-students",
        world,
        other_world,
        {"teacher2": 200, "teacher": 403, "student": 404, "guardian": 404},
    )
    r = await client.get(url, headers=service_headers())
    assert r.status_code == 403
    # what the others see never names another school's students
    r = await client.get(url, headers=other_world.headers("admin"))
    assert str(world.id("student")) not in r.text
