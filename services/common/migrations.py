"""The body of every service's alembic ``env.py``: async engine, own version table."""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from services.common.db import UTCDateTime
from services.common.settings import BaseServiceSettings, normalise_database_url


def _url(settings_cls: type[BaseServiceSettings]) -> str:
    configured = context.config.attributes.get("database_url") or context.config.get_main_option(
        "sqlalchemy.url"
    )
    if configured:
        return normalise_database_url(str(configured))
    return settings_cls().effective_database_url


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render shared column types as plain SQLAlchemy types in migration files."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations(
    metadata: MetaData, settings_cls: type[BaseServiceSettings], service: str
) -> None:
    version_table = f"alembic_version_{service}"
    url = _url(settings_cls)
    opts: dict[str, Any] = {
        "target_metadata": metadata,
        "version_table": version_table,
        "render_as_batch": url.startswith("sqlite"),
        "compare_type": True,
        "render_item": _render_item,
    }

    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **opts)
        with context.begin_transaction():
            context.run_migrations()
        return

    def do_run(connection: Connection) -> None:
        context.configure(connection=connection, **opts)
        with context.begin_transaction():
            context.run_migrations()

    async def run_async() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.run_sync(do_run)
            await connection.commit()
        await engine.dispose()

    existing = context.config.attributes.get("connection")
    if existing is not None:
        do_run(existing)
    else:
        asyncio.run(run_async())
