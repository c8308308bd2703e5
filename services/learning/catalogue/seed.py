"""Start-up hook of the catalogue (LE-4): load the federal list, seed the §5.13 platforms.

The catalogue of §5.13 is global (one for every school of the deployment). At every
start the service makes the rows with ``school_id IS NULL`` equal to
``catalogue.data.REGULATION_PLATFORMS`` by an upsert keyed by ``code`` (idempotent:
a second start writes nothing). Replicas starting together on one PostgreSQL may race
on the first insert; the loser's unique violation is retried once and then finds the
rows in place. A database that is not reachable at start does not stop the service
(``/readyz`` says it is not ready): the seeding is retried in the background every few
seconds until it succeeds or the service stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from fastapi import FastAPI
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.learning.catalogue.data import REGULATION_PLATFORMS, load_federal_list
from services.learning.catalogue.repository import CatalogueRepository

logger = logging.getLogger("eo.learning.catalogue")


RETRY_SECONDS = 5.0


async def seed_catalogue(app: FastAPI) -> None:
    app.state.federal_list = load_federal_list(app.state.settings.federal_list_path)
    app.state.catalogue_seeder = None
    try:
        await _upsert(app)
    except IntegrityError:
        raise
    except (DBAPIError, OSError) as exc:
        logger.warning("catalogue not seeded yet, retrying", extra={"error": type(exc).__name__})
        app.state.catalogue_seeder = asyncio.create_task(_retry(app))


async def stop_catalogue_seeder(app: FastAPI) -> None:
    task = getattr(app.state, "catalogue_seeder", None)
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def _retry(app: FastAPI) -> None:
    while True:
        await asyncio.sleep(RETRY_SECONDS)
        try:
            await _upsert(app)
        except (DBAPIError, OSError):
            continue
        return


async def _upsert(app: FastAPI) -> None:
    database = app.state.database
    for attempt in (1, 2):
        try:
            async with database.session() as session:
                written = await CatalogueRepository(session).upsert_global(REGULATION_PLATFORMS)
        except IntegrityError:
            if attempt == 2:
                raise
            continue
        if written:
            logger.info("catalogue of platforms updated", extra={"rows": written})
        return
