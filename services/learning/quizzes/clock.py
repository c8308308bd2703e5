"""The time quizzes run on: ``app.state.clock`` when set (tests move it), else real UTC.

Time limits are enforced against this clock on the server, never against the client's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request

from services.common.db import utcnow

Clock = Callable[[], datetime]


def get_clock(request: Request) -> Clock:
    clock: Clock | None = getattr(request.app.state, "clock", None)
    return clock or utcnow


ClockDep = Annotated[Clock, Depends(get_clock)]
