"""A webhook receiver for tests, as an integrator would write one.

It verifies every request with ``services.common.webhooks.verify`` (signature and
timestamp), fails the first ``fail_first`` tries of each delivery id and records what
it accepted. Serve ``Receiver().app()`` with ``tests.gateway.upstreams.serve``.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI, Request, Response

from services.common.webhooks import WebhookVerificationError, verify


@dataclass
class Receiver:
    """A webhook receiver: verifies, fails ``fail_first`` tries of each delivery, records."""

    secrets: list[str] = field(default_factory=list)
    fail_first: int = 3
    always_fail: bool = False
    clock_offset: float = 0.0
    tries: Counter[str] = field(default_factory=Counter)
    accepted: Counter[str] = field(default_factory=Counter)
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)
    rejected: list[str] = field(default_factory=list)
    captured: dict[str, tuple[dict[str, str], bytes]] = field(default_factory=dict)

    def app(self) -> FastAPI:
        app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

        @app.post("/hook")
        async def hook(request: Request) -> Response:
            body = await request.body()
            headers = dict(request.headers)
            delivery_id = None
            for secret in self.secrets:
                try:
                    delivery_id = verify(secret, headers, body, now=time.time() + self.clock_offset)
                    break
                except WebhookVerificationError as exc:
                    error = str(exc)
            if delivery_id is None:
                self.rejected.append(error)
                return Response(status_code=400)
            self.tries[delivery_id] += 1
            if self.always_fail or self.tries[delivery_id] <= self.fail_first:
                return Response(status_code=503)
            self.accepted[delivery_id] += 1
            self.bodies[delivery_id] = json.loads(body)
            self.captured[delivery_id] = (headers, body)
            return Response(status_code=204)

        return app
