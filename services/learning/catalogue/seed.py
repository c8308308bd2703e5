"""Start-up hook of the catalogue (LE-4): load the federal list, seed the §5.13 platforms.

The catalogue of §5.13 is global (one for every school of the deployment). At every
start the service makes the rows with ``school_id IS NULL`` equal to
``catalogue.data.REGULATION_PLATFORMS`` by an upsert keyed by ``code`` (idempotent:
a second start writes nothing). Replicas starting together on one PostgreSQL may race
on the first insert; the loser's unique violation is retried once and then finds the
rows in place.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI
from sqlalchemy.exc import IntegrityError

from services.learning.catalogue.data import REGULATION_PLATFORMS, load_federal_list
from services.learning.catalogue.repository import CatalogueRepository

logger = logging.getLogger("eo.learning.catalogue")


async def seed_catalogue(app: FastAPI) -> None:
    app.state.federal_list = load_federal_list(app.state.settings.federal_list_path)
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
