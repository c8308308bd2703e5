"""The compliance service application."""

from __future__ import annotations

from fastapi import FastAPI

from services.common.app import FeedSpec, ServiceSpec, create_service_app
from services.common.auth import JWKSLoader
from services.common.directory import IDENTITY_EVENT_TYPES
from services.compliance.api import EVENT_TYPES, routers
from services.compliance.event_payloads import EVENT_PAYLOADS
from services.compliance.feeds import apply_identity, apply_learning
from services.compliance.models import consumer, kernel
from services.compliance.screen_time.alerts import start_notifications, stop_notifications
from services.compliance.settings import Settings


def create_app(
    settings: Settings | None = None, *, jwks_loader: JWKSLoader | None = None
) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name="compliance",
            title="Соответствие нормам: СанПиН, отказы, сроки, аттестация",
            description="Сервис compliance платформы ЭО и ДОТ.",
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
            on_startup=[start_notifications],
            on_shutdown=[stop_notifications],
        )
    )
