"""Test databases, built by running each service's migrations.

SQLite always; PostgreSQL too when ``TEST_POSTGRES_URL`` names a server the tests may
create databases on (e.g. ``postgresql://postgres@127.0.0.1:5432/postgres``). Each
service gets its own database, per pytest-xdist worker.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import tempfile
import uuid
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config

REPO = Path(__file__).resolve().parents[2]
SERVICES = ("identity", "learning", "journal", "compliance")


def worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def backends() -> list[str]:
    return ["sqlite", "postgres"] if os.environ.get("TEST_POSTGRES_URL") else ["sqlite"]


def _alembic_upgrade(service: str, url: str) -> None:
    cfg = Config(str(REPO / "alembic.ini"), ini_section=service)
    cfg.set_main_option("script_location", str(REPO / "services" / service / "migrations"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")


def _pg_admin_url() -> str:
    url = os.environ["TEST_POSTGRES_URL"]
    return url.replace("postgresql+asyncpg://", "postgresql://")


async def _recreate_pg(name: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_url())
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
        # test data need not survive a power cut: commits don't wait for the WAL flush
        # (a server under I/O load from the other workers otherwise stalls every commit)
        await conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')
    finally:
        await conn.close()


def pg_url_for(name: str) -> str:
    base = _pg_admin_url().rsplit("/", 1)[0]
    return f"postgresql+asyncpg://{base.split('://', 1)[1]}/{name}"


_created_pg: list[str] = []


async def _drop_pg(names: list[str]) -> None:
    import asyncpg

    conn = await asyncpg.connect(_pg_admin_url())
    try:
        for name in names:
            await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def track_pg(name: str) -> None:
    """Drop the database ``name`` when the test process ends."""
    _created_pg.append(name)
    if len(_created_pg) == 1:
        atexit.register(_drop_created)


def _drop_created() -> None:
    try:
        asyncio.run(_drop_pg(list(_created_pg)))
    except Exception as exc:  # the server may be gone at exit; leftovers are harmless
        print(f"could not drop test databases {_created_pg}: {exc}")


def _new_database(service: str, backend: str, tag: str = "") -> str:
    """An empty database for ``service`` (this worker and process; ``tag`` makes another)."""
    suffix = f"_{tag}" if tag else ""
    if backend == "sqlite":
        folder = Path(tempfile.gettempdir()) / f"eo-tests-{os.getpid()}-{worker()}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{service}{suffix}.db"
        for extra in ("", "-wal", "-shm"):
            Path(str(path) + extra).unlink(missing_ok=True)
        return f"sqlite+aiosqlite:///{path}"
    # per process, so that concurrent runs on one server never drop each other's data
    name = f"eo_test_{service}_{worker()}_{os.getpid()}{suffix}"
    asyncio.run(_recreate_pg(name))
    track_pg(name)
    return pg_url_for(name)


@cache
def migrated_url(service: str, backend: str) -> str:
    """A freshly migrated database for ``service`` on ``backend`` (once per process)."""
    url = _new_database(service, backend)
    _alembic_upgrade(service, url)
    return url


def fresh_migrated_url(service: str, backend: str) -> str:
    """A database of its own (not shared with the session), freshly migrated."""
    url = _new_database(service, backend, uuid.uuid4().hex[:8])
    _alembic_upgrade(service, url)
    return url
