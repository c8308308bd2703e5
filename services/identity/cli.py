"""Operator commands of the identity service (ID-5).

python -m services.identity.cli rotate-keys   a new key signs from now on; the old
                                              ones stay in the JWKS until their
                                              tokens have expired
python -m services.identity.cli list-keys     the published keys
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from services.common.db import Database
from services.identity.keys import KeyStore
from services.identity.settings import Settings


def _keystore(settings: Settings) -> KeyStore:
    return KeyStore(
        settings.secret_key,
        rotate_after=timedelta(days=settings.signing_key_rotate_days),
        token_lifetime=timedelta(seconds=settings.access_token_seconds),
    )


async def rotate_keys(settings: Settings) -> str:
    database = Database(settings.effective_database_url)
    try:
        async with database.session() as session:
            key = await _keystore(settings).rotate(session)
        return key.kid
    finally:
        await database.dispose()


async def list_keys(settings: Settings) -> list[str]:
    database = Database(settings.effective_database_url)
    try:
        async with database.session() as session:
            return [str(k["kid"]) for k in await _keystore(settings).published(session)]
    finally:
        await database.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.identity.cli")
    parser.add_argument("command", choices=["rotate-keys", "list-keys"])
    args = parser.parse_args(argv)
    settings = Settings()
    if args.command == "rotate-keys":
        print(f"new signing key: {asyncio.run(rotate_keys(settings))}")
    else:
        for kid in asyncio.run(list_keys(settings)):
            print(kid)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
