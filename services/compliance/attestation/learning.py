"""Telling learning that a student was identified for an attestation event (ID-8, LE-8).

Learning admits a student to an attestation-mode quiz only when it holds an
identification for the quiz's event (``POST /api/v1/learning/quizzes/identifications``,
service token). Compliance records the identification and tells learning in the same
request: if learning cannot be told, the request fails with 503 and nothing is kept,
so the two never disagree about who may start (the client simply retries).
"""

from __future__ import annotations

from typing import Any, Protocol

import httpx
from fastapi import Request

from services.common.errors import ServiceUnavailable
from services.common.feed import ServiceTokenSource

IDENTIFICATIONS_PATH = "/api/v1/learning/quizzes/identifications"


class LearningIdentifications(Protocol):
    async def record(self, payload: dict[str, Any]) -> None: ...


def learning_unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "Сервис обучения не подтвердил запись идентификации; повторите попытку",
        code="learning-unavailable",
    )


class HttpLearningIdentifications:
    def __init__(self, http: httpx.AsyncClient, tokens: ServiceTokenSource, base_url: str) -> None:
        self.http = http
        self.tokens = tokens
        self.url = base_url.rstrip("/") + IDENTIFICATIONS_PATH

    async def record(self, payload: dict[str, Any]) -> None:
        for attempt in (1, 2):
            try:
                headers = await self.tokens.headers()
                response = await self.http.post(self.url, json=payload, headers=headers)
            except (httpx.HTTPError, OSError, KeyError, ValueError) as exc:
                raise learning_unavailable() from exc
            if response.status_code == 401 and attempt == 1:
                self.tokens.invalidate()  # expired, or signed by a rotated-out key
                continue
            if response.status_code == 201:
                return
            raise learning_unavailable()


def learning_identifications(request: Request) -> LearningIdentifications:
    """The app's client (tests put their own on ``app.state.learning_identifications``)."""
    state = request.app.state
    client: LearningIdentifications | None = getattr(state, "learning_identifications", None)
    if client is None:
        client = HttpLearningIdentifications(
            state.http, state.service_tokens, state.settings.service_url("learning")
        )
        state.learning_identifications = client
    return client
