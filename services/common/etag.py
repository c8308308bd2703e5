"""Optimistic concurrency with ETag and If-Match (JO-5: no lost update).

A versioned resource answers with ``ETag: "<id>:<version>"``. An update must send it
back in ``If-Match``: without it the answer is 428, with an old one 412.
"""

from __future__ import annotations

import uuid

from fastapi import Response

from services.common.errors import PreconditionFailed, PreconditionRequired


def etag_of(entity_id: uuid.UUID, version: int) -> str:
    return f'"{entity_id}:{version}"'


def set_etag(response: Response, entity_id: uuid.UUID, version: int) -> None:
    response.headers["ETag"] = etag_of(entity_id, version)


def check_if_match(if_match: str | None, entity_id: uuid.UUID, version: int) -> None:
    if not if_match:
        raise PreconditionRequired(
            "Передайте заголовок If-Match со значением ETag текущей версии записи",
            code="precondition-required",
        )
    current = etag_of(entity_id, version)
    candidates = [c.strip().removeprefix("W/") for c in if_match.split(",")]
    if current not in candidates and "*" not in candidates:
        raise PreconditionFailed(
            "Запись уже изменена другим пользователем; получите её заново и повторите",
            code="precondition-failed",
            extra={"current_etag": current},
        )
