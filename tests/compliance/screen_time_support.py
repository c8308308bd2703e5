"""Helpers of the actual screen time tests (CO-3): a recent day of the school, intervals
on it, the timetable replica and the state the service left behind."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from fastapi import FastAPI
from sqlalchemy import func, select

from services.compliance.feeds import apply_learning
from services.compliance.models import (
    ScreenTimeAlert,
    ScreenTimeInterval,
    kernel,
    notifications,
)
from tests.journal.learning_events import course_created, lesson_scheduled
from tests.support.service_world import TIMEZONE, World

API = "/api/v1/compliance/screen-time"
TZ = ZoneInfo(TIMEZONE)


def recent_day(days_ago: int = 2) -> date:
    """A day of the school a few days back: its intervals are neither in the future nor
    too old to be accepted."""
    return datetime.now(TZ).date() - timedelta(days=days_ago)


def at(day: date, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    """A moment of the school's day (its time zone, Europe/Samara, UTC+4)."""
    return datetime.combine(day, time(hh, mm, ss), tzinfo=TZ)


def iso(moment: datetime) -> str:
    return moment.isoformat()


def interval(
    world: World,
    device: str,
    start: datetime,
    end: datetime | None = None,
    *,
    minutes: int | None = None,
    student: str | None = "student",
    context: str | None = "home",
) -> dict[str, Any]:
    body: dict[str, Any] = {"device": device, "started_at": iso(start)}
    if student is not None:
        body["student_id"] = str(world.id(student))
    if end is not None:
        body["ended_at"] = iso(end)
    if minutes is not None:
        body["minutes"] = minutes
    if context is not None:
        body["context"] = context
    return body


async def report(
    client: httpx.AsyncClient,
    world: World,
    intervals: list[dict[str, Any]],
    caller: str = "admin",
    **headers: str,
) -> httpx.Response:
    return await client.post(
        f"{API}/intervals", json={"intervals": intervals}, headers=world.headers(caller, **headers)
    )


async def day_of(
    client: httpx.AsyncClient, world: World, day: date, student: str = "student"
) -> dict[str, Any]:
    response = await client.get(
        f"{API}/students/{world.id(student)}/days/{day.isoformat()}",
        headers=world.headers("admin"),
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def usage(day: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {(u["device"], u["context"]): u["seconds"] for u in day["usage"]}


def limit(day: dict[str, Any], measure: str, device: str) -> dict[str, Any]:
    return next(x for x in day["limits"] if x["measure"] == measure and x["device"] == device)


async def schedule_lesson(
    app: FastAPI,
    world: World,
    day: date,
    starts: time,
    *,
    class_name: str = "7Б",
    teachers: tuple[str, ...] = ("teacher",),
) -> None:
    """A 40-minute lesson of the class in the timetable replica, as learning's feed
    would bring it."""
    course_id = uuid.uuid4()
    events = [
        course_created(world, course_id=course_id, class_name=class_name, teachers=teachers),
        lesson_scheduled(world, course_id, day, starts_at=starts),
    ]
    async with app.state.database.session() as session:
        for event in events:
            await apply_learning(session, event)
        await session.commit()


async def stored_intervals(app: FastAPI, world: World, student: str = "student") -> list[Any]:
    async with app.state.database.session() as session:
        rows = await session.execute(
            select(ScreenTimeInterval)
            .where(ScreenTimeInterval.student_id == world.id(student))
            .order_by(ScreenTimeInterval.started_at)
        )
        return list(rows.scalars())


async def stored_alerts(app: FastAPI, world: World, student: str = "student") -> list[Any]:
    async with app.state.database.session() as session:
        rows = await session.execute(
            select(ScreenTimeAlert)
            .where(ScreenTimeAlert.student_id == world.id(student))
            .order_by(ScreenTimeAlert.id)
        )
        return list(rows.scalars())


async def school_counts(app: FastAPI, world: World) -> tuple[int, int, int, int]:
    """Intervals, alerts, notifications and screen_time events of the world's school."""
    n = notifications.notification
    async with app.state.database.session() as session:
        counts = []
        for stmt in (
            select(func.count())
            .select_from(ScreenTimeInterval)
            .where(ScreenTimeInterval.school_id == world.school_id),
            select(func.count())
            .select_from(ScreenTimeAlert)
            .where(ScreenTimeAlert.school_id == world.school_id),
            select(func.count()).select_from(n).where(n.school_id == world.school_id),
            select(func.count())
            .select_from(kernel.outbox)
            .where(
                kernel.outbox.school_id == world.school_id,
                kernel.outbox.type == "screen_time.alert",
            ),
        ):
            counts.append(int((await session.execute(stmt)).scalar_one()))
    return counts[0], counts[1], counts[2], counts[3]


async def alert_events(app: FastAPI, world: World) -> list[dict[str, Any]]:
    async with app.state.database.session() as session:
        rows = await session.execute(
            select(kernel.outbox.payload)
            .where(
                kernel.outbox.school_id == world.school_id,
                kernel.outbox.type == "screen_time.alert",
            )
            .order_by(kernel.outbox.id)
        )
        return list(rows.scalars())


async def notifications_of(app: FastAPI, world: World) -> list[Any]:
    n = notifications.notification
    async with app.state.database.session() as session:
        rows = await session.execute(
            select(n).where(n.school_id == world.school_id).order_by(n.created_at, n.id)
        )
        return list(rows.scalars())


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)
