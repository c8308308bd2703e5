"""Apps of learning, journal and compliance for tests, and a school of minted callers.

Identity is not needed: tokens are minted with the test key (``tests.support.keys``)
and the service verifies them against the test JWKS.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx
from fastapi import FastAPI

from services.common.directory import apply_identity_event
from tests.support.keys import mint, test_jwks

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

# The callers every world has: name → roles.
CALLERS: dict[str, tuple[str, ...]] = {
    "admin": ("admin",),
    "staff": ("staff",),
    "teacher": ("teacher",),
    "teacher2": ("teacher",),
    "student": ("student",),
    "student2": ("student",),
    "student3": ("student",),
    "guardian": ("guardian",),
    "guardian2": ("guardian",),
}


def service_settings(service: str, database_url: str, **overrides: Any) -> Any:
    settings_module = importlib.import_module(f"services.{service}.settings")
    values: dict[str, Any] = {
        "environment": "test",
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "log_json": False,
        "log_level": "WARNING",
        "feeds_enabled": False,
    }
    values.update(overrides)
    return settings_module.Settings(**values)


@asynccontextmanager
async def running_app(service: str, database_url: str, **overrides: Any) -> AsyncIterator[FastAPI]:
    app_module = importlib.import_module(f"services.{service}.app")
    app: FastAPI = app_module.create_app(
        service_settings(service, database_url, **overrides), jwks_loader=test_jwks
    )
    async with app.router.lifespan_context(app):
        yield app


@asynccontextmanager
async def asgi_client(app: FastAPI, service: str) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url=f"http://{service}.test") as c:
        yield c


# Who is in which class, whose guardian, trained or not (see seed_directory).
CLASSES: dict[str, tuple[int, str, str]] = {
    # name: (grade, letter, homeroom teacher)
    "7Б": (7, "Б", "teacher"),
    "3А": (3, "А", "teacher2"),
}
MEMBERS = {"student": "7Б", "student2": "7Б", "student3": "3А"}
CHILDREN = {"guardian": "student", "guardian2": "student2"}
BIRTH_DATES = {
    "student": date(2013, 4, 12),
    "student2": date(2013, 9, 30),
    "student3": date(2018, 2, 1),
}
TIMEZONE = "Europe/Samara"


@dataclass
class World:
    """One school: a user id and a bearer header per caller name, its classes and year.

    ``seed_directory`` writes it into a service's replica of identity's directory
    through the same handler the identity feed uses.
    """

    school_id: uuid.UUID = field(default_factory=uuid.uuid4)
    ids: dict[str, uuid.UUID] = field(default_factory=dict)
    classes: dict[str, uuid.UUID] = field(default_factory=dict)
    year_id: uuid.UUID = field(default_factory=uuid.uuid4)
    year_starts: date = date(2026, 9, 1)
    year_ends: date = date(2027, 5, 31)
    timezone: str = TIMEZONE

    def __post_init__(self) -> None:
        for name in CALLERS:
            self.ids.setdefault(name, uuid.uuid4())
        for name in CLASSES:
            self.classes.setdefault(name, uuid.uuid4())

    def class_id(self, name: str = "7Б") -> uuid.UUID:
        return self.classes[name]

    def events(self) -> list[dict[str, Any]]:
        """identity's events for this world, in the order identity would write them."""
        school = str(self.school_id)
        out: list[dict[str, Any]] = []

        def add(type_: str, payload: dict[str, Any]) -> None:
            out.append(
                {"id": str(uuid.uuid4()), "type": type_, "school_id": school, "payload": payload}
            )

        add(
            "school.created",
            {
                "id": school,
                "name": "МБОУ СОШ № 1",
                "short_name": "СОШ № 1",
                "timezone": self.timezone,
                "region": "Самарская область",
            },
        )
        add(
            "academic_year.created",
            {
                "id": str(self.year_id),
                "name": "2026/2027",
                "starts_on": self.year_starts.isoformat(),
                "ends_on": self.year_ends.isoformat(),
                "is_current": True,
            },
        )
        for name, roles in CALLERS.items():
            payload: dict[str, Any] = {
                "id": str(self.ids[name]),
                "last_name": NAMES[name][0],
                "first_name": NAMES[name][1],
                "middle_name": None,
                "roles": list(roles),
                "is_active": True,
                "class_groups": [],
            }
            if "student" in roles:
                payload["birth_date"] = BIRTH_DATES[name].isoformat()
            if "teacher" in roles:
                payload["trained_for_dot"] = name == "teacher"
            add("user.created", payload)
        for cname, (grade, letter, homeroom) in CLASSES.items():
            add(
                "class_group.created",
                {
                    "id": str(self.classes[cname]),
                    "name": cname,
                    "grade": grade,
                    "letter": letter,
                    "academic_year_id": str(self.year_id),
                    "homeroom_teacher_id": str(self.ids[homeroom]),
                },
            )
        for student, cname in MEMBERS.items():
            add(
                "class_membership.added",
                {
                    "id": str(uuid.uuid4()),
                    "class_group_id": str(self.classes[cname]),
                    "student_id": str(self.ids[student]),
                },
            )
        for guardian, child in CHILDREN.items():
            add(
                "guardianship.created",
                {
                    "id": str(uuid.uuid4()),
                    "guardian_id": str(self.ids[guardian]),
                    "student_id": str(self.ids[child]),
                    "relation": "мать",
                },
            )
        return out

    def id(self, name: str) -> uuid.UUID:
        return self.ids[name]

    def headers(self, name: str, **extra: str) -> dict[str, str]:
        if name == "anonymous":
            return dict(extra)
        token = mint(self.ids[name], self.school_id, CALLERS[name])
        return {"Authorization": f"Bearer {token}", **extra}


NAMES: dict[str, tuple[str, str]] = {
    "admin": ("Смирнова", "Ольга"),
    "staff": ("Кузнецова", "Мария"),
    "teacher": ("Иванова", "Анна"),
    "teacher2": ("Петров", "Сергей"),
    "student": ("Соколов", "Артём"),
    "student2": ("Попова", "Дарья"),
    "student3": ("Лебедев", "Иван"),
    "guardian": ("Соколова", "Елена"),
    "guardian2": ("Попов", "Андрей"),
}


async def seed_directory(app: FastAPI, *worlds: World) -> None:
    """Write the worlds into the app's replica of identity's directory."""
    models = importlib.import_module(f"services.{_service_of(app)}.models")
    async with app.state.database.session() as session:
        for world in worlds:
            for event in world.events():
                await apply_identity_event(session, models.directory, event)
        await session.commit()


def _service_of(app: FastAPI) -> str:
    return str(app.state.settings.service_name)


def service_headers(client_id: str = "tests") -> dict[str, str]:
    """A service token (client credentials): role ``service``, no school."""
    token = mint(
        uuid.uuid5(uuid.NAMESPACE_URL, f"service:{client_id}"),
        uuid.UUID(int=0),
        ("service",),
        sid=None,
    )
    return {"Authorization": f"Bearer {token}"}
