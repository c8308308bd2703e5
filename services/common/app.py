"""The application factory every service uses: one way to build a service.

It wires the lifespan (database engine, token verifier, counters), the middlewares
(request id, metrics, body limit, idempotency), the problem-details handlers, health
and metrics endpoints, the change feed, and the OpenAPI post-processing.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.routing import APIRoute
from prometheus_client import CollectorRegistry
from pydantic import BaseModel

from services.common.audit import install_audit
from services.common.auth import JWKSLoader, TokenVerifier, get_principal, http_jwks_loader
from services.common.db import Database, TransactionalRoute
from services.common.errors import install_error_handlers
from services.common.event_docs import document_events
from services.common.feed import ConsumerModels, FeedConsumer, Handler, ServiceTokenSource
from services.common.idempotency import IdempotencyMiddleware
from services.common.jetstream import JetStreamPublisher
from services.common.logging import configure_logging
from services.common.middleware import (
    BodySizeLimitMiddleware,
    MetricsMiddleware,
    RequestContextMiddleware,
)
from services.common.models import KernelModels
from services.common.observability import health_router
from services.common.openapi import install_openapi
from services.common.outbox import check_payloads, events_router
from services.common.ratelimit import build_counter
from services.common.settings import BaseServiceSettings
from services.common.webhooks.dispatcher import WebhookDispatcher
from services.common.webhooks.endpoints import webhooks_router

Hook = Callable[[FastAPI], Awaitable[None]]


def api_router(**kwargs: Any) -> APIRouter:
    """A router whose every operation requires a valid access token (the default)."""
    deps = list(kwargs.pop("dependencies", []))
    return APIRouter(
        route_class=TransactionalRoute, dependencies=[Depends(get_principal), *deps], **kwargs
    )


def public_router(**kwargs: Any) -> APIRouter:
    """A router for the few operations open without a token (token endpoint, JWKS)."""
    return APIRouter(route_class=TransactionalRoute, **kwargs)


@dataclass(frozen=True)
class FeedSpec:
    """An upstream change feed this service applies to its own database."""

    upstream: str  # the service name: identity, learning …
    handler: Handler
    types: Sequence[str] = ()


@dataclass
class ServiceSpec:
    name: str
    title: str
    description: str
    settings: BaseServiceSettings
    kernel: KernelModels
    routers: Sequence[APIRouter]
    event_types: list[str] = field(default_factory=list)
    jwks_loader: JWKSLoader | None = None
    on_startup: Sequence[Hook] = ()
    on_shutdown: Sequence[Hook] = ()
    tags: list[dict[str, str]] = field(default_factory=list)
    version: str = "1.0.0"
    feeds: Sequence[FeedSpec] = ()
    consumer: ConsumerModels | None = None
    # The schema of each event type's payload, documented in the contract (GW-5).
    event_payloads: Mapping[str, type[BaseModel]] = field(default_factory=dict)


def _build_consumers(app: FastAPI, spec: ServiceSpec, database: Database) -> None:
    settings = spec.settings
    app.state.http = httpx.AsyncClient(timeout=10.0)
    app.state.service_tokens = ServiceTokenSource(
        app.state.http,
        settings.service_url("identity") + "/api/v1/identity/token",
        spec.name,
        settings.service_client_secret,
    )
    app.state.consumers = {}
    if not spec.feeds:
        return
    if spec.consumer is None:
        raise RuntimeError(f"{spec.name}: feeds need consumer models (cursor and inbox tables)")
    for feed in spec.feeds:
        app.state.consumers[feed.upstream] = FeedConsumer(
            source=feed.upstream,
            events_url=f"{settings.service_url(feed.upstream)}/api/v1/{feed.upstream}/events",
            database=database,
            models=spec.consumer,
            handler=feed.handler,
            tokens=app.state.service_tokens,
            http=app.state.http,
            types=feed.types,
        )


def create_service_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings
    if settings.environment == "test" and spec.event_payloads:
        check_payloads(spec.kernel.outbox, spec.event_payloads)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_logging(spec.name, settings.log_level, settings.log_json)
        database = Database(
            settings.effective_database_url,
            pool_size=settings.database_pool_size,
            echo=settings.database_echo,
        )
        install_audit(database.session_class, spec.kernel.audit)
        app.state.database = database
        loader = spec.jwks_loader or http_jwks_loader(settings.jwks_url)
        app.state.verifier = TokenVerifier(
            loader,
            audience=settings.audience,
            issuer=settings.issuer,
            cache_seconds=settings.jwks_cache_seconds,
        )
        app.state.counter = build_counter(
            settings.redis_url, prefix=settings.redis_prefix or f"eo:{spec.name}:"
        )
        _build_consumers(app, spec, database)
        app.state.webhooks = WebhookDispatcher(
            service=spec.name, database=database, kernel=spec.kernel, settings=settings
        )
        app.state.jetstream = (
            JetStreamPublisher(
                service=spec.name,
                database=database,
                kernel=spec.kernel,
                url=settings.nats_url,
                subject_prefix=settings.nats_subject_prefix,
                stream_prefix=settings.nats_stream_prefix,
            )
            if settings.nats_url
            else None
        )
        stop = asyncio.Event()
        tasks: list[asyncio.Task[None]] = []
        try:
            for hook in spec.on_startup:
                await hook(app)
            if settings.feeds_enabled:
                tasks = [
                    asyncio.create_task(c.run(stop, settings.feed_poll_seconds))
                    for c in app.state.consumers.values()
                ]
            if settings.webhooks_running:
                tasks.append(
                    asyncio.create_task(app.state.webhooks.run(stop, settings.webhook_poll_seconds))
                )
            if app.state.jetstream is not None:
                tasks.append(
                    asyncio.create_task(app.state.jetstream.run(stop, settings.nats_poll_seconds))
                )
            yield
        finally:
            stop.set()
            for task in tasks:
                await task
            for hook in spec.on_shutdown:
                await hook(app)
            await app.state.webhooks.aclose()
            if app.state.jetstream is not None:
                await app.state.jetstream.close()
            await app.state.http.aclose()
            await app.state.counter.close()
            await database.dispose()

    def operation_id(route: APIRoute) -> str:
        return f"{spec.name}_{route.name}"

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=f"{settings.api_prefix}/openapi.json",
        generate_unique_id_function=operation_id,
        openapi_tags=spec.tags or None,
    )
    app.state.settings = settings
    app.state.kernel = spec.kernel
    app.state.metrics_registry = CollectorRegistry()
    install_error_handlers(app)
    install_openapi(app, title=spec.title, description=spec.description, version=spec.version)
    build_contract = app.openapi

    def contract_with_events() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = document_events(
                build_contract(), spec.name, spec.event_types, spec.event_payloads
            )
        return app.openapi_schema

    app.openapi = contract_with_events  # type: ignore[method-assign]

    app.include_router(health_router(spec.name))
    for router in spec.routers:
        app.include_router(router)
    app.include_router(events_router(spec.name, spec.kernel.outbox, spec.event_types))
    app.include_router(webhooks_router(spec.name, spec.event_types))

    # Added innermost first: the request context wraps everything else.
    app.add_middleware(IdempotencyMiddleware, model=spec.kernel.idempotency)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(MetricsMiddleware, registry=app.state.metrics_registry, service=spec.name)
    app.add_middleware(RequestContextMiddleware)
    return app
