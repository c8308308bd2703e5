"""Per-request context (request id, actor) carried through logs, audit and events."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass

_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)
_actor: ContextVar[Actor | None] = ContextVar("actor", default=None)


@dataclass(frozen=True, slots=True)
class Actor:
    user_id: uuid.UUID | None
    school_id: uuid.UUID | None


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    _request_id.set(value)


def current_actor() -> Actor | None:
    return _actor.get()


def set_actor(actor: Actor | None) -> None:
    _actor.set(actor)
