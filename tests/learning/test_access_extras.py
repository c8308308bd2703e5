"""Who may do what with consultations, online courses, individual plans and the school's
learning settings (LE-9, LE-10, LE-11, X-7): every operation × every caller.

Callers: anonymous; the school's student (the guardian's child), student2 (another
child), guardian (linked to student), guardian2 (linked to student2), teacher (the
owner: the slot's teacher, the course's author, the plan's tutor), teacher2 (another
teacher), staff, admin; and ``other_school``, a caller of a second school. Each row
names the expected status per caller; rows that write prepare a fresh object for every
caller. For lists, ``hidden`` callers must not find the object in the answer while
every other successful caller must.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from tests.learning.extras_support import API, make_course
from tests.learning.test_consultations import slot_body
from tests.learning.test_individual_plans import plan_body
from tests.learning.test_online_courses import course_body
from tests.learning.test_online_courses import published_course as make_published_course
from tests.support.service_world import World

CALLERS = (
    "anonymous",
    "student",
    "student2",
    "guardian",
    "guardian2",
    "teacher",
    "teacher2",
    "staff",
    "admin",
    "other_school",
)


@dataclass
class Ctx:
    app: FastAPI
    client: httpx.AsyncClient
    world: World
    other: World

    def headers(self, caller: str, other_as: str) -> dict[str, str]:
        if caller == "other_school":
            return self.other.headers(other_as)
        return self.world.headers(caller)

    async def ok(self, method: str, url: str, who: str, json: Any = None) -> dict[str, Any]:
        r = await self.client.request(method, url, json=json, headers=self.world.headers(who))
        assert r.status_code in (200, 201), r.text
        result: dict[str, Any] = r.json()
        return result


State = dict[str, Any]
Request = tuple[str, str, Any]


@dataclass
class Row:
    op: str
    prepare: Callable[[Ctx], Awaitable[State]]
    request: Callable[[Ctx, State, str], Request]
    expect: dict[str, int]
    fresh: bool = True  # prepare again for every caller (the operation writes)
    hidden: frozenset[str] = field(default_factory=frozenset)  # lists: callers not seeing it
    other_as: str = "admin"  # the role of the other school's caller


def statuses(default: int, **per_caller: int) -> dict[str, int]:
    result = dict.fromkeys(CALLERS, default)
    result["anonymous"] = 401
    result.update(per_caller)
    return result


# -- preparing objects --------------------------------------------------------------------

SLOTS = f"{API}/consultations"
ONLINE = f"{API}/online-courses"
ENROLMENTS = f"{API}/online-course-enrolments"
PLANS = f"{API}/individual-plans"
SETTINGS = f"{API}/school-settings"


async def course_of_student(ctx: Ctx) -> str:
    """A sub-group course only "student" takes (student2 is the other child)."""
    return str(await make_course(ctx.app, ctx.world, students=["student"]))


async def proposed_slot(ctx: Ctx) -> State:
    course = await course_of_student(ctx)
    slot = await ctx.ok("POST", SLOTS, "teacher", slot_body(ctx.world, course_id=course))
    return {"id": slot["id"], "course_id": course}


async def approved_slot(ctx: Ctx) -> State:
    state = await proposed_slot(ctx)
    await ctx.ok("POST", f"{SLOTS}/{state['id']}/approve", "admin")
    return state


async def booked_slot(ctx: Ctx) -> State:
    state = await approved_slot(ctx)
    booking = await ctx.ok("POST", f"{SLOTS}/{state['id']}/bookings", "student", {})
    return state | {"booking_id": booking["id"]}


async def course_with_teacher(ctx: Ctx) -> State:
    return {"course_id": await course_of_student(ctx)}


async def draft_course(ctx: Ctx) -> State:
    course = await ctx.ok("POST", ONLINE, "teacher", course_body())
    module = await ctx.ok(
        "POST",
        f"{ONLINE}/{course['id']}/modules",
        "teacher",
        {"title": "Модуль 1", "material_ids": [], "quiz_ids": []},
    )
    return {"id": course["id"], "module_id": module["modules"][0]["id"]}


async def published_course(ctx: Ctx) -> State:
    """A published course of two modules (materials, then a test) by "teacher"."""
    course, items = await make_published_course(ctx.client, ctx.world, ctx.app)
    return {"id": course["id"], "module_id": items[0][0], "items": items}


async def enrolled_course(ctx: Ctx) -> State:
    state = await published_course(ctx)
    enrolment = await ctx.ok("POST", f"{ONLINE}/{state['id']}/enrolments", "student", {})
    return state | {"enrolment_id": enrolment["id"]}


async def plan_of_student(ctx: Ctx) -> State:
    plan = await ctx.ok("POST", PLANS, "admin", plan_body(ctx.world))
    return {"id": plan["id"]}


async def nothing(ctx: Ctx) -> State:
    return {}


def student_body(ctx: Ctx, caller: str) -> dict[str, Any]:
    """Booking and enrolment bodies: a student acts for themself (no body); anyone else
    names "student" (for student2, guardian2 and the other school: someone else's)."""
    return {} if caller == "student" else {"student_id": str(ctx.world.id("student"))}


# -- the matrix ---------------------------------------------------------------------------

NOT_FOR_OTHER_CHILD = {"student2": 404, "guardian2": 404, "other_school": 404}
FORBIDDEN_EXCEPT_OWNER = statuses(403, teacher=200, admin=200, **NOT_FOR_OTHER_CHILD)

ROWS: list[Row] = [
    # consultations
    Row(
        "learning_list_consultations",
        approved_slot,
        lambda ctx, s, c: ("GET", SLOTS, None),
        statuses(200),
        fresh=False,
        hidden=frozenset({"student2", "guardian2", "other_school"}),
    ),
    Row(
        "learning_create_consultation",
        course_with_teacher,
        lambda ctx, s, c: (
            "POST",
            SLOTS,
            slot_body(ctx.world, teacher_id=str(ctx.world.id("teacher")), course_id=s["course_id"]),
        ),
        statuses(403, teacher=201, admin=201, other_school=404),
    ),
    Row(
        "learning_get_consultation",
        approved_slot,
        lambda ctx, s, c: ("GET", f"{SLOTS}/{s['id']}", None),
        statuses(200, **NOT_FOR_OTHER_CHILD),
        fresh=False,
    ),
    Row(
        "learning_update_consultation",
        approved_slot,
        lambda ctx, s, c: ("PATCH", f"{SLOTS}/{s['id']}", {"topic": "Новая тема"}),
        FORBIDDEN_EXCEPT_OWNER,
    ),
    Row(
        "learning_approve_consultation",
        proposed_slot,
        lambda ctx, s, c: ("POST", f"{SLOTS}/{s['id']}/approve", None),
        statuses(403, admin=200, other_school=404),
    ),
    Row(
        "learning_cancel_consultation",
        approved_slot,
        lambda ctx, s, c: ("POST", f"{SLOTS}/{s['id']}/cancel", {"reason": "Болезнь"}),
        FORBIDDEN_EXCEPT_OWNER,
    ),
    Row(
        "learning_list_consultation_bookings",
        booked_slot,
        lambda ctx, s, c: ("GET", f"{SLOTS}/{s['id']}/bookings", None),
        statuses(403, teacher=200, admin=200, staff=200, **NOT_FOR_OTHER_CHILD),
        fresh=False,
    ),
    Row(
        "learning_book_consultation",
        approved_slot,
        lambda ctx, s, c: ("POST", f"{SLOTS}/{s['id']}/bookings", student_body(ctx, c)),
        statuses(403, student=201, guardian=201, student2=404, guardian2=404, other_school=404),
        other_as="guardian",
    ),
    Row(
        "learning_cancel_consultation_booking",
        booked_slot,
        lambda ctx, s, c: (
            "POST",
            f"{SLOTS}/{s['id']}/bookings/{s['booking_id']}/cancel",
            None,
        ),
        statuses(403, student=200, guardian=200, student2=404, guardian2=404, other_school=404),
        other_as="student",
    ),
    # online courses
    Row(
        "learning_list_online_courses",
        published_course,
        lambda ctx, s, c: ("GET", ONLINE, None),
        statuses(200),
        fresh=False,
        hidden=frozenset({"other_school"}),
    ),
    Row(
        "learning_create_online_course",
        nothing,
        lambda ctx, s, c: (
            "POST",
            ONLINE,
            course_body(author_id=str(ctx.world.id("teacher"))),
        ),
        statuses(403, teacher=201, admin=201, other_school=404),
    ),
    Row(
        "learning_get_online_course",
        draft_course,
        lambda ctx, s, c: ("GET", f"{ONLINE}/{s['id']}", None),
        statuses(404, anonymous=401, teacher=200, admin=200, staff=200),
        fresh=False,
    ),
    Row(
        "learning_update_online_course",
        published_course,
        lambda ctx, s, c: ("PATCH", f"{ONLINE}/{s['id']}", {"description": "Обновлено"}),
        statuses(403, teacher=200, admin=200, other_school=404),
    ),
    Row(
        "learning_add_online_course_module",
        published_course,
        lambda ctx, s, c: ("POST", f"{ONLINE}/{s['id']}/modules", {"title": "Дополнение"}),
        statuses(403, teacher=201, admin=201, other_school=404),
    ),
    Row(
        "learning_update_online_course_module",
        published_course,
        lambda ctx, s, c: (
            "PATCH",
            f"{ONLINE}/{s['id']}/modules/{s['module_id']}",
            {"title": "Новое название"},
        ),
        statuses(403, teacher=200, admin=200, other_school=404),
    ),
    Row(
        "learning_delete_online_course_module",
        draft_course,
        lambda ctx, s, c: ("DELETE", f"{ONLINE}/{s['id']}/modules/{s['module_id']}", None),
        statuses(404, anonymous=401, teacher=204, admin=204, staff=403),
    ),
    Row(
        "learning_enrol_in_online_course",
        published_course,
        lambda ctx, s, c: ("POST", f"{ONLINE}/{s['id']}/enrolments", student_body(ctx, c)),
        statuses(
            403,
            student=201,
            teacher=201,
            teacher2=201,
            admin=201,
            student2=404,
            other_school=404,
        ),
        other_as="student",
    ),
    Row(
        "learning_list_online_course_enrolments",
        enrolled_course,
        lambda ctx, s, c: ("GET", f"{ONLINE}/{s['id']}/enrolments", None),
        statuses(200, other_school=404),
        fresh=False,
        hidden=frozenset({"student2", "guardian2"}),
    ),
    Row(
        "learning_list_online_enrolments",
        enrolled_course,
        lambda ctx, s, c: ("GET", ENROLMENTS, None),
        statuses(200),
        fresh=False,
        hidden=frozenset({"student2", "guardian2", "other_school"}),
    ),
    Row(
        "learning_get_online_enrolment",
        enrolled_course,
        lambda ctx, s, c: ("GET", f"{ENROLMENTS}/{s['enrolment_id']}", None),
        statuses(200, **NOT_FOR_OTHER_CHILD),
        fresh=False,
    ),
    Row(
        "learning_record_online_course_progress",
        enrolled_course,
        lambda ctx, s, c: (
            "POST",
            f"{ENROLMENTS}/{s['enrolment_id']}/progress",
            {
                "module_id": s["items"][0][0],
                "item_kind": s["items"][0][1],
                "item_id": str(s["items"][0][2]),
            },
        ),
        statuses(403, student=200, **NOT_FOR_OTHER_CHILD),
        other_as="student",
    ),
    # individual plans
    Row(
        "learning_list_individual_plans",
        plan_of_student,
        lambda ctx, s, c: ("GET", PLANS, None),
        statuses(200),
        fresh=False,
        hidden=frozenset({"student2", "guardian2", "other_school"}),
    ),
    Row(
        "learning_create_individual_plan",
        nothing,
        lambda ctx, s, c: ("POST", PLANS, plan_body(ctx.world)),
        statuses(403, admin=201, other_school=404),
    ),
    Row(
        "learning_get_individual_plan",
        plan_of_student,
        lambda ctx, s, c: ("GET", f"{PLANS}/{s['id']}", None),
        statuses(200, **NOT_FOR_OTHER_CHILD),
        fresh=False,
    ),
    Row(
        "learning_update_individual_plan",
        plan_of_student,
        lambda ctx, s, c: ("PATCH", f"{PLANS}/{s['id']}", {"notes": "Уточнено"}),
        FORBIDDEN_EXCEPT_OWNER,
    ),
    # the school's settings (the other school reads and writes its own)
    Row(
        "learning_get_school_settings",
        nothing,
        lambda ctx, s, c: ("GET", SETTINGS, None),
        statuses(200, student=403, student2=403, guardian=403, guardian2=403),
        fresh=False,
    ),
    Row(
        "learning_update_school_settings",
        nothing,
        lambda ctx, s, c: (
            "PUT",
            SETTINGS,
            {
                "school_day_ends_at": "17:00",
                "compliance_unreachable": "refuse",
                "email_copies_enabled": True,
            },
        ),
        statuses(403, admin=200, other_school=200),
    ),
    # checking now what was published "not checked" (each administrator: own school)
    Row(
        "learning_recheck_unchecked",
        nothing,
        lambda ctx, s, c: ("POST", f"{API}/hygiene/recheck", None),
        statuses(403, admin=200, other_school=200),
        fresh=False,
    ),
]

COVERED: set[str] = {row.op for row in ROWS}


def _object_ids(state: State) -> list[str]:
    return [str(v) for k, v in state.items() if k in ("id", "enrolment_id")]


@pytest.mark.parametrize("row", ROWS, ids=[r.op for r in ROWS])
async def test_access(
    row: Row,
    client: httpx.AsyncClient,
    world: World,
    other_world: World,
    learning_app: FastAPI,
) -> None:
    ctx = Ctx(learning_app, client, world, other_world)
    state = await row.prepare(ctx)
    failures = []
    for caller in CALLERS:
        if row.fresh and caller != CALLERS[0]:
            state = await row.prepare(ctx)
        method, url, body = row.request(ctx, state, caller)
        headers = ctx.headers(caller, row.other_as)
        r = await client.request(method, url, json=body, headers=headers)
        expected = row.expect[caller]
        if r.status_code != expected:
            failures.append(f"{caller}: {r.status_code} != {expected}: {r.text[:300]}")
            continue
        if r.status_code >= 400:
            assert r.headers["content-type"].startswith("application/problem+json")
            continue
        if r.status_code == 204:
            continue
        text = r.text
        # nothing of the other school in any answer
        assert str(other_world.school_id) not in text
        if row.hidden or (method == "GET" and url.endswith(("consultations", "courses"))):
            for object_id in _object_ids(state):
                if caller in row.hidden:
                    assert object_id not in text, f"{caller} sees {object_id}"
                else:
                    assert object_id in text, f"{caller} misses {object_id}"
    assert not failures, "\n".join(failures)
