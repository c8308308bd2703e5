"""P2: the class × subject × term grid (30 students × 50 lessons) through the journal's
HTTP API, against the same data read with raw SQL, both in this process, same database.

The endpoint does everything a request does (token check, access rules, four queries,
averages, JSON); the raw figure only runs the queries and fetches the rows.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from alembic import command
from alembic.config import Config
from sqlalchemy import text

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


@dataclass
class GridFigures:
    endpoint_rps: float
    raw_sql_rps: float
    ratio: float
    cells: int
    queries_per_request: int


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


async def _measure(folder: Path, seconds: float) -> GridFigures:
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
        now = int(time.time())
        token = jwt.sign(
            {
                "iss": settings.issuer,
                "aud": settings.audience,
                "sub": str(teacher),
                "iat": now,
                "exp": now + 3600,
                "jti": "b",
                "typ": "access",
                "school": str(school),
                "roles": ["teacher"],
            },
            pem,
            KID,
        )
        headers = {"Authorization": f"Bearer {token}"}
        params = {"from": "2026-09-01", "to": "2027-05-31"}
        path = f"/api/v1/journal/courses/{course}/grid"
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://journal") as client:
            first = await client.get(path, params=params, headers=headers)
            first.raise_for_status()
            body = first.json()
            cells = sum(len(row["marks"]) for row in body["rows"])

            async def endpoint() -> None:
                response = await client.get(path, params=params, headers=headers)
                response.raise_for_status()
                response.json()

            binds = {
                "course": course.hex if False else str(course),
                "a": "2026-09-01",
                "b": "2027-05-31",
            }
            engine = app.state.database.engine
            # SQLite stores UUIDs as 32 hex characters (SQLAlchemy's Uuid type)
            binds["course"] = course.hex

            async def raw() -> None:
                async with engine.connect() as conn:
                    for sql in RAW_QUERIES:
                        (await conn.execute(text(sql), binds)).all()

            counted: list[int] = []
            from sqlalchemy import event

            def count(*args: object) -> None:
                counted.append(1)

            event.listen(engine.sync_engine, "before_cursor_execute", count)
            await endpoint()
            event.remove(engine.sync_engine, "before_cursor_execute", count)

            rates = {}
            for name, fn in (
                ("endpoint", endpoint),
                ("raw", raw),
                ("endpoint", endpoint),
                ("raw", raw),
            ):
                calls, started = 0, time.perf_counter()
                while time.perf_counter() - started < seconds / 2:
                    await fn()
                    calls += 1
                rates.setdefault(name, []).append(calls / (time.perf_counter() - started))
    endpoint_rps = sum(rates["endpoint"]) / 2
    raw_rps = sum(rates["raw"]) / 2
    return GridFigures(endpoint_rps, raw_rps, endpoint_rps / raw_rps, cells, len(counted))


def grid_figures(folder: Path, seconds: float = 6.0) -> GridFigures:
    return asyncio.run(_measure(folder, seconds))


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        print(grid_figures(Path(tmp)))
