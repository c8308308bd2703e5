"""The learning service application."""

from __future__ import annotations

from fastapi import FastAPI

from services.common.app import ServiceSpec, create_service_app
from services.common.auth import JWKSLoader
from services.learning.api import EVENT_TYPES, routers
from services.learning.models import kernel
from services.learning.settings import Settings


def create_app(
    settings: Settings | None = None, *, jwks_loader: JWKSLoader | None = None
) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            name="learning",
            title="Обучение: курсы, расписание, задания",
            description="Сервис learning платформы ЭО и ДОТ.",
            settings=settings or Settings(),
            kernel=kernel,
            routers=routers,
            event_types=EVENT_TYPES,
            jwks_loader=jwks_loader,
        )
    )
