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

import csv
import io
import os
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import anyio
import anyio.to_thread
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict, PayloadTooLarge, ProblemError
from services.common.outbox import emit
from services.identity.class_groups.service import membership_payload
from services.identity.external_ids.schemas import EXTERNAL_SYSTEMS
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
from services.identity.roster.repository import RosterRepository
from services.identity.roster.schemas import (
    COLUMNS,
    REQUIRED_COLUMNS,
    ImportedUser,
    RosterError,
    RosterImportResult,
)
from services.identity.users.auth import Viewer
from services.identity.users.schemas import (
    check_birth_date,
    check_email,
    check_roles,
    check_username,
)
from services.identity.users.service import UserPresenter, generate_password

# Enough to fix a file in one go without an enormous answer.
MAX_REPORTED_ERRORS = 1000
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RU_DATE = re.compile(r"^(\d{2})\.(\d{2})\.(\d{4})$")
_CLASS = re.compile(r"^(\d{1,2})\s*([А-ЯЁа-яё])$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class RosterInvalid(ProblemError):
    status, code, title = 422, "roster-invalid", "Ошибка проверки данных"

    def __init__(self, errors: Sequence[RosterError]) -> None:
        shown = list(errors)[:MAX_REPORTED_ERRORS]
        lines = sorted({e.line for e in errors})
        super().__init__(
            f"Файл не загружен: ошибок {len(errors)} в строках "
            + ", ".join(str(n) for n in lines[:20])
            + (" …" if len(lines) > 20 else "")
            + "; ничего не сохранено",
            extra={
                "errors": [e.model_dump() for e in shown],
                "errors_total": len(errors),
            },
        )


@dataclass
class Row:
    line: int
    username: str = ""
    last_name: str = ""
    first_name: str = ""
    middle_name: str | None = None
    birth_date: date | None = None
    email: str | None = None
    roles: list[str] = field(default_factory=list)
    class_name: str | None = None
    guardian_of: list[str] = field(default_factory=list)
    external_system: str | None = None
    external_id: str | None = None


@dataclass
class Errors:
    items: list[RosterError] = field(default_factory=list)

    def add(self, line: int, column: str, message: str, code: str = "invalid-value") -> None:
        self.items.append(RosterError(line=line, field=column, message=message, code=code))

    def __bool__(self) -> bool:
        return bool(self.items)


# -- reading the file -------------------------------------------------------------------


def decode(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise RosterInvalid(
            [
                RosterError(
                    line=line,
                    field="file",
                    message="Файл не в кодировке UTF-8: сохраните его как «CSV UTF-8»",
                    code="not-utf8",
                )
            ]
        ) from None
    if not text.strip():
        raise RosterInvalid(
            [RosterError(line=1, field="file", message="Файл пуст", code="empty-file")]
        )
    return text


def sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    return ";" if header.count(";") > header.count(",") else ","


def read_rows(text: str, max_rows: int) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header and the data records with the file line each one starts on."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    records: list[tuple[int, list[str]]] = []
    header: list[str] | None = None
    previous_end = 0
    try:
        for values in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if not any(v.strip() for v in values):
                continue
            if header is None:
                header = [v.strip().lower() for v in values]
                continue
            records.append((start, values))
            if len(records) > max_rows:
                raise PayloadTooLarge(
                    f"В файле больше {max_rows} строк с данными; разделите его на части",
                    code="roster-too-large",
                )
    except csv.Error as exc:
        raise RosterInvalid(
            [
                RosterError(
                    line=reader.line_num,
                    field="file",
                    message=f"Файл CSV повреждён: {exc}",
                    code="malformed-csv",
                )
            ]
        ) from None
    if header is None:
        raise RosterInvalid(
            [RosterError(line=1, field="file", message="Файл пуст", code="empty-file")]
        )
    return header, records


def check_header(header: list[str]) -> Errors:
    errors = Errors()
    seen: set[str] = set()
    for name in header:
        if name not in COLUMNS:
            errors.add(1, name or "?", f"Неизвестный столбец «{name}»", "unknown-column")
        elif name in seen:
            errors.add(1, name, f"Столбец «{name}» повторяется", "duplicate-column")
        seen.add(name)
    for name in REQUIRED_COLUMNS:
        if name not in seen:
            errors.add(1, name, f"Нет обязательного столбца «{name}»", "missing-column")
    return errors


# -- one row ----------------------------------------------------------------------------


def _text(
    value: str, line: int, column: str, errors: Errors, *, required: bool, max_length: int
) -> str | None:
    value = value.strip()
    if not value:
        if required:
            errors.add(line, column, "Обязательное поле не заполнено", "missing")
        return None
    if _CONTROL.search(value):
        errors.add(line, column, "Поле содержит управляющие символы")
        return None
    if len(value) > max_length:
        errors.add(line, column, f"Не длиннее {max_length} символов", "too-long")
        return None
    return value


def _checked(
    value: str | None, check: Callable[[str], str], line: int, column: str, errors: Errors
) -> str | None:
    if value is None:
        return None
    try:
        return check(value)
    except ValueError as exc:
        errors.add(line, column, str(exc))
        return None


def parse_date(value: str) -> date:
    try:
        if _ISO_DATE.match(value):
            parsed = date.fromisoformat(value)
        elif match := _RU_DATE.match(value):
            day, month, year = (int(part) for part in match.groups())
            parsed = date(year, month, day)
        else:
            raise ValueError
    except ValueError:
        raise ValueError("Дата: ГГГГ-ММ-ДД или ДД.ММ.ГГГГ, например 2013-03-01") from None
    return check_birth_date(parsed)


def parse_row(line: int, header: list[str], values: list[str], errors: Errors) -> Row:
    if len(values) > len(header) and any(v.strip() for v in values[len(header) :]):
        errors.add(
            line, "row", f"В строке {len(values)} полей, а столбцов {len(header)}", "extra-fields"
        )
    cells = dict(zip(header, values + [""] * (len(header) - len(values)), strict=False))
    row = Row(line=line)

    def text(column: str, *, required: bool = False, max_length: int = 100) -> str | None:
        return _text(
            cells.get(column, ""), line, column, errors, required=required, max_length=max_length
        )

    row.username = (
        _checked(text("username", required=True), check_username, line, "username", errors) or ""
    )
    row.last_name = text("last_name", required=True) or ""
    row.first_name = text("first_name", required=True) or ""
    row.middle_name = text("middle_name")
    birth = text("birth_date", max_length=10)
    if birth is not None:
        try:
            row.birth_date = parse_date(birth)
        except ValueError as exc:
            errors.add(line, "birth_date", str(exc))
    row.email = _checked(text("email", max_length=254), check_email, line, "email", errors)
    roles_text = text("roles", required=True, max_length=100)
    if roles_text is not None:
        names = [r.strip().lower() for r in roles_text.split("|") if r.strip()]
        try:
            row.roles = check_roles(names)
        except ValueError as exc:
            errors.add(line, "roles", str(exc))
    class_text = text("class", max_length=10)
    if class_text is not None:
        match = _CLASS.match(class_text)
        if match is None or not 1 <= int(match.group(1)) <= 11:
            errors.add(line, "class", "Класс: параллель 1–11 и буква кириллицы, например 7Б")
        elif "student" not in row.roles:
            errors.add(line, "class", "Класс указывается только для обучающегося (роль student)")
        else:
            row.class_name = f"{int(match.group(1))}{match.group(2).upper()}"
    children_text = text("guardian_of", max_length=1000)
    if children_text is not None:
        names = [c.strip() for c in children_text.split("|") if c.strip()]
        if "guardian" not in row.roles:
            errors.add(line, "guardian_of", "Детей указывают только для родителя (роль guardian)")
        for name in names:
            if _checked(name, check_username, line, "guardian_of", errors) is not None:
                row.guardian_of.append(name)
    system = text("external_system", max_length=32)
    value = text("external_id", max_length=200)
    if system is not None and system not in EXTERNAL_SYSTEMS:
        errors.add(line, "external_system", "Внешняя система: " + ", ".join(EXTERNAL_SYSTEMS))
    elif (system is None) != (value is None):
        missing = "external_id" if value is None else "external_system"
        errors.add(line, missing, "external_system и external_id заполняются вместе", "missing")
    else:
        row.external_system, row.external_id = system, value
    return row


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
            if row.external_system and row.external_id:
                pair = (row.external_system, row.external_id)
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
            if row.external_system and row.external_id:
                externals.append(
                    ExternalId(
                        id=uuid.uuid4(),
                        school_id=school_id,
                        entity_type="user",
                        entity_id=user.id,
                        system=row.external_system,
                        value=row.external_id,
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
