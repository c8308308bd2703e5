"""Rules of rule sets and settings of the screen-device norms (CO-1, CO-2).

* The built-in sets (federal norms, the regulation's §5.11) are code data, read-only,
  the same for every school; a school adds its own sets, each in numbered versions.
* A school rule is never laxer than a federal rule of the same measure and device whose
  band overlaps its own (in a federal version in force during the school version's
  period): such a rule is refused (422) naming the federal clause.
* Two versions of one set are never in force on the same day: periods are inclusive,
  a retired version counts up to its ``effective_to``; an overlap is refused (409).
* Retiring closes a version's period (``effective_to``, by default today); it keeps
  applying to the days before, so checks made under it stay explainable.
* Settings: ``violation_mode`` (block/warn) — the single school setting that decides
  whether a violation blocks a publication in learning (learning reads it from each check
  result) — and an optional combined daily limit over every device, which checks apply
  as the rule set ``school-settings``.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.db import utcnow
from services.common.directory import Directory
from services.common.errors import BusinessRuleError, Conflict, FieldError, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.compliance.models import (
    NormRule,
    NormRuleSet,
    NormRuleSetVersion,
    NormSettings,
    directory,
    kernel,
)
from services.compliance.norms import engine
from services.compliance.norms.data import (
    BUILT_IN_CODES,
    BUILT_IN_SETS,
    FEDERAL_SETS,
    BuiltInRuleSet,
)
from services.compliance.norms.engine import Band, Rule
from services.compliance.norms.repository import RuleSetRepository, SettingsRepository
from services.compliance.norms.schemas import (
    ApplicableRuleRead,
    ApplicableRules,
    NormSettingsRead,
    NormSettingsUpdate,
    RuleIn,
    RuleRead,
    RuleSetCreate,
    RuleSetRead,
    RuleSetRetire,
    RuleSetVersionCreate,
    RuleSetVersionRead,
    RuleSetVersionSummary,
)

SETTINGS_CODE = "school-settings"
SETTINGS_CLAUSE = "Настройки школы: суммарный дневной лимит работы со всеми ЭСО"
RULE_SET_NOT_FOUND = "Набор норм не найден"
SCHOOL_NOT_FOUND = "Школа не найдена"


def refuse(code: str, detail: str, path: str) -> BusinessRuleError:
    return BusinessRuleError(
        detail, code=code, errors=[FieldError(field=path, message=detail, code=code)]
    )


async def resolve_school(
    session: AsyncSession, principal: Principal, school_id: uuid.UUID | None, *, required: bool
) -> uuid.UUID | None:
    """The school a call is about: the caller's own, or for a service the one it names.

    A person naming another school gets 404; a service naming a school compliance does
    not know gets 404; a service naming none gets 422 where a school is ``required``.
    """
    if not principal.is_service:
        if school_id is not None and school_id != principal.school_id:
            raise NotFound(SCHOOL_NOT_FOUND, code="school-not-found")
        return principal.school_id
    if school_id is None:
        if required:
            raise refuse(
                "school-id-required",
                "Сервис платформы указывает школу в поле school_id",
                "body.school_id",
            )
        return None
    if await session.get(directory.school, school_id) is None:
        raise NotFound(SCHOOL_NOT_FOUND, code="school-not-found")
    return school_id


# -- read models ----------------------------------------------------------------------------


def rule_read(rule: Rule) -> RuleRead:
    return RuleRead(
        id=rule.id,
        measure=rule.measure,
        device=rule.device,
        band_kind=rule.band.kind,
        band_from=rule.band.lo,
        band_to=rule.band.hi,
        band_label=rule.band.label,
        hour=rule.hour,
        delivery_forms=sorted(rule.delivery) if rule.delivery else None,
        limit_minutes=rule.limit,
        warn_above_minutes=rule.warn_above,
        severity="warn" if rule.severity == "warn" else "block",
        clause=rule.clause,
    )


def applicable_rule_read(rule: Rule) -> ApplicableRuleRead:
    return ApplicableRuleRead(
        **rule_read(rule).model_dump(),
        set_code=rule.set_code,
        set_version=rule.set_version,
        set_kind=rule.set_kind,
    )


def built_in_summary(s: BuiltInRuleSet) -> RuleSetVersionSummary:
    return RuleSetVersionSummary(
        id=s.id,
        code=s.code,
        version=s.version,
        kind=s.kind,
        title=s.title,
        source=s.source,
        status="active",
        effective_from=s.effective_from,
        effective_to=s.effective_to,
        note=s.note,
        built_in=True,
        rule_count=len(s.rules),
    )


def built_in_read(s: BuiltInRuleSet) -> RuleSetVersionRead:
    return RuleSetVersionRead(
        **built_in_summary(s).model_dump(), rules=[rule_read(r) for r in s.rules]
    )


def rules_of(rule_set: NormRuleSet, version: NormRuleSetVersion) -> list[Rule]:
    """A school version's rules as engine rules."""
    return [
        engine.make_rule(
            rule_set.code,
            version.version,
            "school",
            row.clause,
            row.measure,
            row.device,
            Band(row.band_kind, row.band_from, row.band_to),
            row.limit_minutes,
            warn_above=row.warn_above_minutes,
            severity=row.severity,
            hour=row.hour,
            delivery=frozenset(row.delivery_forms) if row.delivery_forms else None,
        )
        for row in version.rules
    ]


def school_summary(rule_set: NormRuleSet, version: NormRuleSetVersion) -> RuleSetVersionSummary:
    return RuleSetVersionSummary(
        id=version.id,
        code=rule_set.code,
        version=version.version,
        kind="school",
        title=rule_set.title,
        source=version.source,
        status="retired" if version.status == "retired" else "active",
        effective_from=version.effective_from,
        effective_to=version.effective_to,
        note=version.note,
        built_in=False,
        rule_count=len(version.rules),
        created_at=version.created_at,
        retired_at=version.retired_at,
        retire_reason=version.retire_reason,
    )


def school_read(rule_set: NormRuleSet, version: NormRuleSetVersion) -> RuleSetVersionRead:
    return RuleSetVersionRead(
        **school_summary(rule_set, version).model_dump(),
        rules=[rule_read(r) for r in rules_of(rule_set, version)],
    )


def set_read_of_built_in(s: BuiltInRuleSet) -> RuleSetRead:
    versions = [built_in_summary(v) for v in BUILT_IN_SETS if v.code == s.code]
    return RuleSetRead(code=s.code, title=s.title, kind=s.kind, built_in=True, versions=versions)


def set_read_of_school(rule_set: NormRuleSet) -> RuleSetRead:
    return RuleSetRead(
        code=rule_set.code,
        title=rule_set.title,
        kind="school",
        built_in=False,
        description=rule_set.description,
        versions=[school_summary(rule_set, v) for v in rule_set.versions],
    )


# -- validating a school's rules --------------------------------------------------------------


def _band_of(rule: RuleIn, path: str) -> Band:
    has_grades = rule.grade_from is not None or rule.grade_to is not None
    has_ages = rule.age_from is not None or rule.age_to is not None
    if has_grades == has_ages:
        raise refuse(
            "rule-band-required",
            "Укажите для правила либо классы (grade_from–grade_to), либо возраст детей "
            f"дошкольной группы (age_from–age_to) ({engine.TABLE_CLAUSE})",
            path,
        )
    if has_grades:
        lo = rule.grade_from if rule.grade_from is not None else rule.grade_to
        hi = rule.grade_to if rule.grade_to is not None else rule.grade_from
        assert lo is not None
        assert hi is not None
        if not (engine.GRADE_MIN <= lo <= hi <= engine.GRADE_MAX):
            raise refuse(
                "grade-out-of-range",
                f"Классы правила {lo}–{hi} вне диапазона 1–11 или указаны в обратном порядке "
                f"({engine.TABLE_CLAUSE})",
                f"{path}.grade_from",
            )
        return Band("grade", lo, hi)
    lo = rule.age_from if rule.age_from is not None else rule.age_to
    hi = rule.age_to if rule.age_to is not None else rule.age_from
    assert lo is not None
    assert hi is not None
    if not (engine.AGE_MIN <= lo <= hi <= engine.AGE_MAX):
        raise refuse(
            "age-out-of-range",
            f"Возраст правила {lo}–{hi} лет вне возрастных групп 5–7 лет или указан в обратном "
            f"порядке ({engine.TABLE_CLAUSE})",
            f"{path}.age_from",
        )
    return Band("age", lo, hi)


def _check_rule_shape(rule: RuleIn, band: Band, path: str) -> None:
    device = rule.device
    if rule.measure in engine.DEVICE_MEASURES:
        if device is None:
            raise refuse(
                "rule-device-required",
                f"Для правила «{engine.MEASURE_NAMES[rule.measure]}» укажите тип ЭСО "
                f"({engine.TABLE_CLAUSE})",
                f"{path}.device",
            )
        engine.check_device(device, engine.Subject(band.kind, band.lo), f"{path}.device")
        engine.check_device(device, engine.Subject(band.kind, band.hi), f"{path}.device")
    elif device is not None:
        raise refuse(
            "rule-device-not-applicable",
            f"Правило «{engine.MEASURE_NAMES[rule.measure]}» действует для всех ЭСО сразу: "
            "тип ЭСО не указывается",
            f"{path}.device",
        )
    if rule.measure == "daily_home" and (band.kind == "age" or device not in engine.HOME_DEVICES):
        raise refuse(
            "home-norm-not-defined",
            "Норма использования ЭСО дома задаётся для ПК, ноутбука и планшета обучающихся "
            f"1–11 классов ({engine.TABLE_CLAUSE})",
            path,
        )
    if rule.hour is not None and rule.measure != "continuous":
        raise refuse(
            "rule-hour-not-applicable",
            "Час учебных занятий (hour) указывается только для непрерывной работы с экраном "
            f"(continuous, {engine.DURATION_CLAUSE})",
            f"{path}.hour",
        )
    if rule.warn_above_minutes is not None and rule.warn_above_minutes >= rule.limit_minutes:
        raise refuse(
            "rule-warn-threshold",
            "Мягкий порог (warn_above_minutes) должен быть меньше предела (limit_minutes)",
            f"{path}.warn_above_minutes",
        )
    if rule.delivery_forms is not None and rule.measure not in engine.LESSON_MEASURES:
        raise refuse(
            "rule-delivery-not-applicable",
            "Формы проведения (delivery_forms) указываются только для правил урока: "
            "per_lesson, continuous, continuous_copying, lesson_duration",
            f"{path}.delivery_forms",
        )
    if rule.delivery_forms is not None and len(set(rule.delivery_forms)) != len(
        rule.delivery_forms
    ):
        raise refuse(
            "rule-delivery-duplicate", "Формы проведения повторяются", f"{path}.delivery_forms"
        )


def _periods_overlap(
    a_from: date, a_to: date | None, b_from: date | None, b_to: date | None
) -> bool:
    return (b_to is None or a_from <= b_to) and (a_to is None or b_from is None or b_from <= a_to)


def _compatible(rule: Rule, federal: Rule) -> bool:
    if rule.measure != federal.measure or rule.device != federal.device:
        return False
    if not rule.band.overlaps(federal.band):
        return False
    if rule.hour is not None and federal.hour is not None and rule.hour != federal.hour:
        return False
    return not (
        rule.delivery is not None
        and federal.delivery is not None
        and not rule.delivery & federal.delivery
    )


def _not_laxer(rule: Rule, path: str, effective_from: date, effective_to: date | None) -> None:
    for federal_set in FEDERAL_SETS:
        if not _periods_overlap(
            effective_from, effective_to, federal_set.effective_from, federal_set.effective_to
        ):
            continue
        for federal in federal_set.rules:
            if _compatible(rule, federal) and rule.limit > federal.limit:
                what = engine.MEASURE_NAMES[rule.measure]
                device = f"{engine.DEVICE_NAMES[federal.device]}, " if federal.device else ""
                raise refuse(
                    "school-rule-laxer-than-federal",
                    f"Правило школы мягче федеральной нормы: {federal.clause} — не более "
                    f"{federal.limit} мин ({device}{what}, {federal.band.label}), а в правиле "
                    f"школы — {rule.limit} мин ({rule.band.label}). Набор школы может только "
                    "ужесточать нормы",
                    f"{path}.limit_minutes",
                )


def build_school_rules(
    code: str, version: int, body: RuleSetVersionCreate
) -> list[tuple[RuleIn, Rule]]:
    out: list[tuple[RuleIn, Rule]] = []
    seen: set[str] = set()
    for i, item in enumerate(body.rules):
        path = f"body.rules.{i}"
        band = _band_of(item, path)
        _check_rule_shape(item, band, path)
        rule = engine.make_rule(
            code,
            version,
            "school",
            item.clause,
            item.measure,
            item.device,
            band,
            item.limit_minutes,
            warn_above=item.warn_above_minutes,
            severity=item.severity,
            hour=item.hour,
            delivery=frozenset(item.delivery_forms) if item.delivery_forms else None,
        )
        if rule.id in seen:
            raise refuse(
                "duplicate-rule",
                f"Правило {rule.id} уже есть в этой версии набора: одно правило на меру, ЭСО "
                "и группу",
                path,
            )
        seen.add(rule.id)
        _not_laxer(rule, path, body.effective_from, body.effective_to)
        out.append((item, rule))
    return out


def version_payload(rule_set: NormRuleSet, version: NormRuleSetVersion) -> dict[str, Any]:
    """The event payload of a version: the whole version, rules included."""
    return {
        "school_id": str(rule_set.school_id),
        "rule_set_id": str(rule_set.id),
        **school_read(rule_set, version).model_dump(mode="json"),
    }


class RuleSetService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.sets = RuleSetRepository(session)
        self.directory = Directory(session, directory)

    # -- reads -------------------------------------------------------------------------

    async def list_sets(
        self, school_id: uuid.UUID | None, params: PageParams, kind: str | None
    ) -> tuple[list[RuleSetRead], dict[str, Any] | None]:
        after = params.after()
        after_code = str(after["code"]) if after and "code" in after else None
        items: list[RuleSetRead] = []
        if kind in (None, "federal", "regulation"):
            seen: set[str] = set()
            for s in BUILT_IN_SETS:
                if s.code in seen or (kind is not None and s.kind != kind):
                    continue
                seen.add(s.code)
                if after_code is None or s.code > after_code:
                    items.append(set_read_of_built_in(s))
        if school_id is not None and kind in (None, "school"):
            rows = await self.sets.page_of(school_id, after_code, params.limit + 1)
            items.extend(set_read_of_school(r) for r in rows)
        items.sort(key=lambda r: r.code)
        if len(items) > params.limit:
            items = items[: params.limit]
            return items, {"code": items[-1].code}
        return items, None

    async def _school_set(self, school_id: uuid.UUID | None, code: str) -> NormRuleSet:
        found = await self.sets.by_code(school_id, code) if school_id is not None else None
        if found is None:
            raise NotFound(RULE_SET_NOT_FOUND, code="rule-set-not-found")
        return found

    async def get_set(self, school_id: uuid.UUID | None, code: str) -> RuleSetRead:
        for s in BUILT_IN_SETS:
            if s.code == code:
                return set_read_of_built_in(s)
        return set_read_of_school(await self._school_set(school_id, code))

    async def get_version(
        self, school_id: uuid.UUID | None, code: str, version: int
    ) -> RuleSetVersionRead:
        if code in BUILT_IN_CODES:
            for s in BUILT_IN_SETS:
                if s.code == code and s.version == version:
                    return built_in_read(s)
            raise NotFound("Версия набора норм не найдена", code="rule-set-version-not-found")
        rule_set = await self._school_set(school_id, code)
        for v in rule_set.versions:
            if v.version == version:
                return school_read(rule_set, v)
        raise NotFound("Версия набора норм не найдена", code="rule-set-version-not-found")

    async def applicable(
        self, school_id: uuid.UUID | None, grade: int | None, age: int | None, day: date | None
    ) -> ApplicableRules:
        subject = engine.subject_of(grade, age, "query")
        if day is None:
            day = await self.directory.today(school_id) if school_id else utcnow().date()
        rules: list[Rule] = [r for s in BUILT_IN_SETS if s.applies_on(day) for r in s.rules]
        if school_id is not None:
            for v in await self.sets.versions_between(school_id, day, day):
                rules.extend(rules_of(v.rule_set, v))
            settings = await SettingsRepository(self.session).get(school_id)
            rules.extend(settings_rules(settings))
        index = engine.RuleIndex(rules)
        return ApplicableRules(
            date=day,
            grade=grade,
            age=age,
            rules=[applicable_rule_read(r) for r in index.for_subject(subject)],
        )

    # -- writes (admin) ------------------------------------------------------------------

    async def create_set(self, principal: Principal, body: RuleSetCreate) -> RuleSetVersionRead:
        school_id = principal.school_id
        if body.code in BUILT_IN_CODES or body.code == SETTINGS_CODE:
            raise Conflict(
                f"Код «{body.code}» занят встроенным набором норм", code="rule-set-code-taken"
            )
        if await self.sets.by_code(school_id, body.code) is not None:
            raise Conflict(
                f"Набор норм с кодом «{body.code}» уже есть; добавьте к нему новую версию",
                code="rule-set-code-taken",
            )
        built = build_school_rules(body.code, 1, body)
        rule_set = NormRuleSet(
            id=uuid.uuid4(),
            school_id=school_id,
            code=body.code,
            title=body.title,
            description=body.description,
            created_by=principal.user_id,
        )
        await self.sets.add(rule_set)
        return await self._add_version(principal, rule_set, 1, body, built, [])

    async def add_version(
        self, principal: Principal, code: str, body: RuleSetVersionCreate
    ) -> RuleSetVersionRead:
        school_id = principal.school_id
        if code in BUILT_IN_CODES:
            raise refuse(
                "rule-set-built-in",
                "Встроенный набор норм меняется только новой редакцией платформы; добавьте "
                "собственный набор школы",
                "path.code",
            )
        rule_set = await self.sets.lock_by_code(school_id, code)
        if rule_set is None:
            raise NotFound(RULE_SET_NOT_FOUND, code="rule-set-not-found")
        number = max((v.version for v in rule_set.versions), default=0) + 1
        built = build_school_rules(code, number, body)
        return await self._add_version(principal, rule_set, number, body, built, rule_set.versions)

    async def _add_version(
        self,
        principal: Principal,
        rule_set: NormRuleSet,
        number: int,
        body: RuleSetVersionCreate,
        built: Sequence[tuple[RuleIn, Rule]],
        existing: Iterable[NormRuleSetVersion],
    ) -> RuleSetVersionRead:
        for other in existing:
            if _periods_overlap(
                body.effective_from, body.effective_to, other.effective_from, other.effective_to
            ):
                until = other.effective_to.isoformat() if other.effective_to else "без срока"
                raise Conflict(
                    f"Период действия пересекается с версией {other.version} набора "
                    f"«{rule_set.code}» (с {other.effective_from.isoformat()} по {until}): две "
                    "версии одного набора не действуют одновременно; выведите её из действия "
                    "или выберите другой период",
                    code="rule-set-versions-overlap",
                )
        version = NormRuleSetVersion(
            id=uuid.uuid4(),
            school_id=rule_set.school_id,
            rule_set_id=rule_set.id,
            version=number,
            status="active",
            effective_from=body.effective_from,
            effective_to=body.effective_to,
            source=body.source,
            note=body.note,
            created_by=principal.user_id,
        )
        version.rules = [
            NormRule(
                id=uuid.uuid4(),
                school_id=rule_set.school_id,
                position=i,
                rule_key=rule.id,
                measure=rule.measure,
                device=rule.device,
                band_kind=rule.band.kind,
                band_from=rule.band.lo,
                band_to=rule.band.hi,
                hour=rule.hour,
                delivery_forms=sorted(rule.delivery) if rule.delivery else None,
                limit_minutes=rule.limit,
                warn_above_minutes=rule.warn_above,
                severity=rule.severity,
                clause=rule.clause,
            )
            for i, (_, rule) in enumerate(built)
        ]
        self.session.add(version)
        await self.session.flush()
        await emit(
            self.session,
            kernel.outbox,
            school_id=rule_set.school_id,
            type="norm_rule_set.version_created",
            aggregate_type="norm_rule_set",
            aggregate_id=rule_set.id,
            payload=version_payload(rule_set, version),
        )
        return school_read(rule_set, version)

    async def retire(
        self, principal: Principal, code: str, number: int, body: RuleSetRetire
    ) -> RuleSetVersionRead:
        school_id = principal.school_id
        if code in BUILT_IN_CODES:
            raise refuse(
                "rule-set-built-in",
                "Встроенный набор норм не выводится из действия школой",
                "path.code",
            )
        rule_set = await self.sets.lock_by_code(school_id, code)
        if rule_set is None:
            raise NotFound(RULE_SET_NOT_FOUND, code="rule-set-not-found")
        version = next((v for v in rule_set.versions if v.version == number), None)
        if version is None:
            raise NotFound("Версия набора норм не найдена", code="rule-set-version-not-found")
        if version.status == "retired":
            raise Conflict(
                f"Версия {number} уже выведена из действия", code="rule-set-version-retired"
            )
        day_before_start = version.effective_from - timedelta(days=1)
        if body.effective_to is not None:
            end = body.effective_to
            if end < day_before_start:
                raise refuse(
                    "retire-before-start",
                    "Последний день действия не может быть раньше дня перед началом действия "
                    f"версии ({version.effective_from.isoformat()})",
                    "body.effective_to",
                )
            if version.effective_to is not None and end > version.effective_to:
                raise refuse(
                    "retire-after-end",
                    f"Версия и так действует только по {version.effective_to.isoformat()}",
                    "body.effective_to",
                )
        else:
            end = max(await self.directory.today(school_id), day_before_start)
            if version.effective_to is not None:
                end = min(end, version.effective_to)
        version.effective_to = end
        version.status = "retired"
        version.retired_at = utcnow()
        version.retired_by = principal.user_id
        version.retire_reason = body.reason
        await self.session.flush()
        await emit(
            self.session,
            kernel.outbox,
            school_id=school_id,
            type="norm_rule_set.version_retired",
            aggregate_type="norm_rule_set",
            aggregate_id=rule_set.id,
            payload=version_payload(rule_set, version),
        )
        return school_read(rule_set, version)


# -- settings -------------------------------------------------------------------------------


def settings_read(row: NormSettings | None) -> NormSettingsRead:
    if row is None:
        return NormSettingsRead(
            violation_mode="block",
            combined_daily_limit_enabled=False,
            combined_daily_limit_minutes=None,
            revision=0,
        )
    return NormSettingsRead(
        violation_mode="warn" if row.violation_mode == "warn" else "block",
        combined_daily_limit_enabled=row.combined_daily_limit_enabled,
        combined_daily_limit_minutes=row.combined_daily_limit_minutes,
        revision=row.revision,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def settings_rules(row: NormSettings | None) -> list[Rule]:
    """The combined daily limit of a school's settings, as rules for every band."""
    if row is None or not row.combined_daily_limit_enabled or not row.combined_daily_limit_minutes:
        return []
    return [
        engine.make_rule(
            SETTINGS_CODE,
            row.revision,
            "settings",
            SETTINGS_CLAUSE,
            "combined_daily",
            None,
            band,
            row.combined_daily_limit_minutes,
        )
        for band in (
            Band("grade", engine.GRADE_MIN, engine.GRADE_MAX),
            Band("age", engine.AGE_MIN, engine.AGE_MAX),
        )
    ]


class SettingsService:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.repo = SettingsRepository(session)

    async def read(self, school_id: uuid.UUID) -> NormSettingsRead:
        return settings_read(await self.repo.get(school_id))

    async def update(self, principal: Principal, body: NormSettingsUpdate) -> NormSettingsRead:
        school_id = principal.school_id
        row = await self.repo.get(school_id)
        minutes = body.combined_daily_limit_minutes
        if row is None:
            row = NormSettings(school_id=school_id, revision=1)
            row.violation_mode = body.violation_mode
            row.combined_daily_limit_enabled = body.combined_daily_limit_enabled
            row.combined_daily_limit_minutes = minutes
            row.updated_by = principal.user_id
            await self.repo.add(row)
        else:
            row.violation_mode = body.violation_mode
            row.combined_daily_limit_enabled = body.combined_daily_limit_enabled
            row.combined_daily_limit_minutes = minutes
            row.revision = row.revision + 1
            row.updated_by = principal.user_id
            row.updated_at = utcnow()
            await self.session.flush()
        read = settings_read(row)
        await emit(
            self.session,
            kernel.outbox,
            school_id=school_id,
            type="norm_settings.updated",
            aggregate_type="norm_settings",
            aggregate_id=school_id,
            payload={"school_id": str(school_id), **read.model_dump(mode="json")},
        )
        return read
