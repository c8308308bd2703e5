"""A migrated identity database in a temporary folder with one user to log in as."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

from alembic import command
from alembic.config import Config

from services.common.db import Database
from services.identity.models import School, User, UserRole
from services.identity.passwords import Passwords
from services.identity.settings import Settings

REPO = Path(__file__).resolve().parents[1]
USERNAME = "bench-teacher"
PASSWORD = "Bench-Shkola-2026"
# The platform's Argon2id parameters, read from identity's settings so they never drift.
_DEFAULTS = Settings()
ARGON2_MEMORY_KIB = _DEFAULTS.argon2_memory_kib
ARGON2_TIME_COST = _DEFAULTS.argon2_time_cost
ARGON2_PARALLELISM = _DEFAULTS.argon2_parallelism


def migrate(url: str) -> None:
    cfg = Config(str(REPO / "alembic.ini"), ini_section="identity")
    cfg.set_main_option("script_location", str(REPO / "services" / "identity" / "migrations"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")


async def _seed(url: str) -> None:
    database = Database(url, pool_size=1)
    passwords = Passwords(ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM)
    try:
        async with database.session() as session:
            school = School(name="МБОУ СОШ для замеров", short_name="СОШ для замеров")
            session.add(school)
            await session.flush()
            user = User(
                school_id=school.id,
                username=USERNAME,
                last_name="Замеров",
                first_name="Пётр",
                middle_name="Ильич",
                birth_date=date(1985, 1, 1),
                email=f"{USERNAME}@example.org",
                password_hash=passwords.hash_sync(PASSWORD),
                must_change_password=False,
            )
            session.add(user)
            await session.flush()
            session.add(UserRole(school_id=school.id, user_id=user.id, role="teacher"))
    finally:
        await database.dispose()


def prepare(folder: Path) -> str:
    """Migrate a fresh SQLite database under ``folder``, add the user; returns its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{folder / 'identity.db'}"
    migrate(url)
    asyncio.run(_seed(url))
    return url
