"""The learning service application."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.app import FeedSpec, ServiceSpec, create_service_app
from services.common.auth import JWKSLoader
from services.common.directory import IDENTITY_EVENT_TYPES, apply_identity_event
from services.learning.api import EVENT_TYPES, routers
from services.learning.assignments.publisher import start_publisher, stop_publisher
from services.learning.catalogue.seed import seed_catalogue, stop_catalogue_seeder
from services.learning.event_payloads import EVENT_PAYLOADS
from services.learning.hygiene.recheck import start_hygiene_recheck, stop_hygiene_recheck
from services.learning.models import consumer, directory, kernel
from services.learning.notifications.dispatcher import start_notifications, stop_notifications
from services.learning.optouts.feed import COMPLIANCE_EVENT_TYPES, apply_compliance
from services.learning.quizzes.sweeper import start_quiz_finisher, stop_quiz_finisher
from services.learning.settings import Settings


async def apply_identity(session: AsyncSession, event: dict[str, Any]) -> None:
    await apply_identity_event(session, directory, event)


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
            event_payloads=EVENT_PAYLOADS,
            jwks_loader=jwks_loader,
            feeds=[
                FeedSpec("identity", apply_identity, IDENTITY_EVENT_TYPES),
                # §3.9 opt-outs registered in compliance, enforced here (LE-12)
                FeedSpec("compliance", apply_compliance, COMPLIANCE_EVENT_TYPES),
            ],
            consumer=consumer,
            on_startup=[
                seed_catalogue,
                start_publisher,
                start_notifications,
                start_quiz_finisher,
                start_hygiene_recheck,
            ],
            on_shutdown=[
                stop_catalogue_seeder,
                stop_publisher,
                stop_notifications,
                stop_quiz_finisher,
                stop_hygiene_recheck,
            ],
        )
    )
