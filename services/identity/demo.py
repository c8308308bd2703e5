"""The demo school: a small, realistic school to try the platform with (ID-1 … ID-4, ID-7).

``python -m services.identity.demo [--password …] [--reset-passwords]`` writes it straight
into identity's database (the one ``IDENTITY_DATABASE_URL`` names, or ``var/identity.db``)
through the models, not over HTTP. The loader is idempotent: every object is looked up
by its natural key first and only what is missing is added, so a re-run changes nothing
and keeps the passwords (``--reset-passwords`` sets them to the given one again). What
is added is audited and announced on identity's change feed with the same events the API
writes (GW-5). Demo accounts don't have to change the password at the first login, so the
demo logins work at once. All names and documents are invented.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.audit import install_audit
from services.common.context import set_request_id
from services.common.db import Database, utcnow
from services.common.errors import ProblemError
from services.common.outbox import emit
from services.identity.class_groups.service import class_group_payload, membership_payload
from services.identity.guardianship.service import guardianship_payload
from services.identity.models import (
    AcademicYear,
    ClassGroup,
    ClassMembership,
    Guardianship,
    School,
    TeacherTraining,
    User,
    UserRole,
    kernel,
)
from services.identity.passwords import Passwords, check_policy
from services.identity.school.service import school_payload, school_today, year_payload
from services.identity.settings import Settings
from services.identity.training.service import is_valid, training_payload
from services.identity.users.schemas import ClassRef
from services.identity.users.service import class_ref, user_payload

DEFAULT_PASSWORD = "Demo-Shkola-2026"
PASSWORD_ENV = "DEMO_PASSWORD"

# A fixed id, so the demo school is found again on every run whatever its name became.
SCHOOL_ID = uuid.UUID("6d656d6f-7363-686f-6f6c-000000000001")
SCHOOL_NAME = "МБОУ Демонстрационная СОШ"
SCHOOL_SHORT_NAME = "Демонстрационная СОШ"
SCHOOL_TIMEZONE = "Europe/Samara"
SCHOOL_REGION = "Самарская область"

YEAR_NAME = "2026/2027"
YEAR_STARTS = date(2026, 9, 1)
YEAR_ENDS = date(2027, 5, 31)


@dataclass(frozen=True)
class DemoPerson:
    username: str
    role: str
    last_name: str
    first_name: str
    middle_name: str
    title: str
    birth_date: date | None = None
    class_name: str | None = None  # students: the class group they belong to
    children: tuple[str, ...] = ()  # guardians: usernames of their children


PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("demo-admin", "admin", "Смирнова", "Елена", "Викторовна", "администратор"),
    DemoPerson(
        "demo-teacher",
        "teacher",
        "Кузнецов",
        "Андрей",
        "Петрович",
        "учитель, классный руководитель 7Б, прошёл обучение ДОТ",
    ),
    DemoPerson(
        "demo-teacher2",
        "teacher",
        "Попова",
        "Ольга",
        "Николаевна",
        "учитель, классный руководитель 3А",
    ),
    DemoPerson(
        "demo-staff", "staff", "Васильева", "Ирина", "Сергеевна", "учебно-вспомогательный персонал"
    ),
    DemoPerson(
        "demo-student",
        "student",
        "Иванов",
        "Михаил",
        "Алексеевич",
        "ученик 7Б",
        birth_date=date(2013, 4, 12),
        class_name="7Б",
    ),
    DemoPerson(
        "demo-student2",
        "student",
        "Соколова",
        "Анна",
        "Дмитриевна",
        "ученица 7Б",
        birth_date=date(2013, 9, 3),
        class_name="7Б",
    ),
    DemoPerson(
        "demo-student3",
        "student",
        "Морозов",
        "Артём",
        "Игоревич",
        "ученик 3А",
        birth_date=date(2018, 2, 20),
        class_name="3А",
    ),
    DemoPerson(
        "demo-guardian",
        "guardian",
        "Иванова",
        "Наталья",
        "Владимировна",
        "родитель ученика 7Б",
        children=("demo-student",),
    ),
    DemoPerson(
        "demo-guardian2",
        "guardian",
        "Морозов",
        "Игорь",
        "Петрович",
        "родитель ученика 3А",
        children=("demo-student3",),
    ),
)

# (grade, letter, username of the homeroom teacher)
CLASS_GROUPS: tuple[tuple[int, str, str], ...] = (
    (7, "Б", "demo-teacher"),
    (3, "А", "demo-teacher2"),
)


@dataclass(frozen=True)
class DemoTraining:
    teacher: str
    program: str
    provider: str
    hours: int
    completed_on: date
    valid_until: date
    document_number: str


TRAINING = DemoTraining(
    teacher="demo-teacher",
    program="Организация образовательного процесса с применением электронного обучения "
    "и дистанционных образовательных технологий",
    provider="Институт развития образования (демонстрационные данные)",
    hours=72,
    completed_on=date(2026, 6, 15),
    valid_until=date(2029, 6, 15),
    document_number="ДЕМО-2026-0001",
)


class DemoError(Exception):
    """The demo school can't be loaded into this database (e.g. a login is taken)."""


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    # Existing accounts whose password is not the one given (kept unless reset).
    other_password: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


class _Loader:
    def __init__(
        self, session: AsyncSession, passwords: Passwords, password: str, reset_passwords: bool
    ) -> None:
        self.session = session
        self.passwords = passwords
        self.password = password
        self.reset_passwords = reset_passwords
        self.report = DemoReport()
        self._hash: str | None = None
        # What this run created, for the change feed (only new objects get events).
        self.new_year: AcademicYear | None = None
        self.new_school = False
        self.new_users: list[User] = []
        self.new_groups: list[tuple[ClassGroup, User]] = []
        self.new_memberships: list[tuple[ClassMembership, ClassGroup, User]] = []
        self.new_links: list[tuple[Guardianship, User, User]] = []
        self.new_trainings: list[tuple[TeacherTraining, User]] = []

    def _password_hash(self) -> str:
        if self._hash is None:
            self._hash = self.passwords.hash_sync(self.password)
        return self._hash

    async def school(self) -> School:
        school = await self.session.get(School, SCHOOL_ID)
        if school is None:
            school = School(
                id=SCHOOL_ID,
                name=SCHOOL_NAME,
                short_name=SCHOOL_SHORT_NAME,
                timezone=SCHOOL_TIMEZONE,
                region=SCHOOL_REGION,
            )
            self.session.add(school)
            await self.session.flush()
            self.new_school = True
            self.report.created.append(f"школа «{SCHOOL_NAME}»")
        return school

    async def year(self, school: School) -> AcademicYear:
        year = (
            await self.session.execute(
                select(AcademicYear).where(
                    AcademicYear.school_id == school.id, AcademicYear.name == YEAR_NAME
                )
            )
        ).scalar_one_or_none()
        if year is None:
            # Only one current year per school: the demo year becomes it only if none is.
            current = (
                await self.session.execute(
                    select(AcademicYear.id).where(
                        AcademicYear.school_id == school.id, AcademicYear.is_current.is_(True)
                    )
                )
            ).first()
            year = AcademicYear(
                school_id=school.id,
                name=YEAR_NAME,
                starts_on=YEAR_STARTS,
                ends_on=YEAR_ENDS,
                is_current=current is None,
            )
            self.session.add(year)
            await self.session.flush()
            self.new_year = year
            self.report.created.append(f"учебный год {YEAR_NAME}")
        return year

    async def user(self, school: School, person: DemoPerson) -> User:
        user = (
            await self.session.execute(select(User).where(User.username == person.username))
        ).scalar_one_or_none()
        if user is not None and user.school_id != school.id:
            msg = f"логин {person.username} уже занят в другой школе; демо-школа не загружена"
            raise DemoError(msg)
        if user is None:
            user = User(
                school_id=school.id,
                username=person.username,
                last_name=person.last_name,
                first_name=person.first_name,
                middle_name=person.middle_name,
                birth_date=person.birth_date,
                email=f"{person.username}@demo-school.example",
                password_hash=self._password_hash(),
                must_change_password=False,
                password_changed_at=utcnow(),
                roles=[UserRole(school_id=school.id, role=person.role)],
            )
            self.session.add(user)
            await self.session.flush()
            self.new_users.append(user)
            self.report.created.append(f"учётная запись {person.username}")
        elif self.reset_passwords:
            if not self.passwords.verify_sync(user.password_hash, self.password):
                user.password_hash = self._password_hash()
                user.password_changed_at = utcnow()
                user.must_change_password = False
                self.report.updated.append(f"пароль {person.username}")
        elif not self.passwords.verify_sync(user.password_hash, self.password):
            self.report.other_password.append(person.username)
        role = (
            await self.session.execute(
                select(UserRole).where(UserRole.user_id == user.id, UserRole.role == person.role)
            )
        ).scalar_one_or_none()
        if role is None:
            self.session.add(UserRole(school_id=school.id, user_id=user.id, role=person.role))
            await self.session.flush()
            self.report.created.append(f"роль {person.role} у {person.username}")
        return user

    async def class_group(
        self, school: School, year: AcademicYear, grade: int, letter: str, homeroom: User
    ) -> ClassGroup:
        group = (
            await self.session.execute(
                select(ClassGroup).where(
                    ClassGroup.school_id == school.id,
                    ClassGroup.academic_year_id == year.id,
                    ClassGroup.grade == grade,
                    ClassGroup.letter == letter,
                )
            )
        ).scalar_one_or_none()
        if group is None:
            group = ClassGroup(
                school_id=school.id,
                academic_year_id=year.id,
                grade=grade,
                letter=letter,
                homeroom_teacher_id=homeroom.id,
            )
            self.session.add(group)
            await self.session.flush()
            self.new_groups.append((group, homeroom))
            self.report.created.append(f"класс {grade}{letter}")
        elif group.homeroom_teacher_id is None:
            group.homeroom_teacher_id = homeroom.id
            await self.session.flush()
            self.report.updated.append(f"классный руководитель {grade}{letter}")
        return group

    async def membership(self, school: School, group: ClassGroup, student: User) -> None:
        exists = (
            await self.session.execute(
                select(ClassMembership.id).where(
                    ClassMembership.class_group_id == group.id,
                    ClassMembership.student_id == student.id,
                )
            )
        ).first()
        if exists is None:
            membership = ClassMembership(
                school_id=school.id, class_group_id=group.id, student_id=student.id
            )
            self.session.add(membership)
            await self.session.flush()
            self.new_memberships.append((membership, group, student))
            self.report.created.append(f"{student.username} в классе {group.name}")

    async def guardianship(self, school: School, guardian: User, student: User) -> None:
        exists = (
            await self.session.execute(
                select(Guardianship.id).where(
                    Guardianship.guardian_id == guardian.id, Guardianship.student_id == student.id
                )
            )
        ).first()
        if exists is None:
            link = Guardianship(
                school_id=school.id,
                guardian_id=guardian.id,
                student_id=student.id,
                relation="parent",
            )
            self.session.add(link)
            await self.session.flush()
            self.new_links.append((link, guardian, student))
            self.report.created.append(f"связь {guardian.username} — {student.username}")

    async def training(self, school: School, teacher: User) -> None:
        exists = (
            await self.session.execute(
                select(TeacherTraining.id).where(
                    TeacherTraining.teacher_id == teacher.id,
                    TeacherTraining.document_number == TRAINING.document_number,
                )
            )
        ).first()
        if exists is None:
            training = TeacherTraining(
                school_id=school.id,
                teacher_id=teacher.id,
                program=TRAINING.program,
                provider=TRAINING.provider,
                hours=TRAINING.hours,
                completed_on=TRAINING.completed_on,
                valid_until=TRAINING.valid_until,
                document_number=TRAINING.document_number,
            )
            self.session.add(training)
            await self.session.flush()
            self.new_trainings.append((training, teacher))
            self.report.created.append(f"обучение ДОТ у {teacher.username}")

    async def run(self) -> DemoReport:
        school = await self.school()
        year = await self.year(school)
        users = {person.username: await self.user(school, person) for person in PEOPLE}
        groups: dict[str, ClassGroup] = {}
        for grade, letter, homeroom in CLASS_GROUPS:
            group = await self.class_group(school, year, grade, letter, users[homeroom])
            groups[group.name] = group
        for person in PEOPLE:
            if person.class_name:
                await self.membership(school, groups[person.class_name], users[person.username])
            for child in person.children:
                await self.guardianship(school, users[person.username], users[child])
        await self.training(school, users[TRAINING.teacher])
        await self.emit_events(school, year)
        return self.report

    async def _emit(
        self, school: School, type_: str, aggregate: str, id_: uuid.UUID, payload: dict[str, Any]
    ) -> None:
        await emit(
            self.session,
            kernel.outbox,
            school_id=school.id,
            type=type_,
            aggregate_type=aggregate,
            aggregate_id=id_,
            payload=payload,
        )

    async def emit_events(self, school: School, year: AcademicYear) -> None:
        """The events the API would have written for the same changes (GW-5), so that
        consumers of identity's change feed learn about the demo school like any other."""
        today = school_today(school)
        if self.new_school:
            await self._emit(school, "school.created", "school", school.id, school_payload(school))
        if self.new_year is not None:
            await self._emit(
                school, "academic_year.created", "academic_year", year.id, year_payload(year)
            )
        classes: dict[uuid.UUID, list[ClassRef]] = {}
        for _membership, group, student in self.new_memberships:
            classes.setdefault(student.id, []).append(class_ref(group, year))
        trained = {t.id for training, t in self.new_trainings if is_valid(training, today)}
        for user in self.new_users:
            payload = user_payload(user, classes.get(user.id, []), user.id in trained)
            await self._emit(school, "user.created", "user", user.id, payload)
        for group, teacher in self.new_groups:
            payload = class_group_payload(group, year, teacher)
            await self._emit(school, "class_group.created", "class_group", group.id, payload)
        for membership, group, student in self.new_memberships:
            payload = membership_payload(membership, group, year, student)
            await self._emit(
                school, "class_membership.added", "class_membership", membership.id, payload
            )
        for link, guardian, student in self.new_links:
            payload = guardianship_payload(link, guardian, student)
            await self._emit(school, "guardianship.created", "guardianship", link.id, payload)
        for training, teacher in self.new_trainings:
            await self._emit(
                school,
                "teacher_training.recorded",
                "teacher_training",
                training.id,
                training_payload(training, teacher, is_valid(training, today)),
            )


def check_password(password: str) -> None:
    """Refuse a demo password that the platform's own policy would refuse (ID-6)."""
    for person in PEOPLE:
        try:
            check_policy(password, username=person.username)
        except ProblemError as exc:
            raise DemoError(f"пароль демо-школы не подходит: {exc.detail}") from exc


async def load_demo(
    database: Database,
    passwords: Passwords,
    password: str = DEFAULT_PASSWORD,
    *,
    reset_passwords: bool = False,
) -> DemoReport:
    """Add whatever of the demo school is missing, in one transaction."""
    check_password(password)
    async with database.session() as session:
        return await _Loader(session, passwords, password, reset_passwords).run()


async def _main(password: str, reset_passwords: bool) -> DemoReport:
    settings = Settings()
    database = Database(settings.effective_database_url, pool_size=1)
    install_audit(database.session_class, kernel.audit)
    set_request_id("demo-loader")
    passwords = Passwords(
        settings.argon2_memory_kib, settings.argon2_time_cost, settings.argon2_parallelism
    )
    try:
        return await load_demo(database, passwords, password, reset_passwords=reset_passwords)
    finally:
        await database.dispose()


def logins() -> list[tuple[str, str]]:
    """The demo logins and who they are, for printing."""
    return [(p.username, p.title) for p in PEOPLE]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.identity.demo",
        description=f"Загрузить демо-школу «{SCHOOL_NAME}» в базу сервиса identity.",
    )
    parser.add_argument(
        "--password",
        default=os.environ.get(PASSWORD_ENV) or DEFAULT_PASSWORD,
        help=f"пароль демо-учётных записей (по умолчанию ${PASSWORD_ENV} или {DEFAULT_PASSWORD})",
    )
    parser.add_argument(
        "--reset-passwords",
        action="store_true",
        help="вернуть уже существующим демо-учётным записям этот пароль",
    )
    args = parser.parse_args(argv)
    try:
        report = asyncio.run(_main(args.password, args.reset_passwords))
    except DemoError as exc:
        print(f"demo: {exc}", file=sys.stderr)
        return 2
    if report.changed:
        print(
            f"demo: {SCHOOL_NAME}: добавлено {len(report.created)}, изменено {len(report.updated)}"
        )
    else:
        print(f"demo: {SCHOOL_NAME}: уже загружена, ничего не изменено")
    if report.other_password:
        print(
            "demo: у учётных записей "
            + ", ".join(report.other_password)
            + " другой пароль, он сохранён (вернуть пароль демо-школы: --reset-passwords)",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
