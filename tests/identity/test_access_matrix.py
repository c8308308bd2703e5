"""Who may do what in identity (ID-2, ID-3, ID-10, X-7): every endpoint × role × relation.

The intended rules:

* nobody sees another school's data: any object of another school is 404;
* admin: everything in the own school;
* staff: reads users and class groups of the school, records consents;
* teacher: reads class groups and brief profiles of the school's users;
* student: self only (another user is 404), the own class group;
* guardian: self and linked children (another child is 404);
* writes are admin-only: 403 for a same-school non-admin (for a non-admin writing to
  another school's object, 403 and 404 are both accepted: neither says it exists);
* anonymous: 401 everywhere but the public token endpoints.

Each row of :data:`MATRIX` is one operation with, per role, the expected status for each
relation of the target to the caller. A row runs as one test against a fresh school
(and a second school for the cross-school cells): roles in the order anonymous →
admin, so the admin's successful writes come last. Every successful response is also
scanned for identifiers of the other school. :class:`TestCompleteness` fails when an
operation of the app has no row, so a new endpoint can't slip through.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import select

from services.identity.models import Consent, ExternalId, Guardianship
from services.identity.tokens.repository import UserLookup
from services.identity.tokens.service import TokenService
from tests.identity.factories import PASSWORD, SchoolWorld, add_user

API = "/api/v1/identity"
ROLES = ("anonymous", "student", "guardian", "teacher", "staff", "admin")
STAFF_ROLES = ("admin", "staff", "teacher", "student", "guardian")

Status = int | frozenset[int]
Expect = dict[str, dict[str, Status]]


# -- the world every row runs in -------------------------------------------------------


@dataclass
class Ctx:
    app: FastAPI
    client: httpx.AsyncClient
    world: SchoolWorld
    other: SchoolWorld
    headers: dict[str, dict[str, str]]
    newcomer: uuid.UUID  # a student of the own school in no class yet
    other_newcomer: uuid.UUID
    seq: int = 0

    def unique(self, prefix: str) -> str:
        self.seq += 1
        return f"{prefix}{self.seq}{uuid.uuid4().hex[:6]}"

    def me(self, role: str) -> uuid.UUID:
        return self.world[role if role != "anonymous" else "student"].id

    def user(self, role: str, relation: str) -> uuid.UUID:
        """A user related to the caller: self, child (the guardian's child), other
        (a student who is neither the caller nor the guardian's child), teacher,
        colleague (another teacher) or other_school."""
        return {
            "self": lambda: self.me(role),
            "child": lambda: self.world["student"].id,
            "other": lambda: self.world["student2"].id,
            "teacher": lambda: self.world["teacher"].id,
            "colleague": lambda: self.world["teacher2"].id,
            "other_school": lambda: self.other["student"].id,
            "other_school_teacher": lambda: self.other["teacher"].id,
        }[relation]()

    def class_group(self, relation: str) -> uuid.UUID:
        """own_class: the class of the student and of the guardian's child (7Б);
        other_class: the class of nobody related to the caller (3А)."""
        return {
            "own_class": self.world.class_ids["7Б"],
            "other_class": self.world.class_ids["3А"],
            "other_school": self.other.class_ids["7Б"],
        }[relation]

    def school_of(self, relation: str) -> SchoolWorld:
        return self.other if relation.startswith("other_school") else self.world

    async def guardianship_id(self, relation: str) -> uuid.UUID:
        world = self.school_of(relation)
        async with self.app.state.database.session() as session:
            found = await session.execute(
                select(Guardianship.id).where(Guardianship.guardian_id == world["guardian"].id)
            )
            return found.scalars().first() or uuid.uuid4()

    async def consent(self, subject: uuid.UUID, school_id: uuid.UUID) -> uuid.UUID:
        async with self.app.state.database.session() as session:
            consent = Consent(
                school_id=school_id,
                subject_id=subject,
                given_by_id=subject,
                kind="processing",
                purpose="Организация обучения",
                data_categories=["ФИО"],
                given_on=date(2026, 9, 1),
            )
            session.add(consent)
            await session.flush()
            return consent.id

    async def external_id(self, entity_id: uuid.UUID, school_id: uuid.UUID, kind: str) -> str:
        """The ``sferum`` id of an entity, created when it has none."""
        async with self.app.state.database.session() as session:
            existing = await session.execute(
                select(ExternalId.value).where(
                    ExternalId.entity_id == entity_id, ExternalId.system == "sferum"
                )
            )
            value = existing.scalars().first()
            if value is None:
                value = self.unique("ext-")
                session.add(
                    ExternalId(
                        school_id=school_id,
                        entity_type=kind,
                        entity_id=entity_id,
                        system="sferum",
                        value=value,
                    )
                )
        return value


@dataclass
class Req:
    params: dict[str, Any] = field(default_factory=dict)
    json: Any = None
    content: bytes | None = None
    query: dict[str, Any] | None = None
    content_type: str | None = None


Prepare = Callable[[Ctx, str, str], Awaitable[Req]]


async def no_target(ctx: Ctx, role: str, relation: str) -> Req:
    return Req()


@dataclass(frozen=True)
class Row:
    method: str
    path: str
    expect: Expect
    prepare: Prepare = no_target
    note: str = ""

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"


# -- expectation builders --------------------------------------------------------------


def cells(relations: tuple[str, ...], status: Status) -> dict[str, Status]:
    return dict.fromkeys(relations, status)


def any_of(*statuses: int) -> frozenset[int]:
    return frozenset(statuses)


def everyone(status: Status, anonymous: Status = 401) -> Expect:
    """One relation ("school"): the caller's own school."""
    expect: Expect = {role: {"school": status} for role in STAFF_ROLES}
    expect["anonymous"] = {"school": anonymous}
    return expect


def by_role(anonymous: Status = 401, **roles: Status) -> Expect:
    expect: Expect = {role: {"school": status} for role, status in roles.items()}
    expect["anonymous"] = {"school": anonymous}
    return expect


def admin_write(ok: Status, own: tuple[str, ...] = ("own",), first: str = "own") -> Expect:
    """Admin: ``ok`` on own-school targets, 404 on another school's; others 403."""
    expect: Expect = {
        "anonymous": {first: 401},
        "admin": {"other_school": 404, **cells(own, ok)},
    }
    for role in ("student", "guardian", "teacher", "staff"):
        expect[role] = {"other_school": any_of(403, 404), **cells(own, 403)}
    return expect


def user_read(
    *,
    staff: Status = 200,
    teacher_other: Status = 200,
    admin_other: Status = 200,
    self_status: Status = 200,
) -> Expect:
    """Reads about a user: the user-visibility rules of the module docstring."""
    return {
        "anonymous": {"other": 401},
        "admin": {"other_school": 404, "self": self_status, "other": admin_other},
        "staff": {"other_school": 404, "self": self_status, "other": staff},
        "teacher": {"other_school": 404, "self": self_status, "other": teacher_other},
        "student": {"other_school": 404, "other": 404, "self": self_status},
        "guardian": {"other_school": 404, "other": 404, "child": 200, "self": self_status},
    }


def class_read() -> Expect:
    return {
        "anonymous": {"own_class": 401},
        "admin": {"other_school": 404, "other_class": 200, "own_class": 200},
        "staff": {"other_school": 404, "other_class": 200, "own_class": 200},
        "teacher": {"other_school": 404, "other_class": 200, "own_class": 200},
        "student": {"other_school": 404, "other_class": 404, "own_class": 200},
        "guardian": {"other_school": 404, "other_class": 404, "own_class": 200},
    }


# -- request builders ------------------------------------------------------------------


def user_path(name: str = "user_id") -> Prepare:
    async def prepare(ctx: Ctx, role: str, relation: str) -> Req:
        return Req(params={name: ctx.user(role, relation)})

    return prepare


def class_path(suffix_params: Callable[[Ctx, str], dict[str, Any]] | None = None) -> Prepare:
    async def prepare(ctx: Ctx, role: str, relation: str) -> Req:
        params: dict[str, Any] = {"class_group_id": ctx.class_group(relation)}
        if suffix_params:
            params.update(suffix_params(ctx, relation))
        return Req(params=params)

    return prepare


def own_or_other(
    own: Callable[[Ctx], Any], other: Callable[[Ctx], Any]
) -> Callable[[Ctx, str], Any]:
    return lambda ctx, relation: other(ctx) if relation.startswith("other_school") else own(ctx)


async def password_change(ctx: Ctx, role: str, relation: str) -> Req:
    # a wrong current password: the caller is let in, the rule refuses (and the token lives)
    return Req(json={"current_password": "not-my-password", "new_password": "Novyi-Parol-2027"})


async def reauth_body(ctx: Ctx, role: str, relation: str) -> Req:
    # the own password (ID-8): every person gets a proof of it
    return Req(json={"password": PASSWORD})


async def patch_school(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(json={"region": "Самарская область"})


async def new_year(ctx: Ctx, role: str, relation: str) -> Req:
    start = 2030 + ctx.seq
    ctx.seq += 1
    return Req(
        json={
            "name": f"{start}/{start + 1}",
            "starts_on": f"{start}-09-01",
            "ends_on": f"{start + 1}-05-31",
        }
    )


async def patch_year(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(params={"year_id": ctx.school_of(relation).year_id}, json={"is_current": True})


async def new_class(ctx: Ctx, role: str, relation: str) -> Req:
    ctx.seq += 1
    letter = "ВГДЕЖЗИКЛМНОПРСТУФХЦЧШЩЭЮЯ"[ctx.seq % 26]
    year = ctx.school_of(relation).year_id
    return Req(json={"academic_year_id": str(year), "grade": 5, "letter": letter})


async def patch_class(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(params={"class_group_id": ctx.class_group(relation)}, json={"grade": 7})


async def add_member(ctx: Ctx, role: str, relation: str) -> Req:
    if relation == "other_school":
        group, student = ctx.other.class_ids["7Б"], ctx.other_newcomer
    elif relation == "foreign_student":
        group, student = ctx.world.class_ids["7Б"], ctx.other_newcomer
    else:
        group, student = ctx.world.class_ids["7Б"], ctx.newcomer
    return Req(params={"class_group_id": group}, json={"student_id": str(student)})


async def remove_member(ctx: Ctx, role: str, relation: str) -> Req:
    world = ctx.school_of(relation)
    return Req(params={"class_group_id": world.class_ids["7Б"], "student_id": world["student"].id})


async def roster_csv(ctx: Ctx, role: str, relation: str) -> Req:
    username = ctx.unique("csv")
    csv = f"username;last_name;first_name;roles\n{username};Орлова;Вера;student\n"
    return Req(content=csv.encode(), content_type="text/csv")


async def new_user(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(
        json={
            "username": ctx.unique("new"),
            "last_name": "Орлов",
            "first_name": "Илья",
            "roles": ["student"],
        }
    )


def user_write(body: dict[str, Any] | None = None) -> Prepare:
    async def prepare(ctx: Ctx, role: str, relation: str) -> Req:
        return Req(params={"user_id": ctx.user(role, relation)}, json=body)

    return prepare


async def new_guardianship(ctx: Ctx, role: str, relation: str) -> Req:
    student = ctx.user(role, relation)  # other: a student not yet linked
    return Req(json={"guardian_id": str(ctx.world["guardian"].id), "student_id": str(student)})


async def guardianship_path(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(params={"guardianship_id": await ctx.guardianship_id(relation)})


async def training_body(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(
        params={"user_id": ctx.user(role, relation)},
        json={
            "program": "Цифровая образовательная среда",
            "provider": "ИРО",
            "hours": 36,
            "completed_on": "2026-06-01",
        },
    )


async def set_user_external_id(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(
        params={"user_id": ctx.user(role, relation), "system": "moya_shkola"},
        json={"value": ctx.unique("ms-")},
    )


async def delete_user_external_id(ctx: Ctx, role: str, relation: str) -> Req:
    world = ctx.school_of(relation)
    user_id = ctx.user(role, relation)
    await ctx.external_id(user_id, world.id, "user")
    return Req(params={"user_id": user_id, "system": "sferum"})


async def set_class_external_id(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(
        params={"class_group_id": ctx.class_group(relation), "system": "moya_shkola"},
        json={"value": ctx.unique("msc-")},
    )


async def delete_class_external_id(ctx: Ctx, role: str, relation: str) -> Req:
    world = ctx.school_of(relation)
    group = ctx.class_group(relation)
    await ctx.external_id(group, world.id, "class_group")
    return Req(params={"class_group_id": group, "system": "sferum"})


async def lookup(ctx: Ctx, role: str, relation: str) -> Req:
    world = ctx.school_of(relation)
    value = await ctx.external_id(world["student2"].id, world.id, "user")
    return Req(query={"system": "sferum", "value": value})


async def give_consent(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(
        json={
            "subject_id": str(ctx.user(role, relation)),
            "kind": "processing",
            "purpose": "Организация обучения с ЭО и ДОТ",
            "data_categories": ["ФИО", "класс"],
            "given_on": "2026-09-01",
        }
    )


async def list_consents(ctx: Ctx, role: str, relation: str) -> Req:
    if relation == "school":
        return Req()
    return Req(query={"subject_id": str(ctx.user(role, relation))})


async def withdraw_consent(ctx: Ctx, role: str, relation: str) -> Req:
    # a fresh consent per cell, so an earlier cell's withdrawal can't change the answer
    subject = ctx.user(role, relation)
    consent = await ctx.consent(subject, ctx.school_of(relation).id)
    return Req(params={"consent_id": consent})


async def contacts_lookup(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(json={"user_ids": [str(ctx.world["student"].id)]})


async def public_token(ctx: Ctx, role: str, relation: str) -> Req:
    # an unknown login per cell: the per-account throttle must not turn the answer into 429
    form = {"grant_type": "password", "username": ctx.unique("ghost"), "password": "wrong"}
    return Req(content=urlencode(form).encode(), content_type="application/x-www-form-urlencoded")


async def public_initial(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(
        json={
            "username": ctx.unique("ghost"),
            "current_password": "wrong-password",
            "new_password": "Novyi-Parol-2027",
        }
    )


async def public_logout(ctx: Ctx, role: str, relation: str) -> Req:
    return Req(json={"refresh_token": "not-a-token"})


def public(status: int) -> Expect:
    """Open to everyone: the same answer whoever asks."""
    return {role: {"public": status} for role in ROLES}


OTHER_USER = ("other",)
# Another school's object named in a request body: "not found" as a 404, or a 422 rule
# saying it is not in this school — either way exactly the answer an unknown id gets
# (TestForeignReferences checks that part).
FOREIGN_REF = any_of(404, 422)


# -- the matrix ------------------------------------------------------------------------

MATRIX: list[Row] = [
    # tokens: public; a wrong password is refused the same way for everyone
    Row("POST", f"{API}/token", public(400), public_token),
    Row("POST", f"{API}/logout", public(204), public_logout),
    Row("GET", f"{API}/.well-known/jwks.json", public(200)),
    Row("GET", f"{API}/.well-known/openid-configuration", public(200)),
    Row("POST", f"{API}/password/initial", public(400), public_initial),
    # the own account
    Row("GET", f"{API}/me", everyone(200)),
    Row("POST", f"{API}/reauth", everyone(200), reauth_body),
    Row("POST", f"{API}/me/password", everyone(422), password_change),
    Row("GET", f"{API}/me/children", everyone(200)),
    Row("GET", f"{API}/me/access-log", everyone(200)),
    # school and academic years: everyone reads, admin writes
    Row("GET", f"{API}/school", everyone(200)),
    Row(
        "PATCH",
        f"{API}/school",
        by_role(admin=200, staff=403, teacher=403, student=403, guardian=403),
        patch_school,
    ),
    Row("GET", f"{API}/academic-years", everyone(200)),
    Row(
        "POST",
        f"{API}/academic-years",
        by_role(admin=201, staff=403, teacher=403, student=403, guardian=403),
        new_year,
    ),
    Row("PATCH", f"{API}/academic-years/{{year_id}}", admin_write(200), patch_year),
    # class groups
    Row("GET", f"{API}/class-groups", everyone(200)),
    Row(
        "POST",
        f"{API}/class-groups",
        {**admin_write(201), "admin": {"other_school": FOREIGN_REF, "own": 201}},
        new_class,
        note="another school's year in the body: the same answer as an unknown id",
    ),
    Row("GET", f"{API}/class-groups/{{class_group_id}}", class_read(), class_path()),
    Row(
        "PATCH",
        f"{API}/class-groups/{{class_group_id}}",
        admin_write(200, own=("own_class",), first="own_class"),
        patch_class,
    ),
    Row("GET", f"{API}/class-groups/{{class_group_id}}/students", class_read(), class_path()),
    Row(
        "POST",
        f"{API}/class-groups/{{class_group_id}}/students",
        {
            **admin_write(201),
            "admin": {"other_school": 404, "foreign_student": FOREIGN_REF, "own": 201},
        },
        add_member,
    ),
    Row(
        "DELETE",
        f"{API}/class-groups/{{class_group_id}}/students/{{student_id}}",
        admin_write(204),
        remove_member,
    ),
    # users
    Row(
        "POST",
        f"{API}/users/import",
        by_role(admin=201, staff=403, teacher=403, student=403, guardian=403),
        roster_csv,
    ),
    Row(
        "GET",
        f"{API}/users/export.csv",
        by_role(admin=200, staff=403, teacher=403, student=403, guardian=403),
    ),
    Row("GET", f"{API}/users", everyone(200)),
    Row(
        "POST",
        f"{API}/users",
        by_role(admin=201, staff=403, teacher=403, student=403, guardian=403),
        new_user,
    ),
    Row("GET", f"{API}/users/{{user_id}}", user_read(), user_path()),
    Row(
        "PATCH",
        f"{API}/users/{{user_id}}",
        admin_write(200, own=OTHER_USER, first="other"),
        user_write({"middle_name": "Петрович"}),
    ),
    Row(
        "POST",
        f"{API}/users/{{user_id}}/deactivate",
        admin_write(200, own=OTHER_USER, first="other"),
        user_write(),
    ),
    Row(
        "POST",
        f"{API}/users/{{user_id}}/reactivate",
        admin_write(200, own=OTHER_USER, first="other"),
        user_write(),
    ),
    Row(
        "POST",
        f"{API}/users/{{user_id}}/reset-password",
        admin_write(200, own=OTHER_USER, first="other"),
        user_write(),
    ),
    # guardianship
    Row(
        "POST",
        f"{API}/guardianships",
        {
            **admin_write(201, own=OTHER_USER, first="other"),
            "admin": {"other_school": FOREIGN_REF, "other": 201},
        },
        new_guardianship,
    ),
    Row(
        "DELETE",
        f"{API}/guardianships/{{guardianship_id}}",
        admin_write(204),
        guardianship_path,
    ),
    Row("GET", f"{API}/users/{{user_id}}/guardians", user_read(), user_path()),
    Row("GET", f"{API}/users/{{user_id}}/children", user_read(), user_path()),
    # DOT training: the teacher and the administration read; admin records
    Row(
        "GET",
        f"{API}/users/{{user_id}}/dot-training",
        {
            "anonymous": {"teacher": 401},
            "admin": {"other_school_teacher": 404, "teacher": 200},
            "staff": {"other_school_teacher": 404, "teacher": 200},
            "teacher": {"other_school_teacher": 404, "colleague": 403, "self": 200},
            "student": {"other_school_teacher": 404, "teacher": 404},
            "guardian": {"other_school_teacher": 404, "teacher": 404},
        },
        user_path(),
        note="a colleague's training is more than a brief profile: 403 (the user is visible)",
    ),
    Row(
        "POST",
        f"{API}/users/{{user_id}}/dot-training",
        {
            "anonymous": {"teacher": 401},
            "admin": {"other_school_teacher": 404, "teacher": 201},
            **{
                role: {"other_school_teacher": any_of(403, 404), "teacher": 403}
                for role in ("staff", "teacher", "student", "guardian")
            },
        },
        training_body,
    ),
    # external ids: admin sets them; admin and staff look them up
    Row(
        "PUT",
        f"{API}/users/{{user_id}}/external-ids/{{system}}",
        admin_write(200, own=OTHER_USER, first="other"),
        set_user_external_id,
    ),
    Row(
        "DELETE",
        f"{API}/users/{{user_id}}/external-ids/{{system}}",
        admin_write(204, own=OTHER_USER, first="other"),
        delete_user_external_id,
    ),
    Row(
        "PUT",
        f"{API}/class-groups/{{class_group_id}}/external-ids/{{system}}",
        admin_write(200, own=("own_class",), first="own_class"),
        set_class_external_id,
    ),
    Row(
        "DELETE",
        f"{API}/class-groups/{{class_group_id}}/external-ids/{{system}}",
        admin_write(204, own=("own_class",), first="own_class"),
        delete_class_external_id,
    ),
    Row(
        "GET",
        f"{API}/external-ids/lookup",
        {
            "anonymous": {"own": 401},
            "admin": {"other_school": 404, "own": 200},
            "staff": {"other_school": 404, "own": 200},
            **{
                role: {"other_school": 403, "own": 403}
                for role in ("teacher", "student", "guardian")
            },
        },
        lookup,
    ),
    # personal data (ID-10)
    Row(
        "POST",
        f"{API}/consents",
        {
            "anonymous": {"self": 401},
            "admin": {"other_school": 404, "self": 201, "other": 201},
            "staff": {"other_school": 404, "self": 201, "other": 201},
            "teacher": {"other_school": 404, "self": 201, "other": 403},
            "student": {"other_school": 404, "other": 404, "self": 201},
            "guardian": {"other_school": 404, "other": 404, "self": 201, "child": 201},
        },
        give_consent,
        note="a teacher sees another user briefly, so it is 403, not 404",
    ),
    Row(
        "GET",
        f"{API}/consents",
        {
            "anonymous": {"school": 401},
            "admin": {"other_school": 404, "school": 200, "other": 200},
            "staff": {"other_school": 404, "school": 200, "other": 200},
            "teacher": {"other_school": 404, "school": 200, "other": 403},
            "student": {"other_school": 404, "school": 200, "other": 404},
            "guardian": {"other_school": 404, "school": 200, "other": 404, "child": 200},
        },
        list_consents,
    ),
    Row(
        "POST",
        f"{API}/consents/{{consent_id}}/withdraw",
        {
            "anonymous": {"self": 401},
            "admin": {"other_school": 404, "other": 200, "self": 200},
            "staff": {"other_school": 404, "other": 200, "self": 200},
            "teacher": {"other_school": 404, "other": 403, "self": 200},
            "student": {"other_school": 404, "other": 404, "self": 200},
            "guardian": {"other_school": 404, "other": 404, "child": 200, "self": 200},
        },
        withdraw_consent,
    ),
    Row(
        "GET",
        f"{API}/personal-data/access-log",
        by_role(admin=200, staff=403, teacher=403, student=403, guardian=403),
    ),
    Row(
        "GET",
        f"{API}/users/{{user_id}}/export",
        user_read(staff=403, teacher_other=403),
        user_path(),
        note="the export is the subject's, a guardian's or an admin's (ID-10)",
    ),
    # the change feed: administration only
    Row(
        "GET",
        f"{API}/events",
        by_role(admin=200, staff=200, teacher=403, student=403, guardian=403),
    ),
    # contact data for the platform's services only (service tokens: tests/identity/
    # test_contacts.py); no person, whatever the role
    Row(
        "POST",
        f"{API}/contacts/lookup",
        by_role(admin=403, staff=403, teacher=403, student=403, guardian=403),
        contacts_lookup,
    ),
]

ROWS = {row.key: row for row in MATRIX}


# -- running a row ---------------------------------------------------------------------


@pytest.fixture
async def ctx(
    identity_app: FastAPI,
    client: httpx.AsyncClient,
    school: SchoolWorld,
    other_school: SchoolWorld,
) -> Ctx:
    headers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in STAFF_ROLES:
        headers[role] = await issued_headers(identity_app, school[role].id)
    newcomer = await add_user(identity_app, school.id, ["student"])
    other_newcomer = await add_user(identity_app, other_school.id, ["student"])
    return Ctx(identity_app, client, school, other_school, headers, newcomer.id, other_newcomer.id)


async def issued_headers(app: FastAPI, user_id: uuid.UUID) -> dict[str, str]:
    """A real token from the token service, without paying Argon2 for a password login
    (the login itself is covered by the token tests; here only authorization matters)."""
    state = app.state
    async with state.database.session() as session:
        user = await UserLookup(session).with_roles(user_id)
        assert user is not None
        service = TokenService(
            session, state.settings, state.keystore, state.passwords, state.counter
        )
        tokens = await service.issue(user)
    return {"Authorization": f"Bearer {tokens.access_token}"}


def other_school_ids(ctx: Ctx) -> set[str]:
    ids = {str(ctx.other.id), str(ctx.other.year_id), str(ctx.other_newcomer)}
    ids |= {str(i) for i in ctx.other.class_ids.values()}
    ids |= {str(p.id) for p in ctx.other.people.values()}
    return ids


def fill(path: str, params: dict[str, Any]) -> str:
    for name, value in params.items():
        path = path.replace("{" + name + "}", str(value))
    assert "{" not in path, f"unfilled path parameters in {path}"
    return path


async def run_cell(ctx: Ctx, row: Row, role: str, relation: str) -> httpx.Response:
    req = await row.prepare(ctx, role, relation)
    headers = dict(ctx.headers[role])
    if req.content_type:
        headers["Content-Type"] = req.content_type
    return await ctx.client.request(
        row.method,
        fill(row.path, req.params),
        json=req.json,
        content=req.content,
        params=req.query,
        headers=headers,
    )


def matches(expected: Status, actual: int) -> bool:
    return actual in expected if isinstance(expected, frozenset) else actual == expected


@pytest.mark.parametrize("key", sorted(ROWS))
async def test_access(key: str, ctx: Ctx) -> None:
    row = ROWS[key]
    foreign = other_school_ids(ctx)
    mismatches: list[str] = []
    for role in ROLES:
        for relation, expected in row.expect.get(role, {}).items():
            response = await run_cell(ctx, row, role, relation)
            status = response.status_code
            if not matches(expected, status):
                shown = sorted(expected) if isinstance(expected, frozenset) else expected
                mismatches.append(
                    f"{role:9} {relation:20} expected {shown}, got {status}: {response.text[:200]}"
                )
            if status >= 400:
                assert response.headers["content-type"].startswith("application/problem+json")
            elif relation != "other_school" and not relation.startswith("other_school"):
                leaked = sorted(i for i in foreign if i in response.text)
                if leaked:
                    mismatches.append(f"{role} {relation}: another school's ids leaked {leaked}")
    assert not mismatches, f"{key}\n" + "\n".join(mismatches)


# -- content checks the status codes alone don't show ----------------------------------


class TestListsAreScoped:
    async def test_students_and_guardians_list_only_themselves(self, ctx: Ctx) -> None:
        expected = {
            "student": {ctx.world["student"].id},
            "guardian": {ctx.world["guardian"].id, ctx.world["student"].id},
        }
        for role, ids in expected.items():
            response = await ctx.client.get(f"{API}/users", headers=ctx.headers[role])
            assert {uuid.UUID(u["id"]) for u in response.json()["items"]} == ids, role

    async def test_staff_lists_the_whole_school_and_nothing_else(self, ctx: Ctx) -> None:
        for role in ("admin", "staff", "teacher"):
            response = await ctx.client.get(
                f"{API}/users", params={"limit": 200}, headers=ctx.headers[role]
            )
            ids = {uuid.UUID(u["id"]) for u in response.json()["items"]}
            assert ids == {p.id for p in ctx.world.people.values()} | {ctx.newcomer}, role

    async def test_teachers_see_brief_profiles(self, ctx: Ctx) -> None:
        response = await ctx.client.get(
            f"{API}/users/{ctx.world['student2'].id}", headers=ctx.headers["teacher"]
        )
        body = response.json()
        assert body["profile"] == "brief"
        assert not {"birth_date", "email", "phone", "username"} & set(body)

    async def test_class_lists_follow_membership(self, ctx: Ctx) -> None:
        for role in ("student", "guardian"):
            response = await ctx.client.get(f"{API}/class-groups", headers=ctx.headers[role])
            names = [g["name"] for g in response.json()["items"]]
            assert names == ["7Б"], role
        response = await ctx.client.get(f"{API}/class-groups", headers=ctx.headers["teacher"])
        assert sorted(g["name"] for g in response.json()["items"]) == ["3А", "7Б"]

    async def test_guardian_sees_only_the_linked_child(self, ctx: Ctx) -> None:
        response = await ctx.client.get(f"{API}/me/children", headers=ctx.headers["guardian"])
        children = response.json()["items"]
        assert [c["child"]["id"] for c in children] == [str(ctx.world["student"].id)]


class TestForeignReferences:
    """Another school's object named in a body gets exactly the answer an unknown id gets."""

    async def compare(
        self,
        ctx: Ctx,
        method: str,
        path: str,
        body: Callable[[uuid.UUID], dict[str, Any]],
        foreign: uuid.UUID,
    ) -> None:
        admin = ctx.headers["admin"]
        theirs = await ctx.client.request(method, path, json=body(foreign), headers=admin)
        unknown = await ctx.client.request(method, path, json=body(uuid.uuid4()), headers=admin)
        assert 400 <= theirs.status_code < 500, theirs.text
        assert (theirs.status_code, theirs.json()["type"]) == (
            unknown.status_code,
            unknown.json()["type"],
        ), (theirs.text, unknown.text)

    async def test_year_of_a_class(self, ctx: Ctx) -> None:
        await self.compare(
            ctx,
            "POST",
            f"{API}/class-groups",
            lambda i: {"academic_year_id": str(i), "grade": 5, "letter": "Д"},
            ctx.other.year_id,
        )

    async def test_homeroom_teacher(self, ctx: Ctx) -> None:
        await self.compare(
            ctx,
            "PATCH",
            f"{API}/class-groups/{ctx.world.class_ids['7Б']}",
            lambda i: {"homeroom_teacher_id": str(i)},
            ctx.other["teacher"].id,
        )

    async def test_class_member(self, ctx: Ctx) -> None:
        await self.compare(
            ctx,
            "POST",
            f"{API}/class-groups/{ctx.world.class_ids['7Б']}/students",
            lambda i: {"student_id": str(i)},
            ctx.other_newcomer,
        )

    async def test_guardianship_child_and_guardian(self, ctx: Ctx) -> None:
        guardian, student = ctx.world["guardian"].id, ctx.world["student2"].id
        await self.compare(
            ctx,
            "POST",
            f"{API}/guardianships",
            lambda i: {"guardian_id": str(guardian), "student_id": str(i)},
            ctx.other["student"].id,
        )
        await self.compare(
            ctx,
            "POST",
            f"{API}/guardianships",
            lambda i: {"guardian_id": str(i), "student_id": str(student)},
            ctx.other["guardian"].id,
        )

    async def test_consent_subject(self, ctx: Ctx) -> None:
        await self.compare(
            ctx,
            "POST",
            f"{API}/consents",
            lambda i: {
                "subject_id": str(i),
                "kind": "processing",
                "purpose": "Обучение",
                "data_categories": ["ФИО"],
                "given_on": "2026-09-01",
            },
            ctx.other["student"].id,
        )


# -- completeness ----------------------------------------------------------------------


def app_operations(app: FastAPI) -> set[str]:
    found: set[str] = set()
    for context in iter_route_contexts(app.routes):
        path = context.path or ""
        # the webhooks' matrix is shared by every service: test_access_webhooks.py
        webhooks = path.startswith(f"{API}/webhooks")
        if isinstance(context.original_route, APIRoute) and path.startswith(API) and not webhooks:
            found.update(f"{m} {path}" for m in context.methods or () if m != "HEAD")
    return found


class TestCompleteness:
    def test_every_operation_has_a_row(self, identity_app: FastAPI) -> None:
        missing = sorted(app_operations(identity_app) - set(ROWS))
        assert not missing, f"operations without an access-matrix row: {missing}"

    def test_every_row_is_an_operation(self, identity_app: FastAPI) -> None:
        stale = sorted(set(ROWS) - app_operations(identity_app))
        assert not stale, f"rows for operations that no longer exist: {stale}"

    def test_every_row_covers_every_role(self) -> None:
        incomplete = [row.key for row in MATRIX if set(row.expect) != set(ROLES)]
        assert not incomplete, f"rows missing a role: {incomplete}"

    def test_no_duplicate_rows(self) -> None:
        assert len(ROWS) == len(MATRIX)
