"""Transactional outbox and the change feed ``GET /api/v1/<service>/events`` (GW-5).

Events are inserted in the same transaction as the change they describe, so a change
without its event (or the reverse) can't be committed. On PostgreSQL, writers of
events take a transaction-level advisory lock first: ids are then committed in
increasing order and a reader that has seen id N never later finds an id below N.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import SERVICE_ROLE, Principal, require_roles
from services.common.context import current_actor, current_request_id
from services.common.db import SessionDep, TransactionalRoute
from services.common.errors import BadRequest, NotFound, problem_responses
from services.common.pagination import decode_cursor, encode_cursor

# Payload schemas checked on every emit, per outbox model (tests switch this on, see
# ``check_payloads``): an event a service writes that its contract does not describe
# fails loudly where it is written instead of surprising an integrator.
_CHECKED: dict[type[Any], Mapping[str, type[BaseModel]]] = {}


def check_payloads(outbox_model: type[Any], payloads: Mapping[str, type[BaseModel]]) -> None:
    """Validate every payload written to ``outbox_model`` against ``payloads``."""
    _CHECKED[outbox_model] = payloads


def _checked_payload(outbox_model: type[Any], type_: str, payload: dict[str, Any]) -> None:
    payloads = _CHECKED.get(outbox_model)
    if payloads is None:
        return
    model = payloads.get(type_)
    if model is None:
        raise RuntimeError(f"event type {type_!r} has no documented payload schema")
    try:
        model.model_validate(payload)
    except ValidationError as exc:
        raise RuntimeError(
            f"the payload of {type_!r} does not match {model.__name__}: {exc}"
        ) from exc


async def emit(
    session: AsyncSession,
    outbox_model: type[Any],
    *,
    school_id: uuid.UUID,
    type: str,
    aggregate_type: str,
    aggregate_id: uuid.UUID | str,
    payload: dict[str, Any],
) -> Any:
    """Record an event in the current transaction."""
    _checked_payload(outbox_model, type, payload)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        lock_key = zlib.crc32(outbox_model.__table__.fullname.encode())
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": lock_key})
    actor = current_actor()
    event = outbox_model(
        school_id=school_id,
        type=type,
        aggregate_type=aggregate_type,
        aggregate_id=str(aggregate_id),
        payload=payload,
        actor_id=actor.user_id if actor else None,
        request_id=current_request_id(),
    )
    session.add(event)
    await session.flush()
    return event


FEED_LIMIT_MAX = 1000


class EventRead(BaseModel):
    id: uuid.UUID = Field(description="Уникальный идентификатор события (для дедупликации)")
    cursor: str = Field(description="Курсор, после которого лента продолжится")
    type: str = Field(description="Тип события, например user.created")
    aggregate_type: str = Field(description="Вид изменённого объекта, например user")
    aggregate_id: str = Field(description="Идентификатор изменённого объекта")
    school_id: uuid.UUID = Field(description="Школа, к которой относится событие")
    occurred_at: datetime = Field(description="Когда изменение зафиксировано (UTC)")
    payload: dict[str, Any] = Field(
        description="Данные события; схема для каждого типа — в x-event-types операции"
    )


class EventPage(BaseModel):
    items: list[EventRead]
    next_cursor: str | None = Field(description="Курсор для следующего запроса (after=)")


def events_router(service: str, outbox_model: type[Any], event_types: list[str]) -> APIRouter:
    router = APIRouter(tags=["events"], route_class=TransactionalRoute)
    types_doc = ", ".join(event_types)

    @router.get(
        f"/api/v1/{service}/events",
        response_model=EventPage,
        operation_id=f"{service}_list_events",
        summary="Лента изменений (события после курсора)",
        description=(
            "События школы в порядке их фиксации. Передайте `after` из `next_cursor`, чтобы "
            "продолжить. Доступно администраторам и персоналу школы, а также сервисам "
            "платформы (токен client_credentials): им — события всех школ или школы "
            f"`school_id`. Типы событий: {types_doc}."
        ),
        responses=problem_responses(400, 401, 403, 404, 422),
    )
    async def list_events(
        request: Request,
        response: Response,
        session: SessionDep,
        principal: Annotated[Principal, Depends(require_roles("admin", "staff", SERVICE_ROLE))],
        after: Annotated[
            str | None, Query(max_length=200, description="Курсор из предыдущего ответа")
        ] = None,
        limit: Annotated[int, Query(ge=1, description=f"Не больше {FEED_LIMIT_MAX}")] = 100,
        types: Annotated[
            str | None, Query(max_length=1000, description="Типы событий через запятую")
        ] = None,
        school_id: Annotated[
            uuid.UUID | None,
            Query(description="Только для сервисов платформы: события одной школы"),
        ] = None,
    ) -> EventPage:
        if limit > FEED_LIMIT_MAX:
            raise BadRequest(
                f"Параметр limit не может превышать {FEED_LIMIT_MAX}", code="limit-too-large"
            )
        if principal.is_service:
            scope = school_id
        elif school_id is not None and school_id != principal.school_id:
            raise NotFound("Школа не найдена", code="school-not-found")
        else:
            scope = principal.school_id
        return await read_feed(session, outbox_model, scope, after, limit, types, response)

    return router


async def read_feed(
    session: AsyncSession,
    outbox_model: type[Any],
    school_id: uuid.UUID | None,
    after: str | None,
    limit: int,
    types: str | None,
    response: Response,
) -> EventPage:
    last_id = 0
    if after:
        raw = decode_cursor(after).get("e")
        # bool is an int subclass: {"e": true} must not reach the query
        if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
            raise BadRequest("Курсор ленты повреждён", code="invalid-cursor")
        max_id = (
            await session.execute(select(outbox_model.id).order_by(outbox_model.id.desc()).limit(1))
        ).scalar()
        if raw > (max_id or 0):
            raise BadRequest("Курсор ленты указывает в будущее", code="invalid-cursor")
        last_id = raw
    stmt = select(outbox_model).where(outbox_model.id > last_id).order_by(outbox_model.id)
    if school_id is not None:
        stmt = stmt.where(outbox_model.school_id == school_id)
    stmt = stmt.limit(limit)
    if types:
        wanted = [t.strip() for t in types.split(",") if t.strip()]
        stmt = stmt.where(outbox_model.type.in_(wanted))
    rows = list((await session.execute(stmt)).scalars().all())
    items = [
        EventRead(
            id=row.event_id,
            cursor=encode_cursor({"e": row.id}),
            type=row.type,
            aggregate_type=row.aggregate_type,
            aggregate_id=row.aggregate_id,
            school_id=row.school_id,
            occurred_at=row.occurred_at,
            payload=row.payload,
        )
        for row in rows
    ]
    next_cursor = items[-1].cursor if items else (after or encode_cursor({"e": last_id}))
    response.headers["Link"] = f'<?after={next_cursor}&limit={limit}>; rel="next"'
    return EventPage(items=items, next_cursor=next_cursor)
