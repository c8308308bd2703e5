"""The journal service application."""

from __future__ import annotations

from fastapi import FastAPI

from services.common.app import FeedSpec, ServiceSpec, create_service_app
from services.common.auth import JWKSLoader
from services.common.directory import IDENTITY_EVENT_TYPES
from services.journal.api import EVENT_TYPES, routers
from services.journal.event_payloads import EVENT_PAYLOADS
from services.journal.feeds import apply_identity, apply_learning
from services.journal.models import consumer, kernel
from services.journal.settings import Settings


def create_app(
    settings: Settings | None = None, *, jwks_loader: JWKSLoader | None = None
) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name="journal",
            title="Электронный журнал и портфолио",
            description="Сервис journal платформы ЭО и ДОТ.",
            settings=settings or Settings(),
            kernel=kernel,
            routers=routers,
            event_types=EVENT_TYPES,
            event_payloads=EVENT_PAYLOADS,
            jwks_loader=jwks_loader,
            feeds=[
                FeedSpec("identity", apply_identity, IDENTITY_EVENT_TYPES),
                FeedSpec("learning", apply_learning),
            ],
            consumer=consumer,
        )
    )
