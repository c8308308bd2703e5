"""Asking compliance's check endpoints over HTTP with the service's own token.

Every way the question can go unanswered — no connection, a timeout, no service token,
a 5xx, an answer that is not a check result — is :class:`ComplianceUnavailable`; the
caller decides (by the school's setting) whether that refuses the publication or marks
the item "not checked". A 401 is retried once with a fresh token.
"""

from __future__ import annotations

import logging
from typing import Any, Protocol

import httpx

logger = logging.getLogger("eo.learning.hygiene")

LESSON_CHECK = "/api/v1/compliance/norms/checks/lesson"
STUDENT_DAY_CHECK = "/api/v1/compliance/norms/checks/student-day"
NOT_A_RESULT = "сервис проверки норм вернул не результат проверки"


class TokenSource(Protocol):
    async def headers(self) -> dict[str, str]: ...

    def invalidate(self) -> None: ...


class ComplianceUnavailable(Exception):
    """Compliance did not answer the check; ``reason`` is shown to the teacher."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ComplianceClient:
    def __init__(
        self, http: httpx.AsyncClient, tokens: TokenSource, base_url: str, timeout: float
    ) -> None:
        self.http = http
        self.tokens = tokens
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    async def check(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """The check result (compliance's ``CheckResult`` as JSON)."""
        for attempt in (1, 2):
            try:
                headers = await self.tokens.headers()
            except (httpx.HTTPError, KeyError, ValueError) as exc:
                logger.warning("no service token for the compliance check: %s", exc)
                raise ComplianceUnavailable(
                    "не удалось получить токен сервиса для обращения к проверке норм"
                ) from exc
            try:
                response = await self.http.post(
                    self.base_url + path, json=body, headers=headers, timeout=self.timeout
                )
            except httpx.TimeoutException as exc:
                logger.warning("compliance check timed out: %s", exc)
                raise ComplianceUnavailable("сервис проверки норм не ответил вовремя") from exc
            except httpx.HTTPError as exc:
                logger.warning("compliance check failed: %s", exc)
                raise ComplianceUnavailable("сервис проверки норм недоступен") from exc
            if response.status_code == 401 and attempt == 1:
                self.tokens.invalidate()
                continue
            break
        if response.status_code >= 500:
            logger.warning("compliance check answered %s", response.status_code)
            raise ComplianceUnavailable(
                f"сервис проверки норм ответил ошибкой {response.status_code}"
            )
        if response.status_code != 200:
            # Our request or our token was refused (or compliance does not know the school
            # yet): still no answer, never a pass.
            logger.warning(
                "compliance refused the check: %s %s", response.status_code, response.text[:500]
            )
            raise ComplianceUnavailable(
                f"сервис проверки норм отклонил запрос ({response.status_code})"
            )
        try:
            result = response.json()
        except ValueError as exc:
            raise ComplianceUnavailable(NOT_A_RESULT) from exc
        if not isinstance(result, dict) or not isinstance(result.get("violations"), list):
            raise ComplianceUnavailable(NOT_A_RESULT)
        return result
