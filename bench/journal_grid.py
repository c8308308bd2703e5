"""P2: the class × subject × term grid (30 students × 50 lessons) through the journal's
HTTP API, against the same data read with raw SQL, both in this process, same database.

The endpoint does everything a request does (ASGI stack and middleware, token check,
access rules, its queries, averages, JSON, the commit); the raw figure only runs the
baseline's queries on a pooled connection and fetches the rows. Both are measured in
interleaved rounds; besides throughput the CPU time per request is read (the process
and aiosqlite's worker thread), which other load on a shared machine skews far less.
The endpoint is called as an ASGI application, the way uvicorn hands a parsed request
over: building the request and decoding the answer are a client's costs, not the
endpoint's, and the baseline has no client either (the first answer is fetched with
httpx and checked).
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import event, text

from services.common import jwt
from services.common.directory import apply_identity_event
from services.journal.app import create_app
from services.journal.feeds import apply_learning
from services.journal.models import Attendance, Mark, directory
from services.journal.settings import Settings

REPO = Path(__file__).resolve().parents[1]
STUDENTS = 30
LESSONS = 50
KID = "bench-key"


def _migrate(url: str) -> None:
    cfg = Config(str(REPO / "alembic.ini"), ini_section="journal")
    cfg.set_main_option("script_location", str(REPO / "services" / "journal" / "migrations"))
    cfg.attributes["database_url"] = url
    command.upgrade(cfg, "head")


def _event(school: uuid.UUID, type_: str, payload: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "type": type_, "school_id": str(school), "payload": payload}


async def _seed(app: Any, school: uuid.UUID, teacher: uuid.UUID) -> uuid.UUID:
    year, group, course = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    students = [uuid.uuid4() for _ in range(STUDENTS)]
    identity = [
        _event(
            school,
            "school.created",
            {"id": str(school), "name": "СОШ", "timezone": "Europe/Moscow"},
        ),
        _event(
            school,
            "academic_year.created",
            {
                "id": str(year),
                "name": "2026/2027",
                "starts_on": "2026-09-01",
                "ends_on": "2027-05-31",
                "is_current": True,
            },
        ),
        _event(
            school,
            "user.created",
            {
                "id": str(teacher),
                "last_name": "Учитель",
                "first_name": "Анна",
                "roles": ["teacher"],
                "is_active": True,
            },
        ),
        _event(
            school,
            "class_group.created",
            {
                "id": str(group),
                "name": "7А",
                "grade": 7,
                "letter": "А",
                "academic_year_id": str(year),
                "homeroom_teacher_id": str(teacher),
            },
        ),
    ]
    for n, student in enumerate(students):
        identity.append(
            _event(
                school,
                "user.created",
                {
                    "id": str(student),
                    "last_name": f"Ученик{n:02d}",
                    "first_name": "Иван",
                    "roles": ["student"],
                    "is_active": True,
                    "birth_date": "2013-01-01",
                },
            )
        )
        identity.append(
            _event(
                school,
                "class_membership.added",
                {"id": str(uuid.uuid4()), "class_group_id": str(group), "student_id": str(student)},
            )
        )
    learning = [
        _event(
            school,
            "course.created",
            {
                "id": str(course),
                "subject": "Математика",
                "class_group_id": str(group),
                "grade": 7,
                "level": "basic",
                "student_ids": None,
                "teacher_ids": [str(teacher)],
                "academic_year_id": str(year),
            },
        )
    ]
    lessons = []
    for n in range(LESSONS):
        lesson_id = uuid.uuid4()
        lessons.append((lesson_id, date(2026, 9, 1) + timedelta(days=n * 2)))
        learning.append(
            _event(
                school,
                "lesson.scheduled",
                {
                    "id": str(lesson_id),
                    "course_id": str(course),
                    "course": {},
                    "date": lessons[-1][1].isoformat(),
                    "starts_at": "09:00",
                    "duration_minutes": 40,
                    "delivery_form": "in_person",
                    "status": "scheduled",
                    "teacher_id": str(teacher),
                    "topic": {"id": str(uuid.uuid4()), "position": n, "title": f"Тема {n}"},
                    "version": 1,
                },
            )
        )
    async with app.state.database.session() as session:
        for item in identity:
            await apply_identity_event(session, directory, item)
        for item in learning:
            await apply_learning(session, item)
        for i, student in enumerate(students):
            for j, (lesson_id, day) in enumerate(lessons):
                if (i + j) % 3 == 0:
                    session.add(
                        Mark(
                            school_id=school,
                            course_id=course,
                            lesson_id=lesson_id,
                            student_id=student,
                            value=str(2 + (i + j) % 4),
                            numeric_value=2 + (i + j) % 4,
                            weight=1,
                            date=day,
                        )
                    )
                elif (i + j) % 17 == 0:
                    session.add(
                        Attendance(
                            school_id=school,
                            course_id=course,
                            lesson_id=lesson_id,
                            student_id=student,
                            date=day,
                            reason="illness",
                        )
                    )
        await session.commit()
    return course


# The baseline: the same data as the grid reads, with plain SQL (no ORM, no types).
RAW_QUERIES = [
    "SELECT * FROM tt_lessons WHERE course_id = :course AND date >= :a AND date <= :b "
    "ORDER BY date, starts_at",
    "SELECT p.* FROM dir_people p JOIN dir_class_memberships m ON m.student_id = p.id "
    "JOIN tt_courses c ON c.class_group_id = m.class_group_id WHERE c.id = :course",
    "SELECT * FROM marks WHERE course_id = :course AND status = 'active' "
    "AND date >= :a AND date <= :b",
    "SELECT * FROM attendance WHERE course_id = :course AND status = 'absent' "
    "AND date >= :a AND date <= :b",
]
GOAL = 0.7


@dataclass
class Round:
    endpoint_rps: float
    raw_rps: float
    endpoint_cpu_ms: float
    raw_cpu_ms: float


@dataclass
class GridFigures:
    endpoint_rps: float
    raw_sql_rps: float
    ratio: float
    endpoint_cpu_ms: float
    raw_cpu_ms: float
    cpu_ratio: float
    cells: int
    marks: int
    absences: int
    response_bytes: int
    endpoint_queries: int
    raw_queries: int
    rounds: list[Round]


def _token(settings: Settings, pem: str, school: uuid.UUID, teacher: uuid.UUID) -> str:
    now = int(time.time())
    return jwt.sign(
        {
            "iss": settings.issuer,
            "aud": settings.audience,
            "sub": str(teacher),
            "iat": now,
            "exp": now + 3600,
            "jti": "bench",
            "typ": "access",
            "school": str(school),
            "roles": ["teacher"],
        },
        pem,
        KID,
    )


async def _rate(fn: Callable[[], Awaitable[object]], seconds: float) -> tuple[float, float]:
    """Calls per second and CPU milliseconds per call over ``seconds``."""
    calls, started, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - started < seconds:
        await fn()
        calls += 1
    wall = time.perf_counter() - started
    return calls / wall, (time.process_time() - cpu) / calls * 1000


async def _measure(folder: Path, seconds: float, rounds: int) -> GridFigures:
    url = f"sqlite+aiosqlite:///{folder / 'journal.db'}"
    await asyncio.to_thread(_migrate, url)
    pem = jwt.generate_private_key_pem()

    async def jwks() -> list[dict[str, Any]]:
        return [jwt.public_jwk(pem, KID)]

    settings = Settings(
        environment="test",
        database_url=url,
        secret_key="b" * 40,
        log_json=False,
        log_level="WARNING",
        feeds_enabled=False,
    )
    app = create_app(settings, jwks_loader=jwks)
    school, teacher = uuid.uuid4(), uuid.uuid4()
    async with app.router.lifespan_context(app):
        course = await _seed(app, school, teacher)
        headers = {"Authorization": f"Bearer {_token(settings, pem, school, teacher)}"}
        params = {"from": "2026-09-01", "to": "2027-05-31"}
        path = f"/api/v1/journal/courses/{course}/grid"
        engine = app.state.database.engine
        # SQLite stores UUIDs as 32 hex digits (SQLAlchemy's Uuid type)
        binds = {"course": course.hex, "a": "2026-09-01", "b": "2027-05-31"}
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://journal") as client:
            first = await client.get(path, params=params, headers=headers)
            first.raise_for_status()
            body = first.json()
            size = len(first.content)

            scope = {
                "type": "http",
                "asgi": {"version": "3.0"},
                "http_version": "1.1",
                "method": "GET",
                "scheme": "http",
                "path": path,
                "raw_path": path.encode(),
                "query_string": urlencode(params).encode(),
                "root_path": "",
                "headers": [
                    (b"host", b"journal"),
                    (b"authorization", headers["Authorization"].encode()),
                ],
                "client": ("127.0.0.1", 50000),
                "server": ("journal", 80),
            }

            async def endpoint() -> None:
                """One request straight into the ASGI app, as uvicorn hands it over."""
                status, received = 0, 0

                async def receive() -> dict[str, Any]:
                    return {"type": "http.request", "body": b"", "more_body": False}

                async def send(message: MutableMapping[str, Any]) -> None:
                    nonlocal status, received
                    if message["type"] == "http.response.start":
                        status = message["status"]
                    elif message["type"] == "http.response.body":
                        received += len(message.get("body", b""))

                await app(dict(scope), receive, send)
                if status != 200 or received != size:
                    raise RuntimeError(f"P2: the endpoint answered {status}, {received} bytes")

            async def raw() -> None:
                async with engine.connect() as conn:
                    for sql in RAW_QUERIES:
                        (await conn.execute(text(sql), binds)).all()

            counted: list[str] = []

            def count(_conn: object, _cursor: object, statement: str, *rest: object) -> None:
                counted.append(statement)

            queries = {}
            for name, fn in (("endpoint", endpoint), ("raw", raw)):
                await fn()  # warm: pools, compiled statements, caches
                counted.clear()
                event.listen(engine.sync_engine, "before_cursor_execute", count)
                try:
                    await fn()
                finally:
                    event.remove(engine.sync_engine, "before_cursor_execute", count)
                queries[name] = len(counted)

            measured = []
            for _ in range(rounds):
                endpoint_rps, endpoint_cpu = await _rate(endpoint, seconds)
                raw_rps, raw_cpu = await _rate(raw, seconds)
                measured.append(Round(endpoint_rps, raw_rps, endpoint_cpu, raw_cpu))
    endpoint_rps = statistics.mean(r.endpoint_rps for r in measured)
    raw_rps = statistics.mean(r.raw_rps for r in measured)
    endpoint_cpu = statistics.mean(r.endpoint_cpu_ms for r in measured)
    raw_cpu = statistics.mean(r.raw_cpu_ms for r in measured)
    return GridFigures(
        endpoint_rps=endpoint_rps,
        raw_sql_rps=raw_rps,
        ratio=endpoint_rps / raw_rps,
        endpoint_cpu_ms=endpoint_cpu,
        raw_cpu_ms=raw_cpu,
        cpu_ratio=raw_cpu / endpoint_cpu,
        cells=sum(len(row["marks"]) for row in body["rows"]),
        marks=sum(len(cell) for row in body["rows"] for cell in row["marks"]),
        absences=sum(len(row["absences"]) for row in body["rows"]),
        response_bytes=size,
        endpoint_queries=queries["endpoint"],
        raw_queries=queries["raw"],
        rounds=measured,
    )


def grid_figures(folder: Path, seconds: float = 3.0, rounds: int = 3) -> GridFigures:
    return asyncio.run(_measure(folder, seconds, rounds))


def run_p2(folder: Path, seconds: float = 3.0, rounds: int = 3) -> dict[str, Any]:
    figures = grid_figures(folder, seconds, rounds)
    for n, r in enumerate(figures.rounds, start=1):
        print(
            f"  P2 round {n}: endpoint {r.endpoint_rps:6.1f}/s ({r.endpoint_cpu_ms:5.1f} ms CPU), "
            f"raw SQL {r.raw_rps:6.1f}/s ({r.raw_cpu_ms:5.1f} ms CPU)",
            flush=True,
        )
    print(
        f"  P2: {figures.cells} cells, {figures.marks} marks; endpoint "
        f"{figures.endpoint_rps:.1f}/s, raw SQL {figures.raw_sql_rps:.1f}/s, "
        f"ratio {figures.ratio:.2f} "
        f"(CPU per request {figures.endpoint_cpu_ms:.1f} vs {figures.raw_cpu_ms:.1f} ms, "
        f"{figures.cpu_ratio:.2f}); {figures.endpoint_queries} vs {figures.raw_queries} statements",
        flush=True,
    )
    return {**asdict(figures), "goal": GOAL, "students": STUDENTS, "lessons": LESSONS}


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        run_p2(Path(tmp))
