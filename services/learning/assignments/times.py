"""School-local time for deadlines and "the same day" (X-1), and the service's clock.

Instants are stored in UTC. A date-time given without an offset is a wall-clock time
in the school's time zone; one given with an offset is an instant.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Depends, Request

from services.common.db import utcnow

Clock = Callable[[], datetime]


def get_clock(request: Request) -> Clock:
    """The app's clock: ``app.state.clock`` when set (tests, simulations), else UTC now."""
    return clock_of(request.app.state)


def clock_of(state: object) -> Clock:
    clock: Clock | None = getattr(state, "clock", None)
    return clock or utcnow


ClockDep = Annotated[Clock, Depends(get_clock)]


def as_utc(value: datetime, tz: ZoneInfo) -> datetime:
    """An instant from a date-time given with an offset, or as the school's wall clock."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=tz)
    return value.astimezone(UTC)


def local(value: datetime, tz: ZoneInfo) -> datetime:
    return value.astimezone(tz)


def at_local(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The instant of a wall-clock time on a school-local date."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The instants where a school-local date starts and the next one starts."""
    return at_local(day, time(0, 0), tz), at_local(day + timedelta(days=1), time(0, 0), tz)


def russian(value: datetime, tz: ZoneInfo) -> str:
    """A school-local date and time as written in Russian: 26.11.2026 18:00."""
    return local(value, tz).strftime("%d.%m.%Y %H:%M")


def iso(value: datetime | None) -> str | None:
    return value.astimezone(UTC).isoformat() if value is not None else None
