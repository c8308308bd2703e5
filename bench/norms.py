"""P4: a whole school's week checked against the screen-device norms (CO-2).

The week: 33 classes (three per grade 1–11) × 5 days × 6 lessons = 990 lessons, each
with two or three device segments (whiteboard, panel, PC, laptop, tablet; viewing,
interactive and copying), the mix rotating so some days break a daily limit and the
answer carries violations to render, as real plans do.

Measured twice:

* the engine alone, in process: ``check_week`` over the prepared lessons with the
  built-in rule index (what the norms cost), and the same with the request body
  validated by the endpoint's pydantic schema first;
* the endpoint over HTTP: ``POST /api/v1/compliance/norms/checks/school-week`` on a real
  uvicorn process with a migrated SQLite database and a teacher's token from identity,
  one request at a time — parsing, the rules in force, the check, recording the run
  and the response.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from alembic.config import Config

from bench.identity_db import PASSWORD, USERNAME
from bench.identity_db import prepare as prepare_identity
from bench.servers import REPO, free_port, uvicorn_server
from services.compliance.norms import data, engine
from services.compliance.norms.schemas import SchoolWeekCheck

GOAL_MS = 100.0
CLASSES = 33
DAYS = 5
LESSONS_PER_DAY = 6
MONDAY = date(2026, 12, 7)
PATH = "/api/v1/compliance/norms/checks/school-week"

# (device, minutes, kind) pieces a lesson is made of, rotated over lessons and classes.
_PIECES: list[list[tuple[str, int, str]]] = [
    [("interactive_whiteboard", 7, "viewing"), ("tablet", 5, "interactive")],
    [("pc", 10, "interactive"), ("interactive_panel", 5, "viewing")],
    [("laptop", 8, "viewing"), ("laptop", 4, "copying"), ("interactive_whiteboard", 5, "viewing")],
    [("tablet", 6, "copying"), ("pc", 9, "interactive")],
    [("interactive_panel", 5, "viewing"), ("laptop", 10, "interactive")],
    [("interactive_whiteboard", 10, "viewing"), ("pc", 6, "copying"), ("tablet", 4, "viewing")],
]


def week_body(classes: int = CLASSES) -> dict[str, Any]:
    out: list[dict[str, Any]] = []
    for c in range(classes):
        grade = 1 + c // 3
        days = []
        for d in range(DAYS):
            lessons = []
            for n in range(LESSONS_PER_DAY):
                pieces = _PIECES[(c + d + n) % len(_PIECES)]
                start = 8 * 60 + 30 + n * 55
                lessons.append(
                    {
                        "ref": f"{c}-{d}-{n}",
                        "lesson_number": n + 1,
                        "starts_at": f"{start // 60:02d}:{start % 60:02d}",
                        "duration_minutes": 40 if grade == 1 else 45,
                        "delivery_form": "distance" if (c + d) % 7 == 0 else "in_person",
                        "segments": [
                            {"device": device, "minutes": minutes, "kind": kind}
                            for device, minutes, kind in pieces
                        ],
                    }
                )
            days.append({"date": (MONDAY + timedelta(days=d)).isoformat(), "lessons": lessons})
        out.append({"ref": f"{grade}{'АБВ'[c % 3]}", "grade": grade, "days": days})
    return {"classes": out}


def _engine_week(body: dict[str, Any]) -> list[engine.ClassWeek]:
    parsed = SchoolWeekCheck.model_validate(body)
    return [
        engine.ClassWeek(
            subject=engine.Subject("grade", c.grade or 1),
            days=tuple((d.date, tuple(x.to_engine() for x in d.lessons)) for d in c.days),
            ref=c.ref,
        )
        for c in parsed.classes
    ]


def _timings_ms(run: Callable[[], object], repeat: int) -> list[float]:
    run()  # warm-up
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _summary(timings: list[float]) -> dict[str, float]:
    ordered = sorted(timings)
    return {
        "median_ms": statistics.median(ordered),
        "p95_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))],
        "min_ms": ordered[0],
        "runs": float(len(ordered)),
    }


def engine_figures(repeat: int = 50) -> dict[str, Any]:
    body = week_body()
    weeks = _engine_week(body)
    index = data.BUILT_IN_INDEX

    def engine_only() -> object:
        return engine.check_week(weeks, lambda _day: index)

    def with_parsing() -> object:
        return engine.check_week(_engine_week(body), lambda _day: index)

    violations = engine_only()
    assert isinstance(violations, list)
    return {
        "lessons": sum(len(d[1]) for w in weeks for d in w.days),
        "segments": sum(len(lesson.segments) for w in weeks for d in w.days for lesson in d[1]),
        "violations": len(violations),
        "engine": _summary(_timings_ms(engine_only, repeat)),
        "engine_with_parsing": _summary(_timings_ms(with_parsing, repeat)),
    }


def _prepare_compliance(folder: Path) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite+aiosqlite:///{folder / 'compliance.db'}"
    cfg = Config(str(REPO / "alembic.ini"), ini_section="compliance")
    cfg.set_main_option("script_location", str(REPO / "services" / "compliance" / "migrations"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")
    return url


def http_figures(folder: Path, cpus: str | None, repeat: int = 60) -> dict[str, Any]:
    identity_url = prepare_identity(folder / "p4-identity")
    compliance_url = _prepare_compliance(folder / "p4-compliance")
    body = week_body()
    identity_port, compliance_port = free_port(), free_port()
    with (
        uvicorn_server(
            "services.identity.app:create_app",
            identity_port,
            {
                "IDENTITY_DATABASE_URL": identity_url,
                "IDENTITY_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
                "IDENTITY_ACCESS_TOKEN_SECONDS": "3600",
            },
            folder / "p4-identity.log",
            cpus=cpus,
        ) as identity,
        uvicorn_server(
            "services.compliance.app:create_app",
            compliance_port,
            {
                "COMPLIANCE_DATABASE_URL": compliance_url,
                "COMPLIANCE_SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
                "COMPLIANCE_JWKS_URL": f"{identity.url}/api/v1/identity/.well-known/jwks.json",
                "COMPLIANCE_FEEDS_ENABLED": "false",
                "COMPLIANCE_LOG_LEVEL": "WARNING",
            },
            folder / "p4-compliance.log",
            cpus=cpus,
        ) as compliance,
        httpx.Client(base_url=compliance.url, timeout=30) as client,
    ):
        token = httpx.post(
            identity.url + "/api/v1/identity/token",
            data={"grant_type": "password", "username": USERNAME, "password": PASSWORD},
            timeout=30,
        )
        token.raise_for_status()
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        payload = httpx.Request("POST", "/", json=body).content
        request_headers = {**headers, "Content-Type": "application/json"}
        last: dict[str, Any] = {}

        def call() -> object:
            response = client.post(PATH, content=payload, headers=request_headers)
            if response.status_code != 200:
                raise RuntimeError(f"P4: {response.status_code} {response.text[:500]}")
            last.update(response.json())
            return response

        for _ in range(5):
            call()
        cpu_before = compliance.cpu_seconds()
        timings = _timings_ms(call, repeat)
        cpu_ms = (compliance.cpu_seconds() - cpu_before) / (repeat + 1) * 1000
    return {
        "request_bytes": len(payload),
        "violations": last.get("violation_count"),
        # CPU the compliance process spent per request: other load on the machine
        # stretches the wall-clock figures but hardly this one
        "server_cpu_ms": cpu_ms,
        **_summary(timings),
    }


def run_p4(folder: Path, cpus: str | None) -> dict[str, Any]:
    figures = engine_figures()
    print(
        f"  P4 engine: {figures['lessons']} lessons, {figures['violations']} violations, "
        f"median {figures['engine']['median_ms']:.1f} ms "
        f"({figures['engine_with_parsing']['median_ms']:.1f} ms with parsing)",
        flush=True,
    )
    http = http_figures(folder, cpus)
    print(
        f"  P4 HTTP: median {http['median_ms']:.1f} ms, p95 {http['p95_ms']:.1f} ms, "
        f"compliance CPU {http['server_cpu_ms']:.1f} ms per request "
        f"({http['request_bytes'] / 1024:.0f} KiB request)",
        flush=True,
    )
    return {**figures, "http": http, "goal_ms": GOAL_MS}
