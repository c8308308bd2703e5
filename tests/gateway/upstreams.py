"""Real upstream servers for the gateway tests: uvicorn on free 127.0.0.1 ports.

The proxy speaks aiohttp over sockets, so its upstreams must be real servers. The
echo app answers ``/api/v1/<any service>/…`` with what it received, so one server can
stand in for every service.
"""

from __future__ import annotations

import asyncio
import hashlib
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.types import ASGIApp

BIG_BODY_CHUNKS = 40
BIG_BODY_CHUNK = b"x" * 8192


@dataclass
class EchoLog:
    """What the echo upstream has received (to prove the gateway did not call it)."""

    requests: list[dict[str, Any]] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.requests)


def echo_app(log: EchoLog, *, slow_seconds: float = 3.0) -> FastAPI:
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/api/v1/{service}/slow")
    async def slow(service: str) -> dict[str, str]:
        log.requests.append({"path": f"/api/v1/{service}/slow"})
        await asyncio.sleep(slow_seconds)
        return {"status": "late"}

    @app.get("/api/v1/{service}/big")
    async def big(service: str) -> StreamingResponse:
        log.requests.append({"path": f"/api/v1/{service}/big"})

        async def chunks() -> AsyncIterator[bytes]:
            for _ in range(BIG_BODY_CHUNKS):
                yield BIG_BODY_CHUNK

        return StreamingResponse(chunks(), media_type="application/octet-stream")

    @app.api_route(
        "/api/v1/{service}/{rest:path}",
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    )
    async def echo(request: Request, service: str, rest: str) -> Response:
        body = await request.body()
        seen = {
            "service": service,
            "method": request.method,
            "path": request.url.path,
            "raw_path": request.scope["raw_path"].decode("latin-1"),
            "query": request.scope["query_string"].decode("latin-1"),
            "headers": [
                [k.decode("latin-1"), v.decode("latin-1")] for k, v in request.scope["headers"]
            ],
            "body_length": len(body),
            "body_sha256": hashlib.sha256(body).hexdigest(),
        }
        log.requests.append(seen)
        return JSONResponse(
            seen,
            status_code=int(request.query_params.get("status", "200")),
            headers={
                "X-Upstream": "echo",
                "Keep-Alive": "timeout=99",
                "X-Request-ID": "upstream-own",
            },
        )

    return app


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serve(app: ASGIApp, *, lifespan: str = "off", port: int = 0) -> AsyncIterator[str]:
    """Run ``app`` under uvicorn in this event loop (on a free port unless ``port`` is
    given); yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app,
        lifespan=lifespan,  # type: ignore[arg-type]
        log_level="warning",
        access_log=False,
        ws="none",
        http="h11",
        timeout_graceful_shutdown=1,
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            if task.done():
                task.result()  # raises what stopped it
                raise RuntimeError("upstream server stopped before starting")
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task
        sock.close()
