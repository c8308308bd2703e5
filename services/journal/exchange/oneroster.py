"""The OneRoster 1.2 CSV export (bulk): a ZIP of the school's roster and gradebook (GW-5).

Why here: the journal holds the marks (line items and results) and replicas of
everything else OneRoster names — the directory (school, years, people, classes,
memberships, guardians, external ids) and the timetable (courses with their teachers
and sub-groups) — so the file is built in one service without calling another (see
``docs/decisions/0008-oneroster-export-in-journal.md``).

Mapping (one academic year):

* ``orgs``: the school (``type`` school);
* ``academicSessions``: the year (``schoolYear``) and its periods (quarters as ``term``,
  half-years as ``semester``);
* ``users`` and ``roles``: every person of the school (1.2 keeps roles in roles.csv:
  student, teacher, guardian, admin → siteAdministrator, staff → aide); ``userIds``
  carries the external ids as ``{system:value}``; students' ``agentSourcedIds`` are
  their guardians;
* ``courses``: a subject in a grade (``Математика, 7 класс``); ``classes``: each course
  of the journal (a subject taught to a class group or a sub-group of it);
* ``enrollments``: the class's students and teachers (the first teacher primary);
* ``categories``: the kinds of control; ``lineItems``: the columns of the journal (the
  marks of one lesson, or of one date without a lesson, and one kind of control);
  ``results``: the marks (``score`` numeric, ``textScore`` the mark as written).

Bulk mode: ``status`` and ``dateLastModified`` are empty. Identifiers are the platform's
UUIDs; derived objects (courses, roles, enrollments, line items, categories) get
stable UUIDv5 identifiers: two exports of the same data name every record alike.
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections.abc import Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.directory import Directory
from services.common.errors import NotFound
from services.journal.exchange.repository import ExchangeRepository
from services.journal.marks.scale import scale_values
from services.journal.models import directory

NAMESPACE = uuid.UUID("5b0e4c3e-6f1a-4d0c-9a65-0e0c1d2a7b11")

# The OneRoster 1.2 CSV binding's columns, in order, of the files this export writes.
COLUMNS: dict[str, tuple[str, ...]] = {
    "academicSessions.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ),
    "orgs.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "name",
        "type",
        "identifier",
        "parentSourcedId",
    ),
    "users.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ),
    "roles.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ),
    "courses.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ),
    "classes.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ),
    "enrollments.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ),
    "categories.csv": ("sourcedId", "status", "dateLastModified", "title", "weight"),
    "lineItems.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "title",
        "description",
        "assignDate",
        "dueDate",
        "classSourcedId",
        "categorySourcedId",
        "gradingPeriodSourcedId",
        "resultValueMin",
        "resultValueMax",
    ),
    "results.csv": (
        "sourcedId",
        "status",
        "dateLastModified",
        "lineItemSourcedId",
        "studentSourcedId",
        "scoreStatus",
        "score",
        "textScore",
        "scoreDate",
        "comment",
    ),
}
# manifest.csv names every file of the binding: these are written in bulk mode,
# the rest are absent.
ABSENT_FILES = (
    "classResources",
    "courseResources",
    "demographics",
    "lineItemLearningObjectiveIds",
    "lineItemScoreScales",
    "resources",
    "resultLearningObjectiveIds",
    "resultScoreScales",
    "scoreScales",
    "userProfiles",
    "userResources",
)
ROLE_NAMES = {
    "student": "student",
    "teacher": "teacher",
    "guardian": "guardian",
    "admin": "siteAdministrator",
    "staff": "aide",
}
CONTROL_TITLES = {
    "current_control": "Текущий контроль",
    "interim_attestation": "Промежуточная аттестация",
    "final_attestation": "Итоговая аттестация",
}
PERIOD_TYPES = {"quarter": "term", "half_year": "semester"}


def derived(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def grade_code(grade: int | None) -> str:
    return f"{grade:02d}" if grade else ""


def user_ids(ids: dict[str, str]) -> str:
    return ",".join(f"{{{system}:{value}}}" for system, value in sorted(ids.items()))


def _csv(columns: Sequence[str], rows: Sequence[dict[str, Any]]) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue().encode("utf-8")


class OneRosterExport:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = ExchangeRepository(session)

    async def _year(self, school_id: uuid.UUID, year_id: uuid.UUID | None) -> Any:
        d = Directory(self.session, directory)
        year = await (d.year(school_id, year_id) if year_id else d.current_year(school_id))
        if year is None:
            raise NotFound("Учебный год не найден", code="academic-year-not-found")
        return year

    async def files(
        self, school: Any, year_id: uuid.UUID | None
    ) -> dict[str, list[dict[str, Any]]]:
        school_id = school.id
        sid = str(school_id)
        year = await self._year(school_id, year_id)
        school_year = str(year.ends_on.year)
        periods = await self.repo.periods(school_id, year.id)
        people = await self.repo.people(school_id)
        groups = await self.repo.class_groups(school_id, year.id)
        members = await self.repo.memberships(school_id, [g.id for g in groups])
        guardians = await self.repo.guardians(school_id)
        externals = await self.repo.external_ids(school_id)
        courses = await self.repo.courses_of_year(school_id, year.id)
        marks = await self.repo.marks_between(
            school_id, [c.id for c in courses], year.starts_on, year.ends_on
        )
        lessons = await self.repo.lesson_topics({m.lesson_id for m in marks if m.lesson_id})
        scale = await scale_values(self.session, school_id)

        sessions = [
            {
                "sourcedId": str(year.id),
                "title": year.name,
                "type": "schoolYear",
                "startDate": year.starts_on.isoformat(),
                "endDate": year.ends_on.isoformat(),
                "schoolYear": school_year,
            }
        ] + [
            {
                "sourcedId": str(p.id),
                "title": p.name,
                "type": PERIOD_TYPES.get(p.kind, "term"),
                "startDate": p.starts_on.isoformat(),
                "endDate": p.ends_on.isoformat(),
                "parentSourcedId": str(year.id),
                "schoolYear": school_year,
            }
            for p in periods
        ]
        orgs = [
            {
                "sourcedId": sid,
                "name": school.name or school.short_name or sid,
                "type": "school",
                "identifier": school.short_name,
            }
        ]
        grade_of = {s: g.grade for g in groups for s in members.get(g.id, set())}
        users, roles = [], []
        for p in people:
            ids = externals.get(("user", p.id), {})
            users.append(
                {
                    "sourcedId": str(p.id),
                    "enabledUser": "true" if p.is_active else "false",
                    "username": p.username or str(p.id),
                    "userIds": user_ids(ids),
                    "givenName": p.first_name,
                    "familyName": p.last_name,
                    "middleName": p.middle_name,
                    "identifier": ids.get("moya_shkola"),
                    "agentSourcedIds": ",".join(sorted(str(g) for g in guardians.get(p.id, ()))),
                    "grades": grade_code(grade_of.get(p.id)),
                    "primaryOrgSourcedId": sid,
                }
            )
            for index, role in enumerate(r for r in (p.roles or []) if r in ROLE_NAMES):
                roles.append(
                    {
                        "sourcedId": derived("role", p.id, role),
                        "userSourcedId": str(p.id),
                        "roleType": "primary" if index == 0 else "secondary",
                        "role": ROLE_NAMES[role],
                        "orgSourcedId": sid,
                    }
                )

        group_by_id = {g.id: g for g in groups}
        course_rows: dict[str, dict[str, Any]] = {}
        classes, enrollments = [], []
        for c in courses:
            course_id = derived("course", school_id, year.id, c.subject.casefold(), c.grade)
            course_rows.setdefault(
                course_id,
                {
                    "sourcedId": course_id,
                    "schoolYearSourcedId": str(year.id),
                    "title": f"{c.subject}, {c.grade} класс",
                    "grades": grade_code(c.grade),
                    "orgSourcedId": sid,
                    "subjects": c.subject,
                },
            )
            group = group_by_id.get(c.class_group_id)
            title = c.subject + (f" {group.name}" if group is not None else "")
            if c.subgroup:
                title += f" ({c.subgroup})"
            classes.append(
                {
                    "sourcedId": str(c.id),
                    "title": title,
                    "grades": grade_code(c.grade),
                    "courseSourcedId": course_id,
                    "classCode": (c.external_ids or {}).get("moya_shkola"),
                    "classType": "scheduled",
                    "schoolSourcedId": sid,
                    "termSourcedIds": ",".join([str(year.id), *(str(p.id) for p in periods)]),
                    "subjects": c.subject,
                }
            )
            students = (
                {uuid.UUID(s) for s in c.student_ids}
                if c.student_ids is not None
                else members.get(c.class_group_id, set())
            )
            for student_id in sorted(students, key=str):
                enrollments.append(
                    {
                        "sourcedId": derived("enrollment", c.id, student_id),
                        "classSourcedId": str(c.id),
                        "schoolSourcedId": sid,
                        "userSourcedId": str(student_id),
                        "role": "student",
                        "primary": "false",
                    }
                )
            for index, teacher_id in enumerate(c.teacher_ids or []):
                enrollments.append(
                    {
                        "sourcedId": derived("enrollment", c.id, teacher_id),
                        "classSourcedId": str(c.id),
                        "schoolSourcedId": sid,
                        "userSourcedId": str(teacher_id),
                        "role": "teacher",
                        "primary": "true" if index == 0 else "false",
                    }
                )

        categories = [
            {"sourcedId": derived("category", school_id, kind), "title": title}
            for kind, title in CONTROL_TITLES.items()
        ]
        numeric = [float(v["numeric"]) for v in scale if v.get("numeric") is not None]
        low, high = (min(numeric), max(numeric)) if numeric else (None, None)

        def period_of(day: Any) -> str:
            for p in periods:
                if p.starts_on <= day <= p.ends_on:
                    return str(p.id)
            return str(year.id)

        line_items: dict[str, dict[str, Any]] = {}
        results = []
        for m in marks:
            anchor = m.lesson_id or m.date
            item_id = derived("line-item", m.course_id, anchor, m.control_type)
            if item_id not in line_items:
                lesson = lessons.get(m.lesson_id) if m.lesson_id else None
                topic = lesson.topic_title if lesson is not None else None
                line_items[item_id] = {
                    "sourcedId": item_id,
                    "title": f"{CONTROL_TITLES.get(m.control_type, m.control_type)}, "
                    f"{m.date:%d.%m.%Y}",
                    "description": topic,
                    "assignDate": m.date.isoformat(),
                    "dueDate": m.date.isoformat(),
                    "classSourcedId": str(m.course_id),
                    "categorySourcedId": derived("category", school_id, m.control_type),
                    "gradingPeriodSourcedId": period_of(m.date),
                    "resultValueMin": low,
                    "resultValueMax": high,
                }
            results.append(
                {
                    "sourcedId": str(m.id),
                    "lineItemSourcedId": item_id,
                    "studentSourcedId": str(m.student_id),
                    "scoreStatus": "fully graded",
                    "score": float(m.numeric_value) if m.numeric_value is not None else None,
                    "textScore": m.value,
                    "scoreDate": m.date.isoformat(),
                    "comment": m.comment,
                }
            )
        return {
            "academicSessions.csv": sessions,
            "orgs.csv": orgs,
            "users.csv": users,
            "roles.csv": roles,
            "courses.csv": list(course_rows.values()),
            "classes.csv": classes,
            "enrollments.csv": enrollments,
            "categories.csv": categories,
            "lineItems.csv": list(line_items.values()),
            "results.csv": results,
        }

    async def zip(self, school: Any, year_id: uuid.UUID | None) -> bytes:
        files = await self.files(school, year_id)
        manifest = [
            {"propertyName": "manifest.version", "value": "1.0"},
            {"propertyName": "oneroster.version", "value": "1.2"},
            *(
                {"propertyName": f"file.{name.removesuffix('.csv')}", "value": "bulk"}
                for name in COLUMNS
            ),
            *({"propertyName": f"file.{name}", "value": "absent"} for name in ABSENT_FILES),
            {"propertyName": "source.systemName", "value": "EO Platform"},
            {"propertyName": "source.systemCode", "value": "eo-platform"},
        ]
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("manifest.csv", _csv(("propertyName", "value"), manifest))
            for name, columns in COLUMNS.items():
                archive.writestr(name, _csv(columns, files[name]))
        return buffer.getvalue()
