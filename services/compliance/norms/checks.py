"""Checks of lesson plans, days and weeks against the norms in force (CO-2, Reg §2.5).

A check is read-only for the data it is given; it records itself (kind, who asked,
the set versions it used, its violations) so the history explains every answer —
also after a school's rule set is retired. Learning asks for a check, with a service
token and the school in the body, before it publishes a lesson or an assignment;
``blocking`` and ``violation_mode`` tell it whether the school's setting lets it
publish: that setting is the only one deciding block vs warn (learning follows it).

Which rules apply on a day: every built-in set in force that day, every version of the
school's own sets whose period contains the day, and the combined daily limit of the
school's settings when it is switched on. The rule index of a combination is built
once per process and reused (versions never change once created).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.directory import Directory
from services.common.errors import NotFound
from services.common.pagination import PageParams
from services.compliance.models import NormCheckRun, NormRuleSetVersion, NormSettings, directory
from services.compliance.norms import engine
from services.compliance.norms.data import BUILT_IN_SETS, BuiltInRuleSet
from services.compliance.norms.engine import Rule, RuleIndex, Subject, Violation
from services.compliance.norms.repository import (
    CheckRunRepository,
    RuleSetRepository,
    SettingsRepository,
    time_ordered_id,
)
from services.compliance.norms.schemas import (
    CheckResult,
    CheckRunRead,
    CheckRunSummary,
    ClassDayCheck,
    DeviceTotals,
    LessonPlanCheck,
    RuleSetRef,
    SchoolWeekCheck,
    StudentDayCheck,
    ViolationRead,
)
from services.compliance.norms.service import (
    SETTINGS_CLAUSE,
    SETTINGS_CODE,
    refuse,
    resolve_school,
    rules_of,
    settings_rules,
)

_INDEX_CACHE: dict[tuple[Any, ...], RuleIndex] = {}
_INDEX_CACHE_SIZE = 512


@dataclass
class NormContext:
    """The rules in force for the dates of one check, and the school's mode."""

    built_in: dict[date, tuple[BuiltInRuleSet, ...]]
    versions: list[NormRuleSetVersion]
    settings: NormSettings | None
    used: dict[uuid.UUID, RuleSetRef] = field(default_factory=dict)
    _by_date: dict[date, RuleIndex] = field(default_factory=dict)

    @property
    def mode(self) -> str:
        return (
            "warn"
            if self.settings is not None and self.settings.violation_mode == "warn"
            else "block"
        )

    def index_for(self, day: date) -> RuleIndex:
        cached = self._by_date.get(day)
        if cached is not None:
            return cached
        built_in = self.built_in.get(day)
        if built_in is None:
            built_in = tuple(s for s in BUILT_IN_SETS if s.applies_on(day))
        school = [
            v
            for v in self.versions
            if v.effective_from <= day and (v.effective_to is None or day <= v.effective_to)
        ]
        extra = settings_rules(self.settings)
        for s in built_in:
            self.used[s.id] = RuleSetRef(
                id=s.id, code=s.code, version=s.version, kind=s.kind, title=s.title
            )
        for v in school:
            self.used[v.id] = RuleSetRef(
                id=v.id,
                code=v.rule_set.code,
                version=v.version,
                kind="school",
                title=v.rule_set.title,
            )
        if extra and self.settings is not None:
            settings_id = uuid.uuid5(uuid.NAMESPACE_URL, f"norm-settings:{self.settings.school_id}")
            self.used[settings_id] = RuleSetRef(
                id=settings_id,
                code=SETTINGS_CODE,
                version=extra[0].set_version,
                kind="settings",
                title=SETTINGS_CLAUSE,
            )
        key = (
            tuple(s.id for s in built_in),
            tuple(sorted(v.id for v in school)),
            tuple((r.band, r.limit, r.set_version) for r in extra),
        )
        index = _INDEX_CACHE.get(key)
        if index is None:
            rules: list[Rule] = [r for s in built_in for r in s.rules]
            for v in school:
                rules.extend(rules_of(v.rule_set, v))
            rules.extend(extra)
            index = RuleIndex(rules)
            if len(_INDEX_CACHE) >= _INDEX_CACHE_SIZE:
                _INDEX_CACHE.clear()
            _INDEX_CACHE[key] = index
        self._by_date[day] = index
        return index


def _status(violations: Sequence[Violation], mode: str) -> tuple[str, bool]:
    if not violations:
        return "passed", False
    blocking = mode == "block" and any(v.severity == "block" for v in violations)
    return ("blocked" if blocking else "warned"), blocking


class CheckService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.directory = Directory(session, directory)
        self.sets = RuleSetRepository(session)
        self.runs = CheckRunRepository(session)

    # -- what a check needs ---------------------------------------------------------------

    async def _school(self, school_id: uuid.UUID | None) -> uuid.UUID:
        resolved = await resolve_school(self.session, self.principal, school_id, required=True)
        assert resolved is not None
        return resolved

    async def _context(self, school_id: uuid.UUID, dates: Iterable[date]) -> NormContext:
        days = sorted(set(dates))
        versions = await self.sets.versions_between(school_id, days[0], days[-1])
        settings = await SettingsRepository(self.session).get(school_id)
        built_in = {d: tuple(s for s in BUILT_IN_SETS if s.applies_on(d)) for d in days}
        return NormContext(built_in=built_in, versions=versions, settings=settings)

    async def _groups(self, school_id: uuid.UUID, ids: set[uuid.UUID]) -> dict[uuid.UUID, Any]:
        if not ids:
            return {}
        rows = await self.session.execute(
            select(directory.class_group).where(
                directory.class_group.school_id == school_id, directory.class_group.id.in_(ids)
            )
        )
        return {g.id: g for g in rows.scalars()}

    def _subject(
        self,
        grade: int | None,
        age: int | None,
        group: Any | None,
        path: str,
    ) -> Subject:
        if group is not None:
            if grade is None and age is None:
                grade = int(group.grade)
            elif grade is not None and grade != group.grade:
                raise refuse(
                    "grade-mismatch",
                    f"Класс {grade} не совпадает с классом «{group.name}» ({group.grade}) из "
                    f"справочника ({engine.TABLE_CLAUSE})",
                    f"{path}.grade",
                )
        return engine.subject_of(grade, age, path)

    async def _group(self, school_id: uuid.UUID, group_id: uuid.UUID | None) -> Any | None:
        if group_id is None:
            return None
        group = await self.directory.class_group(school_id, group_id)
        if group is None:
            raise NotFound("Класс не найден", code="class-group-not-found")
        return group

    async def _day(self, school_id: uuid.UUID, day: date | None) -> date:
        return day if day is not None else await self.directory.today(school_id)

    async def _record(
        self,
        school_id: uuid.UUID,
        kind: str,
        checked_on: date,
        subject: dict[str, Any],
        violations: Sequence[Violation],
        ctx: NormContext,
        totals: DeviceTotals | None = None,
    ) -> CheckResult:
        mode = ctx.mode
        status, blocking = _status(violations, mode)
        rendered = [v.as_dict(mode) for v in violations]
        sets = sorted(ctx.used.values(), key=lambda r: (r.kind != "federal", r.code, r.version))
        run = NormCheckRun(
            id=time_ordered_id(),
            school_id=school_id,
            kind=kind,
            checked_on=checked_on,
            requested_by=self.principal.user_id,
            requested_by_service=self.principal.is_service,
            violation_mode=mode,
            status=status,
            violation_count=len(rendered),
            rule_sets=[s.model_dump(mode="json") for s in sets],
            subject=subject,
            violations=rendered,
        )
        await self.runs.add(run)
        return CheckResult(
            check_id=run.id,
            kind=kind,  # type: ignore[arg-type]
            school_id=school_id,
            checked_on=checked_on,
            status=status,  # type: ignore[arg-type]
            blocking=blocking,
            violation_mode=mode,  # type: ignore[arg-type]
            violation_count=len(rendered),
            violations=[ViolationRead.model_validate(v) for v in rendered],
            rule_sets=sets,
            totals=totals,
        )

    # -- the four checks --------------------------------------------------------------------

    async def lesson(self, body: LessonPlanCheck) -> CheckResult:
        school_id = await self._school(body.school_id)
        group = await self._group(school_id, body.class_group_id)
        subject = self._subject(body.grade, body.age, group, "body")
        day = await self._day(school_id, body.date)
        ctx = await self._context(school_id, [day])
        lesson = body.to_engine()
        day_start = (
            body.day_starts_at.hour * 60 + body.day_starts_at.minute if body.day_starts_at else None
        )
        violations, per_device = engine.check_lesson(
            ctx.index_for(day),
            subject,
            lesson,
            day_starts_at=day_start,
            where=engine.Where(date=day, lesson_ref=body.ref),
        )
        totals = DeviceTotals(school=per_device, home={}, combined=sum(per_device.values()))
        return await self._record(
            school_id,
            "lesson",
            day,
            {
                **_subject_json(subject),
                "class_group_id": str(body.class_group_id) if body.class_group_id else None,
                "lesson_ref": body.ref,
                "date": day.isoformat(),
                "delivery_form": body.delivery_form,
                "duration_minutes": body.duration_minutes,
            },
            violations,
            ctx,
            totals,
        )

    async def class_day(self, body: ClassDayCheck) -> CheckResult:
        school_id = await self._school(body.school_id)
        group = await self._group(school_id, body.class_group_id)
        subject = self._subject(body.grade, body.age, group, "body")
        day = await self._day(school_id, body.date)
        ctx = await self._context(school_id, [day])
        outcome = engine.check_day(
            ctx.index_for(day),
            subject,
            [lesson.to_engine() for lesson in body.lessons],
            where=engine.Where(date=day),
        )
        return await self._record(
            school_id,
            "class_day",
            day,
            {
                **_subject_json(subject),
                "class_group_id": str(body.class_group_id) if body.class_group_id else None,
                "date": day.isoformat(),
                "lessons": len(body.lessons),
            },
            outcome.violations,
            ctx,
            DeviceTotals(school=outcome.school, home=outcome.home, combined=outcome.combined),
        )

    async def student_day(self, body: StudentDayCheck) -> CheckResult:
        school_id = await self._school(body.school_id)
        group = None
        if body.student_id is not None:
            student = await self.directory.person(school_id, body.student_id)
            if student is None or not student.has_role("student"):
                raise NotFound("Обучающийся не найден", code="student-not-found")
            if body.grade is None and body.age is None:
                group_ids = await self.directory.groups_of_student(school_id, body.student_id)
                groups = await self._groups(school_id, group_ids)
                if groups:
                    group = min(groups.values(), key=lambda g: (g.grade, str(g.id)))
        subject = self._subject(body.grade, body.age, group, "body")
        day = await self._day(school_id, body.date)
        ctx = await self._context(school_id, [day])
        outcome = engine.check_day(
            ctx.index_for(day),
            subject,
            [lesson.to_engine() for lesson in body.lessons],
            [engine.HomeActivity(h.device, h.minutes, h.ref) for h in body.home],
            where=engine.Where(date=day),
        )
        return await self._record(
            school_id,
            "student_day",
            day,
            {
                **_subject_json(subject),
                "student_id": str(body.student_id) if body.student_id else None,
                "date": day.isoformat(),
                "lessons": len(body.lessons),
                "home": len(body.home),
            },
            outcome.violations,
            ctx,
            DeviceTotals(school=outcome.school, home=outcome.home, combined=outcome.combined),
        )

    async def school_week(self, body: SchoolWeekCheck) -> CheckResult:
        school_id = await self._school(body.school_id)
        groups = await self._groups(
            school_id, {c.class_group_id for c in body.classes if c.class_group_id is not None}
        )
        dates: set[date] = set()
        weeks: list[engine.ClassWeek] = []
        lessons = 0
        for ci, item in enumerate(body.classes):
            path = f"body.classes.{ci}"
            group = None
            if item.class_group_id is not None:
                group = groups.get(item.class_group_id)
                if group is None:
                    raise NotFound("Класс не найден", code="class-group-not-found")
            subject = self._subject(item.grade, item.age, group, path)
            own: set[date] = set()
            for di, d in enumerate(item.days):
                if d.date in own:
                    raise refuse(
                        "duplicate-day",
                        f"День {d.date.isoformat()} указан у класса дважды",
                        f"{path}.days.{di}.date",
                    )
                own.add(d.date)
                lessons += len(d.lessons)
            dates |= own
            weeks.append(
                engine.ClassWeek(
                    subject=subject,
                    days=tuple(
                        (d.date, tuple(lesson.to_engine() for lesson in d.lessons))
                        for d in item.days
                    ),
                    ref=item.ref
                    or (group.name if group is not None else None)
                    or (str(item.class_group_id) if item.class_group_id else None),
                )
            )
        if not dates:
            raise refuse("week-empty", "В неделе нет ни одного дня с уроками", "body.classes")
        first, last = min(dates), max(dates)
        if (last - first).days > 6:
            raise refuse(
                "week-span-too-long",
                f"Дни недели охватывают {first.isoformat()}–{last.isoformat()}: больше семи дней",
                "body.classes",
            )
        ctx = await self._context(school_id, dates)
        violations = engine.check_week(weeks, ctx.index_for)
        return await self._record(
            school_id,
            "school_week",
            first,
            {
                "classes": len(body.classes),
                "lessons": lessons,
                "first_date": first.isoformat(),
                "last_date": last.isoformat(),
            },
            violations,
            ctx,
        )

    # -- history ------------------------------------------------------------------------

    async def history(
        self, params: PageParams, kinds: Sequence[str], statuses: Sequence[str]
    ) -> tuple[list[CheckRunSummary], dict[str, Any] | None]:
        rows, cursor = await self.runs.newest_first(
            self.principal.school_id, params, kinds=kinds, statuses=statuses
        )
        return [CheckRunSummary.model_validate(r) for r in rows], cursor

    async def run(self, run_id: uuid.UUID) -> CheckRunRead:
        row = await self.runs.get(run_id, school_id=self.principal.school_id)
        if row is None:
            raise NotFound("Проверка не найдена", code="check-run-not-found")
        return CheckRunRead.model_validate(row)


def _subject_json(subject: Subject) -> dict[str, Any]:
    return {
        "grade": subject.value if subject.kind == "grade" else None,
        "age": subject.value if subject.kind == "age" else None,
    }
