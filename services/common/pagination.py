"""Cursor pagination (X-3): opaque cursors, a ``limit`` cap and an RFC 8288 ``Link`` header."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request, Response
from pydantic import BaseModel, Field

from services.common.errors import BadRequest

T = TypeVar("T")


def encode_cursor(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> dict[str, Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("Курсор повреждён или не распознан", code="invalid-cursor") from exc
    if not isinstance(value, dict):
        raise BadRequest("Курсор повреждён или не распознан", code="invalid-cursor")
    return value


class PageParams:
    """``?cursor=&limit=`` with the service's default and cap (limits above the cap → 400)."""

    def __init__(self, cursor: str | None, limit: int, max_limit: int) -> None:
        self.cursor = cursor
        self.limit = limit
        self.max_limit = max_limit

    def after(self) -> dict[str, Any] | None:
        return decode_cursor(self.cursor) if self.cursor else None


async def page_params(
    request: Request,
    cursor: Annotated[
        str | None,
        Query(max_length=512, description="Курсор следующей страницы из ответа или заголовка Link"),
    ] = None,
    limit: Annotated[
        int | None, Query(ge=1, description="Размер страницы (не больше максимума сервиса)")
    ] = None,
) -> PageParams:
    settings = request.app.state.settings
    max_limit = int(settings.page_limit_max)
    if limit is None:
        limit = int(settings.page_limit_default)
    if limit > max_limit:
        raise BadRequest(f"Параметр limit не может превышать {max_limit}", code="limit-too-large")
    return PageParams(cursor, limit, max_limit)


PageDep = Annotated[PageParams, Depends(page_params)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = Field(default=None, description="Курсор следующей страницы или null")


def make_page(
    request: Request,
    response: Response,
    items: Sequence[T],
    params: PageParams,
    next_cursor: dict[str, Any] | None,
) -> Page[T]:
    """Wraps ``items``; when there is a next page, sets ``Link: <…>; rel="next"``."""
    token = encode_cursor(next_cursor) if next_cursor is not None else None
    if token is not None:
        url = request.url.include_query_params(cursor=token, limit=params.limit)
        response.headers["Link"] = f'<{url.path}?{url.query}>; rel="next"'
    return Page[T](items=list(items), next_cursor=token)
