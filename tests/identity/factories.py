"""Builds schools with people directly in the identity database (fast: hashes cached)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from fastapi import FastAPI

from services.identity.models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    Guardianship,
    School,
    User,
    UserRole,
)
from services.identity.passwords import Passwords

PASSWORD = "Kl4ss-Journal-2026"


@cache
def _hash(password: str) -> str:
    return Passwords(19 * 1024, 2, 1).hash_sync(password)


@dataclass
class Person:
    id: uuid.UUID
    username: str
    roles: list[str]
    password: str = PASSWORD


@dataclass
class SchoolWorld:
    id: uuid.UUID
    year_id: uuid.UUID
    class_ids: dict[str, uuid.UUID] = field(default_factory=dict)
    people: dict[str, Person] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Person:
        return self.people[key]


async def add_user(
    app: FastAPI,
    school_id: uuid.UUID,
    roles: list[str],
    *,
    username: str | None = None,
    password: str = PASSWORD,
    must_change_password: bool = False,
    birth_date: date | None = None,
    is_active: bool = True,
) -> Person:
    username = username or f"u{uuid.uuid4().hex[:12]}"
    async with app.state.database.session() as session:
        user = User(
            school_id=school_id,
            username=username,
            last_name="Иванов",
            first_name="Иван",
            middle_name="Иванович",
            birth_date=birth_date,
            email=f"{username}@example.org",
            password_hash=_hash(password),
            must_change_password=must_change_password,
            is_active=is_active,
        )
        session.add(user)
        await session.flush()
        for role in roles:
            session.add(UserRole(school_id=school_id, user_id=user.id, role=role))
    return Person(user.id, username, roles, password)


async def make_school(app: FastAPI, name: str = "МБОУ СОШ № 1") -> SchoolWorld:
    """A school with an admin, staff, two teachers, two classes, students and guardians."""
    async with app.state.database.session() as session:
        school = School(name=name, short_name=name[:50], timezone="Europe/Samara")
        session.add(school)
        await session.flush()
        year = AcademicYear(
            school_id=school.id,
            name="2026/2027",
            starts_on=date(2026, 9, 1),
            ends_on=date(2027, 5, 31),
            is_current=True,
        )
        session.add(year)
        await session.flush()
        classes = {}
        for grade, letter in ((7, "Б"), (3, "А")):
            group = ClassGroup(
                school_id=school.id, academic_year_id=year.id, grade=grade, letter=letter
            )
            session.add(group)
            await session.flush()
            classes[f"{grade}{letter}"] = group.id
        world = SchoolWorld(id=school.id, year_id=year.id, class_ids=classes)
    world.people["admin"] = await add_user(app, world.id, ["admin"])
    world.people["staff"] = await add_user(app, world.id, ["staff"])
    world.people["teacher"] = await add_user(app, world.id, ["teacher"])
    world.people["teacher2"] = await add_user(app, world.id, ["teacher"])
    world.people["student"] = await add_user(
        app, world.id, ["student"], birth_date=date(2013, 3, 1)
    )
    world.people["student2"] = await add_user(
        app, world.id, ["student"], birth_date=date(2013, 5, 2)
    )
    world.people["guardian"] = await add_user(app, world.id, ["guardian"])
    async with app.state.database.session() as session:
        session.add(
            ClassMembership(
                school_id=world.id, class_group_id=classes["7Б"], student_id=world["student"].id
            )
        )
        session.add(
            ClassMembership(
                school_id=world.id, class_group_id=classes["3А"], student_id=world["student2"].id
            )
        )
        session.add(
            Guardianship(
                school_id=world.id, guardian_id=world["guardian"].id, student_id=world["student"].id
            )
        )
    return world
