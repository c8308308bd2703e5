"""CSV roster import: many accounts at once, all or nothing (ID-1 … ID-4, ID-9).

The file (format in ``docs/csv-roster-format.md``) is UTF-8 with or without a BOM,
``;`` or ``,`` separated (told from the header line). Every row is checked — fields,
duplicates within the file, logins already taken, classes of the current academic
year, children named by ``guardian_of``, external ids — and if anything is wrong the
answer lists every problem with its line number and nothing is stored. Otherwise the
accounts, class memberships, guardianships and external ids are created in the
request's one transaction, each account with a one-time password returned once.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict
from services.common.outbox import emit
from services.identity.class_groups.service import membership_payload
from services.identity.external_ids.schemas import EXTERNAL_SYSTEMS
from services.identity.external_ids.service import emit_external_id
from services.identity.guardianship.service import guardianship_payload
from services.identity.models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    ExternalId,
    Guardianship,
    User,
    UserRole,
    kernel,
)
from services.identity.passwords import Passwords
from services.identity.privacy.repository import AccessLogRepository
from services.identity.roster.parsing import (
    Errors,
    RosterInvalid,
    Row,
    check_header,
    decode,
    parse_row,
    read_rows,
)
from services.identity.roster.repository import RosterRepository
from services.identity.roster.schemas import ImportedUser, RosterImportResult
from services.identity.users.auth import Viewer
from services.identity.users.service import UserPresenter, generate_password

# -- the import -------------------------------------------------------------------------


@dataclass
class Plan:
    rows: list[Row]
    year: AcademicYear | None
    classes: dict[str, ClassGroup]
    existing_children: dict[str, User]


class RosterService:
    def __init__(
        self, session: AsyncSession, viewer: Viewer, passwords: Passwords, max_rows: int
    ) -> None:
        self.session = session
        self.viewer = viewer
        self.passwords = passwords
        self.max_rows = max_rows
        self.repo = RosterRepository(session)

    @property
    def school_id(self) -> uuid.UUID:
        return self.viewer.school_id

    async def import_csv(self, raw: bytes) -> RosterImportResult:
        header, records = read_rows(decode(raw), self.max_rows)
        errors = check_header(header)
        if errors:
            raise RosterInvalid(errors.items)
        rows = [parse_row(line, header, values, errors) for line, values in records]
        if not rows:
            errors.add(2, "file", "В файле нет строк с данными", "empty-file")
        plan = await self.check_against_school(rows, errors)
        if errors:
            raise RosterInvalid(sorted(errors.items, key=lambda e: (e.line, e.field)))
        return await self.create(plan)

    async def check_against_school(self, rows: list[Row], errors: Errors) -> Plan:
        first_line: dict[str, int] = {}
        for row in rows:
            key = row.username.lower()
            if not key:
                continue
            if key in first_line:
                errors.add(
                    row.line,
                    "username",
                    f"Логин уже встречается в строке {first_line[key]}",
                    "duplicate-username",
                )
            else:
                first_line[key] = row.line
        taken = await self.repo.taken_usernames(list(first_line))
        for row in rows:
            if row.username and row.username.lower() in taken:
                errors.add(row.line, "username", "Этот логин уже занят", "username-taken")

        year = await self.repo.current_year(self.school_id)
        classes = await self.repo.classes(self.school_id, year.id) if year else {}
        for row in rows:
            if row.class_name is None:
                continue
            if year is None:
                errors.add(
                    row.line, "class", "В школе не задан текущий учебный год", "no-current-year"
                )
            elif row.class_name not in classes:
                errors.add(
                    row.line,
                    "class",
                    f"Класса {row.class_name} нет в учебном году {year.name}",
                    "unknown-class",
                )

        students_in_file = {r.username.lower() for r in rows if "student" in r.roles and r.username}
        named = sorted({c.lower() for r in rows for c in r.guardian_of} - students_in_file)
        existing = await self.repo.school_users(named, self.school_id) if named else {}
        for row in rows:
            for child in row.guardian_of:
                key = child.lower()
                if key == row.username.lower():
                    errors.add(row.line, "guardian_of", "Нельзя указать самого себя")
                elif key in students_in_file:
                    continue
                elif key not in existing:
                    errors.add(
                        row.line,
                        "guardian_of",
                        f"Обучающийся «{child}» не найден ни в файле, ни в школе",
                        "unknown-child",
                    )
                elif "student" not in existing[key].role_names:
                    errors.add(
                        row.line, "guardian_of", f"«{child}» не обучающийся", "not-a-student"
                    )

        pairs: dict[tuple[str, str], int] = {}
        for row in rows:
            for pair in row.externals:
                if pair in pairs:
                    errors.add(
                        row.line,
                        "external_id",
                        f"Этот идентификатор уже встречается в строке {pairs[pair]}",
                        "duplicate-external-id",
                    )
                else:
                    pairs[pair] = row.line
        for system, value in await self.repo.taken_external(self.school_id, list(pairs)):
            errors.add(
                pairs[(system, value)],
                "external_id",
                "Этот внешний идентификатор уже закреплён за другим пользователем школы",
                "external-id-taken",
            )
        return Plan(rows=rows, year=year, classes=classes, existing_children=existing)

    async def _hash_all(self, passwords: list[str]) -> list[str]:
        """Argon2 is deliberately slow: hash on every core, not one after another."""
        limiter = anyio.CapacityLimiter(max(1, os.cpu_count() or 1))
        hashes = [""] * len(passwords)

        async def one(index: int) -> None:
            hashes[index] = await anyio.to_thread.run_sync(
                self.passwords.hash_sync, passwords[index], limiter=limiter
            )

        async with anyio.create_task_group() as group:
            for index in range(len(passwords)):
                group.start_soon(one, index)
        return hashes

    async def create(self, plan: Plan) -> RosterImportResult:
        school_id = self.school_id
        passwords = [generate_password() for _ in plan.rows]
        hashes = await self._hash_all(passwords)
        users: dict[str, User] = {}
        for row, password_hash in zip(plan.rows, hashes, strict=True):
            user_id = uuid.uuid4()
            users[row.username.lower()] = User(
                id=user_id,
                school_id=school_id,
                username=row.username,
                last_name=row.last_name,
                first_name=row.first_name,
                middle_name=row.middle_name,
                birth_date=row.birth_date,
                email=row.email,
                password_hash=password_hash,
                must_change_password=True,
                is_active=True,
                roles=[UserRole(school_id=school_id, user_id=user_id, role=r) for r in row.roles],
            )
        memberships: list[tuple[ClassMembership, ClassGroup, User]] = []
        links: list[tuple[Guardianship, User, User]] = []
        externals: list[ExternalId] = []
        for row in plan.rows:
            user = users[row.username.lower()]
            if row.class_name is not None:
                group = plan.classes[row.class_name]
                membership = ClassMembership(
                    id=uuid.uuid4(),
                    school_id=school_id,
                    class_group_id=group.id,
                    student_id=user.id,
                )
                memberships.append((membership, group, user))
            for child_name in dict.fromkeys(c.lower() for c in row.guardian_of):
                child = users.get(child_name) or plan.existing_children[child_name]
                link = Guardianship(
                    id=uuid.uuid4(),
                    school_id=school_id,
                    guardian_id=user.id,
                    student_id=child.id,
                    relation="parent",
                )
                links.append((link, user, child))
            for system, value in row.externals:
                externals.append(
                    ExternalId(
                        id=uuid.uuid4(),
                        school_id=school_id,
                        entity_type="user",
                        entity_id=user.id,
                        system=system,
                        value=value,
                    )
                )
        try:
            # Users first: the other rows point at them, and no ORM relationship tells
            # the unit of work so.
            await self.repo.save(list(users.values()))
            await self.repo.save(
                [*(m for m, _, _ in memberships), *(g for g, _, _ in links), *externals]
            )
        except IntegrityError:
            raise Conflict(
                "Данные изменились во время загрузки (например, логин занят); повторите",
                code="concurrent-change",
            ) from None
        await self._emit(plan, list(users.values()), memberships, links)
        for external in externals:
            await emit_external_id(self.session, "external_id.set", external)
        return RosterImportResult(
            created=len(users),
            memberships=len(memberships),
            guardianships=len(links),
            external_ids=len(externals),
            users=[
                ImportedUser(
                    line=row.line,
                    id=users[row.username.lower()].id,
                    username=row.username,
                    password=pw,
                )
                for row, pw in zip(plan.rows, passwords, strict=True)
            ],
        )

    async def _emit(
        self,
        plan: Plan,
        users: list[User],
        memberships: list[tuple[ClassMembership, ClassGroup, User]],
        links: list[tuple[Guardianship, User, User]],
    ) -> None:
        payloads = await UserPresenter(self.session, self.viewer).payloads(users)
        events: list[tuple[str, str, uuid.UUID, dict[str, Any]]] = [
            ("user.created", "user", u.id, payloads[u.id]) for u in users
        ]
        if plan.year is not None:
            events += [
                (
                    "class_membership.added",
                    "class_membership",
                    m.id,
                    membership_payload(m, group, plan.year, student),
                )
                for m, group, student in memberships
            ]
        events += [
            ("guardianship.created", "guardianship", link.id, guardianship_payload(link, g, s))
            for link, g, s in links
        ]
        for type_, aggregate_type, aggregate_id, payload in events:
            await emit(
                self.session,
                kernel.outbox,
                school_id=self.school_id,
                type=type_,
                aggregate_type=aggregate_type,
                aggregate_id=aggregate_id,
                payload=payload,
            )


# -- the export -------------------------------------------------------------------------


class RosterExportService:
    """The school's active accounts as a CSV roster (GW-5, ID-9): the import's columns,
    external ids one column per system, no passwords. Every exported person is written
    to the personal-data access log as an ``export`` (ID-10)."""

    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.session = session
        self.viewer = viewer
        self.repo = RosterRepository(session)

    async def rows(self) -> list[list[str | None]]:
        school_id = self.viewer.school_id
        users = await self.repo.active_users(school_id)
        classes = await self.repo.current_classes(school_id)
        externals = await self.repo.user_external_ids(school_id)
        names = {u.id: u.username for u in users}
        children: dict[uuid.UUID, list[str]] = {}
        for guardian_id, student_id in await self.repo.children(school_id):
            if student_id in names:
                children.setdefault(guardian_id, []).append(names[student_id])
        out: list[list[str | None]] = []
        for user in users:
            ids = externals.get(user.id, {})
            out.append(
                [
                    user.username,
                    user.last_name,
                    user.first_name,
                    user.middle_name,
                    user.birth_date.isoformat() if user.birth_date else None,
                    user.email,
                    "|".join(sorted(user.role_names)),
                    classes.get(user.id),
                    "|".join(children.get(user.id, [])),
                    *(ids.get(system) for system in EXTERNAL_SYSTEMS),
                ]
            )
        await AccessLogRepository(self.session).record(
            school_id, self.viewer.user_id, [u.id for u in users], "export", "roster-csv"
        )
        return out
