"""A job run every few seconds in a service's background, stopped cleanly on shutdown.

``start_periodic(app, "name", interval, job, ...)`` in an on_startup hook and
``await stop_periodic(app, "name")`` in an on_shutdown hook. The job gets the app and
returns how many things it did; a failing round is logged and the next one tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from fastapi import FastAPI

Job = Callable[[FastAPI], Awaitable[int]]


async def _run(
    app: FastAPI, stop: asyncio.Event, interval: float, job: Job, logger: logging.Logger, what: str
) -> None:
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
        if stop.is_set():
            return
        try:
            count = await job(app)
            if count:
                logger.info(what, extra={"count": count})
        except Exception:  # the next round tries again; nothing is lost
            logger.exception("%s: failed", what)


def start_periodic(
    app: FastAPI, name: str, interval: float, job: Job, logger: logging.Logger, what: str
) -> None:
    """Run ``job`` every ``interval`` seconds (not at all when ``interval`` <= 0)."""
    setattr(app.state, name, None)
    if interval <= 0:
        return
    stop = asyncio.Event()
    task = asyncio.create_task(_run(app, stop, interval, job, logger, what))
    setattr(app.state, name, (stop, task))


async def stop_periodic(app: FastAPI, name: str) -> None:
    running: tuple[asyncio.Event, asyncio.Task[None]] | None = getattr(app.state, name, None)
    if running is None:
        return
    stop, task = running
    stop.set()
    await task
    setattr(app.state, name, None)
