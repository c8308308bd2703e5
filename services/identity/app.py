"""The identity service application (ID-1 … ID-10)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from services.common.app import ServiceSpec, create_service_app
from services.common.auth import TokenVerifier
from services.identity.api import EVENT_TYPES, routers
from services.identity.deps import check_principal_current
from services.identity.event_payloads import EVENT_PAYLOADS
from services.identity.keys import KeyStore
from services.identity.models import kernel
from services.identity.passwords import Passwords
from services.identity.settings import Settings

TAGS = [
    {"name": "tokens", "description": "Токены доступа и обновления, ключи (JWKS)"},
    {"name": "accounts", "description": "Собственная учётная запись"},
    {"name": "school", "description": "Школа, учебные годы, классы"},
    {"name": "users", "description": "Учётные записи участников"},
    {"name": "guardianship", "description": "Связи родителей (законных представителей) и детей"},
    {"name": "external-ids", "description": "Внешние идентификаторы (Моя школа, Сферум, ЕСИА)"},
    {"name": "privacy", "description": "Персональные данные: согласия, журнал доступа, выгрузка"},
    {"name": "events", "description": "Лента изменений"},
    {"name": "health", "description": "Состояние сервиса"},
]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    async def startup(app: FastAPI) -> None:
        app.state.passwords = Passwords(
            settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
        )
        keystore = KeyStore(
            settings.secret_key,
            rotate_after=timedelta(days=settings.signing_key_rotate_days),
            token_lifetime=timedelta(seconds=settings.access_token_seconds),
        )
        app.state.keystore = keystore
        database = app.state.database
        async with database.session() as session:
            await keystore.ensure_active(session)

        async def local_keys() -> list[dict[str, Any]]:
            async with database.sessionmaker() as session:
                return await keystore.published(session)

        # Identity verifies its own tokens from its own key table: no HTTP round trip.
        app.state.verifier = TokenVerifier(
            local_keys, audience=settings.audience, issuer=settings.issuer, cache_seconds=60
        )
        app.state.principal_check = check_principal_current

    return create_service_app(
        ServiceSpec(
            name="identity",
            title="Идентификация и учётные записи",
            description=(
                "Школы, учебные годы, классы, участники и роли, связи родителей и детей, "
                "токены доступа (RS256, JWKS), согласия на обработку персональных данных."
            ),
            settings=settings,
            kernel=kernel,
            routers=routers,
            event_types=EVENT_TYPES,
            event_payloads=EVENT_PAYLOADS,
            on_startup=[startup],
            tags=TAGS,
        )
    )
