"""``Idempotency-Key`` for POST (GW-5).

Same key and same request → the stored response (``Idempotent-Replayed: true``);
same key, different request → 422; the first request still running → 409.
Keys are scoped to the authenticated caller; anonymous requests are not deduplicated.
A response with status ≥ 500 is not stored, so the client may retry. Multipart uploads are
compared without their boundary (a retry of the same upload matches). A response marked
``Cache-Control: no-store`` (one-time passwords, tokens) is never written to the
database: a repeat of that request gets 409 saying it was already carried out.
"""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from services.common.db import Database, utcnow
from services.common.errors import ProblemError, Unauthorized
from services.common.middleware import send_problem

HEADER = b"idempotency-key"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")
IN_FLIGHT_STALE_AFTER = timedelta(minutes=2)
_REPLAY_SKIP_HEADERS = {b"x-request-id", b"content-length", b"date", b"server"}


_BOUNDARY = re.compile(rb";\s*boundary=\"?([^\";]+)\"?", re.IGNORECASE)


def request_fingerprint(
    method: bytes, path: bytes, query: bytes, content_type: bytes, body: bytes
) -> str:
    """What makes two requests "the same". A multipart body is compared without its
    boundary: clients pick a new random one for every attempt of the same upload."""
    match = _BOUNDARY.search(content_type)
    if content_type.lower().startswith(b"multipart/") and match is not None:
        boundary = match.group(1)
        content_type = content_type[: match.start()] + content_type[match.end() :]
        body = body.replace(b"--" + boundary, b"--<boundary>")
    digest = hashlib.sha256()
    digest.update(method + b" " + path + b"?")
    digest.update(query + b"\n")
    digest.update(content_type + b"\n")
    digest.update(body)
    return digest.hexdigest()


class IdempotencyMiddleware:
    def __init__(self, app: ASGIApp, model: type[Any]) -> None:
        self.app = app
        self.model = model

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        raw_key = headers.get(HEADER)
        auth = headers.get(b"authorization", b"")
        if raw_key is None or not auth.lower().startswith(b"bearer "):
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1")
        if not _VALID_KEY.match(key):
            await send_problem(
                send,
                400,
                "Заголовок Idempotency-Key: от 1 до 255 печатных символов ASCII",
                "invalid-idempotency-key",
            )
            return
        app_state = scope["app"].state
        try:
            principal = await app_state.verifier.verify(auth[7:].decode("latin-1").strip())
        except (Unauthorized, ProblemError):
            await self.app(scope, receive, send)  # the route answers 401 itself
            return

        body = bytearray()
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body.extend(message.get("body", b""))
            more = message.get("more_body", False)
        request_hash = request_fingerprint(
            scope["method"].encode(),
            scope["path"].encode(),
            scope.get("query_string", b""),
            headers.get(b"content-type", b""),
            bytes(body),
        )
        owner = f"user:{principal.user_id}"
        database: Database = app_state.database

        record_id = await self._claim(database, owner, key, request_hash, send)
        if record_id is None:
            return

        body_sent = False

        async def replay_receive() -> Message:
            nonlocal body_sent
            if not body_sent:
                body_sent = True
                return {"type": "http.request", "body": bytes(body), "more_body": False}
            return await receive()

        status = 500
        resp_headers: list[tuple[bytes, bytes]] = []
        resp_body = bytearray()

        async def capture_send(message: Message) -> None:
            nonlocal status, resp_headers
            if message["type"] == "http.response.start":
                status = message["status"]
                resp_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                resp_body.extend(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, replay_receive, capture_send)
        except BaseException:
            await self._forget(database, record_id)
            raise
        if status >= 500:
            await self._forget(database, record_id)
            return
        secret = any(
            k.lower() == b"cache-control" and b"no-store" in v.lower() for k, v in resp_headers
        )
        stored = [
            [k.decode("latin-1"), v.decode("latin-1")]
            for k, v in resp_headers
            if k.lower() not in _REPLAY_SKIP_HEADERS
        ]
        async with database.session() as session:
            await session.execute(
                update(self.model)
                .where(self.model.id == record_id)
                .values(
                    state="secret" if secret else "done",
                    response_status=status,
                    response_headers=None if secret else stored,
                    response_body=None if secret else bytes(resp_body),
                )
            )

    async def _claim(
        self, database: Database, owner: str, key: str, request_hash: str, send: Send
    ) -> Any:
        model = self.model
        try:
            async with database.session() as session:
                record = model(scope=owner, key=key, request_hash=request_hash, state="in_flight")
                session.add(record)
                await session.flush()
                return record.id
        except IntegrityError:
            pass
        async with database.session() as session:
            existing = (
                (await session.execute(select(model).where(model.scope == owner, model.key == key)))
                .scalars()
                .first()
            )
            if existing is None:  # removed meanwhile: the earlier request failed; go again
                record = model(scope=owner, key=key, request_hash=request_hash, state="in_flight")
                session.add(record)
                await session.flush()
                return record.id
            if existing.request_hash != request_hash:
                await send_problem(
                    send,
                    422,
                    "Этот Idempotency-Key уже использован для другого запроса",
                    "idempotency-key-reused",
                )
                return None
            if existing.state == "in_flight":
                if utcnow() - existing.created_at > IN_FLIGHT_STALE_AFTER:
                    existing.created_at = utcnow()
                    return existing.id
                await send_problem(
                    send,
                    409,
                    "Запрос с этим Idempotency-Key ещё выполняется",
                    "idempotency-in-flight",
                )
                return None
            if existing.state == "secret":
                await send_problem(
                    send,
                    409,
                    "Запрос с этим Idempotency-Key уже выполнен; его ответ содержал секреты "
                    "и не хранится, поэтому не может быть повторён",
                    "idempotent-response-not-stored",
                )
                return None
            headers = [
                (k.encode("latin-1"), v.encode("latin-1"))
                for k, v in existing.response_headers or []
            ]
            body = existing.response_body or b""
            headers.append((b"content-length", str(len(body)).encode()))
            headers.append((b"idempotent-replayed", b"true"))
            await send(
                {
                    "type": "http.response.start",
                    "status": existing.response_status,
                    "headers": headers,
                }
            )
            await send({"type": "http.response.body", "body": body})
            return None

    async def _forget(self, database: Database, record_id: Any) -> None:
        async with database.session() as session:
            await session.execute(delete(self.model).where(self.model.id == record_id))
