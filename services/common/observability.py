"""``/healthz`` (alive), ``/readyz`` (database reachable) and Prometheus ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from pydantic import BaseModel

from services.common.errors import PROBLEM_MEDIA_TYPE, problem_body, problem_responses


class Health(BaseModel):
    status: str
    service: str


def health_router(service: str) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get(
        "/healthz",
        response_model=Health,
        operation_id=f"{service}_healthz",
        summary="Процесс жив",
    )
    async def healthz() -> Health:
        return Health(status="ok", service=service)

    @router.get(
        "/readyz",
        response_model=Health,
        operation_id=f"{service}_readyz",
        summary="Готовность: база данных доступна",
        responses=problem_responses(503),
    )
    async def readyz(request: Request) -> Response:
        try:
            await request.app.state.database.ping()
        except Exception:  # any failure means "not ready"
            return JSONResponse(
                problem_body(503, "База данных недоступна", "database-unavailable"),
                status_code=503,
                media_type=PROBLEM_MEDIA_TYPE,
            )
        return JSONResponse({"status": "ok", "service": service})

    @router.get(
        "/metrics",
        operation_id=f"{service}_metrics",
        summary="Метрики Prometheus",
        response_class=Response,
        responses={
            200: {
                "content": {"text/plain": {"schema": {"type": "string"}}},
                "description": "Метрики",
            }
        },
    )
    async def metrics(request: Request) -> Response:
        return Response(
            generate_latest(request.app.state.metrics_registry), media_type=CONTENT_TYPE_LATEST
        )

    return router
