"""The screen-device norms engine (CO-1, CO-2): pure functions over plain data.

No database and no I/O: the service loads the rule sets that apply, builds a
:class:`RuleIndex` (a lookup table keyed by ``(measure, device, band kind, grade or
age)``, so finding the limits of one lesson costs a few dict lookups) and hands it
lessons, days and weeks. Bad input raises :class:`BusinessRuleError` (422) with a
Russian message naming the clause the input is measured against.

Measures a rule can have:

* ``per_lesson`` — minutes on one device type in one lesson (табл. 6.8, «на уроке»);
* ``daily_school`` — minutes on one device type over a school day (табл. 6.8);
* ``daily_home`` — minutes on one device type at home, leisure included (табл. 6.8);
* ``continuous`` — the longest unbroken stretch of screen work in a lesson, any device
  (Положение, п. 5.11);
* ``continuous_copying`` — the longest unbroken stretch of copying from the screen
  (СП 2.4.3648-20, п. 2.10.2);
* ``lesson_duration`` — the length of a lesson (Положение, п. 5.11, distance lessons);
* ``combined_daily`` — all devices together over a day (a school's own limit).

A lesson's segments run in list order, back to back, unless they carry
``start`` (minutes from the lesson's start): then they are ordered by it and a gap
between two segments breaks a continuous stretch.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, NamedTuple

from services.common.errors import BusinessRuleError, FieldError

DEVICE_TYPES: tuple[str, ...] = (
    "interactive_whiteboard",
    "interactive_panel",
    "pc",
    "laptop",
    "tablet",
)
DEVICE_NAMES: dict[str, str] = {
    "interactive_whiteboard": "интерактивная доска",
    "interactive_panel": "интерактивная панель",
    "pc": "персональный компьютер",
    "laptop": "ноутбук",
    "tablet": "планшет",
}
# Table 6.8 has age rows for children of preschool groups: 5–7 years for the
# interactive whiteboard and panel, 6–7 years for a PC, a laptop and a tablet.
PRESCHOOL_AGES: dict[str, tuple[int, int]] = {
    "interactive_whiteboard": (5, 7),
    "interactive_panel": (5, 7),
    "pc": (6, 7),
    "laptop": (6, 7),
    "tablet": (6, 7),
}
AGE_MIN, AGE_MAX = 5, 7
GRADE_MIN, GRADE_MAX = 1, 11
# The home column of table 6.8 has figures for these devices only.
HOME_DEVICES: tuple[str, ...] = ("pc", "laptop", "tablet")

MEASURES: tuple[str, ...] = (
    "per_lesson",
    "daily_school",
    "daily_home",
    "continuous",
    "continuous_copying",
    "lesson_duration",
    "combined_daily",
)
DEVICE_MEASURES = frozenset({"per_lesson", "daily_school", "daily_home"})
# Measures of one lesson: a rule of these may be limited to some delivery forms.
LESSON_MEASURES = frozenset({"per_lesson", "continuous", "continuous_copying", "lesson_duration"})
MEASURE_NAMES: dict[str, str] = {
    "per_lesson": "на уроке",
    "daily_school": "суммарно в день в школе",
    "daily_home": "суммарно в день дома (включая досуг)",
    "continuous": "непрерывная работа с экраном",
    "continuous_copying": "непрерывное списывание с экрана",
    "lesson_duration": "продолжительность урока",
    "combined_daily": "все ЭСО суммарно за день",
}
SEGMENT_KINDS: tuple[str, ...] = ("viewing", "copying", "interactive")
DELIVERY_FORMS: tuple[str, ...] = ("in_person", "e_learning", "distance")
SEVERITIES: tuple[str, ...] = ("block", "warn")
MAX_MINUTES = 24 * 60
UNIT = "min"

TABLE_CLAUSE = "СанПиН 1.2.3685-21, табл. 6.8; Положение, п. 5.10"
DURATION_CLAUSE = "Положение об ЭО и ДОТ, п. 5.11"
PRESCHOOL_CLAUSE = "СП 2.4.3648-20, п. 2.10.2"


# -- the data ---------------------------------------------------------------------------


class Band(NamedTuple):
    """School grades ``lo``–``hi`` or ages ``lo``–``hi`` (children of preschool groups)."""

    kind: str  # "grade" | "age"
    lo: int
    hi: int

    @property
    def key(self) -> str:
        prefix = "g" if self.kind == "grade" else "a"
        return f"{prefix}{self.lo}" if self.lo == self.hi else f"{prefix}{self.lo}-{self.hi}"

    @property
    def label(self) -> str:
        span = f"{self.lo}" if self.lo == self.hi else f"{self.lo}–{self.hi}"
        if self.kind == "age":
            return f"{span} лет"
        return f"{span} класс" if self.lo == self.hi else f"{span} классы"

    def overlaps(self, other: Band) -> bool:
        return self.kind == other.kind and self.lo <= other.hi and other.lo <= self.hi


def grades(lo: int, hi: int | None = None) -> Band:
    return Band("grade", lo, lo if hi is None else hi)


def ages(lo: int, hi: int) -> Band:
    return Band("age", lo, hi)


class Subject(NamedTuple):
    """Whom a check is about: a school grade, or the age of a preschool child."""

    kind: str  # "grade" | "age"
    value: int

    @property
    def label(self) -> str:
        return f"{self.value} класс" if self.kind == "grade" else f"{self.value} лет"


def rule_key(
    set_code: str,
    measure: str,
    device: str | None,
    band: Band,
    hour: int | None = None,
    delivery: frozenset[str] | None = None,
) -> str:
    """The stable id of a rule within its set: ``code:measure:device:band[:hN][:forms]``."""
    parts = [set_code, measure, device or "any", band.key]
    if hour is not None:
        parts.append(f"h{hour}")
    if delivery:
        parts.append("+".join(sorted(delivery)))
    return ":".join(parts)


@dataclass(frozen=True, slots=True)
class Rule:
    """One limit: at most ``limit`` minutes of ``measure`` for ``device`` in ``band``.

    ``warn_above`` makes a soft threshold below the limit (a norm given as a range,
    e.g. "5–7 минут"): more than it is a warning, more than ``limit`` the rule's
    ``severity``. ``hour`` restricts a rule to the first or second hour of lessons,
    ``delivery`` to some delivery forms.
    """

    id: str
    set_code: str
    set_version: int
    set_kind: str
    clause: str
    measure: str
    device: str | None
    band: Band
    limit: int
    warn_above: int | None = None
    severity: str = "block"
    hour: int | None = None
    delivery: frozenset[str] | None = None


def make_rule(
    set_code: str,
    set_version: int,
    set_kind: str,
    clause: str,
    measure: str,
    device: str | None,
    band: Band,
    limit: int,
    *,
    warn_above: int | None = None,
    severity: str = "block",
    hour: int | None = None,
    delivery: frozenset[str] | None = None,
) -> Rule:
    return Rule(
        id=rule_key(set_code, measure, device, band, hour, delivery),
        set_code=set_code,
        set_version=set_version,
        set_kind=set_kind,
        clause=clause,
        measure=measure,
        device=device,
        band=band,
        limit=limit,
        warn_above=warn_above,
        severity=severity,
        hour=hour,
        delivery=delivery,
    )


class Segment(NamedTuple):
    """Minutes on one device within a lesson."""

    device: str
    minutes: int
    kind: str = "viewing"
    start: int | None = None  # minutes from the lesson's start


class Lesson(NamedTuple):
    """A planned lesson (a tuple: a school's week has a thousand of them)."""

    duration: int
    delivery: str
    segments: tuple[Segment, ...] = ()
    number: int | None = None  # the lesson's number in the day (1 = first)
    starts_at: int | None = None  # minutes after midnight, school time
    ref: str | None = None


class HomeActivity(NamedTuple):
    """Expected screen minutes of home work (an assignment) on one device."""

    device: str
    minutes: int
    ref: str | None = None


class Where(NamedTuple):
    """Where a violation was found in the checked plan."""

    class_index: int | None = None
    class_ref: str | None = None
    date: date | None = None
    lesson_index: int | None = None
    lesson_ref: str | None = None


@dataclass(frozen=True, slots=True)
class Violation:
    rule: Rule
    actual: int
    limit: int
    severity: str
    where: Where
    message: str

    def as_dict(self, mode: str = "block") -> dict[str, Any]:
        """A JSON-ready violation; in ``warn`` mode nothing blocks."""
        rule, where = self.rule, self.where
        return {
            "rule_id": rule.id,
            "set_code": rule.set_code,
            "set_version": rule.set_version,
            "set_kind": rule.set_kind,
            "clause": rule.clause,
            "measure": rule.measure,
            "device": rule.device,
            "band": rule.band.label,
            "limit": self.limit,
            "actual": self.actual,
            "unit": UNIT,
            "severity": self.severity if mode == "block" else "warn",
            "rule_severity": self.severity,
            "message": self.message,
            "class_index": where.class_index,
            "class_ref": where.class_ref,
            "date": where.date.isoformat() if where.date else None,
            "lesson_index": where.lesson_index,
            "lesson_ref": where.lesson_ref,
        }


class RuleIndex:
    """The rules of the sets in force, keyed by ``(measure, device, band kind, value)``.

    Bands are expanded into one key per grade or age when the index is built, so a
    lookup is one dict access whatever the number of rules.
    """

    __slots__ = ("_table", "rules")

    def __init__(self, rules: Iterable[Rule]) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        table: dict[tuple[str, str | None, str, int], list[Rule]] = {}
        for rule in self.rules:
            for value in range(rule.band.lo, rule.band.hi + 1):
                table.setdefault((rule.measure, rule.device, rule.band.kind, value), []).append(
                    rule
                )
        self._table: dict[tuple[str, str | None, str, int], tuple[Rule, ...]] = {
            k: tuple(v) for k, v in table.items()
        }

    def get(self, measure: str, device: str | None, subject: Subject) -> tuple[Rule, ...]:
        return self._table.get((measure, device, subject.kind, subject.value), ())

    def for_subject(self, subject: Subject) -> list[Rule]:
        return [
            r
            for r in self.rules
            if r.band.kind == subject.kind and r.band.lo <= subject.value <= r.band.hi
        ]


# -- validation (422 with the clause) ---------------------------------------------------


def _refuse(code: str, detail: str, path: str) -> BusinessRuleError:
    return BusinessRuleError(
        detail,
        code=code,
        errors=[FieldError(field=path or "body", message=detail, code=code)],
    )


def subject_of(grade: int | None, age: int | None, path: str = "body") -> Subject:
    """The checked subject; exactly one of a grade 1–11 or a preschool age 5–7."""
    if (grade is None) == (age is None):
        raise _refuse(
            "subject-required",
            "Укажите либо класс обучающихся (grade, 1–11), либо возраст детей дошкольной "
            f"группы (age, 5–7 лет): нормы заданы так ({TABLE_CLAUSE})",
            path,
        )
    if grade is not None:
        if not GRADE_MIN <= grade <= GRADE_MAX:
            raise _refuse(
                "grade-out-of-range",
                f"Класс {grade} вне диапазона 1–11: нормы продолжительности работы с ЭСО "
                f"установлены для 1–11 классов ({TABLE_CLAUSE})",
                f"{path}.grade",
            )
        return Subject("grade", grade)
    assert age is not None
    if not AGE_MIN <= age <= AGE_MAX:
        raise _refuse(
            "age-out-of-range",
            f"Возраст {age} лет вне возрастных групп норм: для детей дошкольных групп нормы "
            "установлены для 5–7 лет (интерактивная доска и панель) и 6–7 лет (ПК, ноутбук, "
            f"планшет) ({TABLE_CLAUSE}); занятия с ЭСО детей до 5 лет не проводятся "
            f"({PRESCHOOL_CLAUSE})",
            f"{path}.age",
        )
    return Subject("age", age)


def check_device(device: str, subject: Subject, path: str) -> None:
    if device not in PRESCHOOL_AGES:
        raise _refuse(
            "unknown-device-type",
            f"Неизвестный тип ЭСО «{device[:64]}»: нормы установлены для интерактивной доски "
            "(interactive_whiteboard), интерактивной панели (interactive_panel), персонального "
            f"компьютера (pc), ноутбука (laptop) и планшета (tablet) ({TABLE_CLAUSE})",
            path,
        )
    if subject.kind == "age":
        lo, hi = PRESCHOOL_AGES[device]
        if not lo <= subject.value <= hi:
            raise _refuse(
                "device-not-allowed-for-age",
                f"Для детей {subject.value} лет норма использования ЭСО «{DEVICE_NAMES[device]}» "
                f"не установлена: она задана для детей {lo}–{hi} лет ({TABLE_CLAUSE})",
                path,
            )


def check_minutes(minutes: int, path: str, what: str = "Минуты работы с ЭСО") -> None:
    if minutes < 0:
        raise _refuse(
            "minutes-out-of-range",
            f"{what} не могут быть отрицательными: {minutes} ({TABLE_CLAUSE})",
            path,
        )
    if minutes > MAX_MINUTES:
        raise _refuse(
            "minutes-out-of-range",
            f"{what}: {minutes} — больше, чем минут в сутках ({MAX_MINUTES}); нормы "
            f"({TABLE_CLAUSE}) измеряются минутами урока и дня",
            path,
        )


def check_lesson_input(lesson: Lesson, subject: Subject, path: str) -> Lesson:
    """Validate a lesson; returns it with timed segments ordered by their start."""
    if lesson.duration < 1 or lesson.duration > MAX_MINUTES:
        raise _refuse(
            "lesson-duration-out-of-range",
            f"Продолжительность урока {lesson.duration} мин вне допустимых пределов "
            f"1–{MAX_MINUTES} ({DURATION_CLAUSE})",
            f"{path}.duration_minutes",
        )
    if lesson.delivery not in DELIVERY_FORMS:
        raise _refuse(
            "unknown-delivery-form",
            f"Неизвестная форма проведения «{lesson.delivery[:32]}»: допустимы in_person, "
            f"e_learning, distance ({DURATION_CLAUSE})",
            f"{path}.delivery_form",
        )
    total = 0
    timed = 0
    for i, seg in enumerate(lesson.segments):
        spath = f"{path}.segments.{i}"
        check_device(seg.device, subject, f"{spath}.device")
        check_minutes(seg.minutes, f"{spath}.minutes")
        if seg.kind not in SEGMENT_KINDS:
            raise _refuse(
                "unknown-segment-kind",
                f"Неизвестный вид работы с экраном «{seg.kind[:32]}»: допустимы viewing, "
                f"copying (списывание с экрана, {PRESCHOOL_CLAUSE}), interactive",
                f"{spath}.kind",
            )
        if seg.minutes > lesson.duration:
            raise _refuse(
                "minutes-exceed-lesson",
                f"{seg.minutes} мин на «{DEVICE_NAMES[seg.device]}» больше продолжительности "
                f"урока ({lesson.duration} мин) ({TABLE_CLAUSE})",
                f"{spath}.minutes",
            )
        if seg.start is not None:
            timed += 1
            if seg.start < 0 or seg.start + seg.minutes > lesson.duration:
                raise _refuse(
                    "segment-outside-lesson",
                    f"Отрезок работы с ЭСО ({seg.start}–{seg.start + seg.minutes} мин) выходит "
                    f"за пределы урока длительностью {lesson.duration} мин ({TABLE_CLAUSE})",
                    f"{spath}.start_minute",
                )
        total += seg.minutes
    if total > lesson.duration:
        raise _refuse(
            "minutes-exceed-lesson",
            f"Сумма минут работы с ЭСО ({total}) больше продолжительности урока "
            f"({lesson.duration} мин) ({TABLE_CLAUSE})",
            f"{path}.segments",
        )
    if timed and timed != len(lesson.segments):
        raise _refuse(
            "segment-start-mixed",
            "Укажите начало (start_minute) для всех отрезков урока или ни для одного: иначе "
            f"непрерывную работу с экраном не вычислить ({DURATION_CLAUSE})",
            f"{path}.segments",
        )
    if timed:
        ordered = tuple(sorted(lesson.segments, key=lambda s: s.start or 0))
        for prev, nxt in itertools.pairwise(ordered):
            assert prev.start is not None
            assert nxt.start is not None
            if nxt.start < prev.start + prev.minutes:
                raise _refuse(
                    "segments-overlap",
                    f"Отрезки работы с ЭСО пересекаются ({prev.start}–"
                    f"{prev.start + prev.minutes} и {nxt.start}–{nxt.start + nxt.minutes} мин) "
                    f"({DURATION_CLAUSE})",
                    f"{path}.segments",
                )
        if ordered != lesson.segments:
            return Lesson(
                lesson.duration,
                lesson.delivery,
                ordered,
                lesson.number,
                lesson.starts_at,
                lesson.ref,
            )
    return lesson


def check_day_input(
    lessons: Sequence[Lesson], subject: Subject, path: str, home_path: str = "body.home"
) -> tuple[Lesson, ...]:
    checked = tuple(
        check_lesson_input(lesson, subject, f"{path}.{i}") for i, lesson in enumerate(lessons)
    )
    total = sum(lesson.duration for lesson in checked)
    if total > MAX_MINUTES:
        raise _refuse(
            "minutes-out-of-range",
            f"Уроки дня длятся в сумме {total} мин — больше, чем минут в сутках ({TABLE_CLAUSE})",
            path,
        )
    return checked


def check_home_input(items: Sequence[HomeActivity], subject: Subject, path: str) -> None:
    total = 0
    for i, item in enumerate(items):
        ipath = f"{path}.{i}"
        check_device(item.device, subject, f"{ipath}.device")
        if subject.kind == "age" or item.device not in HOME_DEVICES:
            who = subject.label if subject.kind == "age" else DEVICE_NAMES[item.device]
            raise _refuse(
                "home-norm-not-defined",
                f"Для «{who}» норма использования ЭСО дома не установлена: она задана для "
                f"ПК, ноутбука и планшета обучающихся 1–11 классов ({TABLE_CLAUSE})",
                f"{ipath}.device",
            )
        check_minutes(item.minutes, f"{ipath}.minutes", "Минуты домашней работы с ЭСО")
        total += item.minutes
    if total > MAX_MINUTES:
        raise _refuse(
            "minutes-out-of-range",
            f"Домашняя работа с ЭСО за день — {total} мин, больше, чем минут в сутках "
            f"({TABLE_CLAUSE})",
            path,
        )


# -- the checks --------------------------------------------------------------------------


def _longest(segments: Sequence[Segment], copying_only: bool) -> int:
    """The longest unbroken stretch of screen work (or of copying) in a lesson."""
    best = run = 0
    end: int | None = None
    inside = False
    for seg in segments:
        if seg.minutes <= 0:
            continue
        counts = not copying_only or seg.kind == "copying"
        if counts:
            joined = inside and (seg.start is None or end is None or seg.start <= end)
            run = run + seg.minutes if joined else seg.minutes
            if run > best:
                best = run
        inside = counts
        end = seg.start + seg.minutes if seg.start is not None else None
    return best


def _message(rule: Rule, actual: int, limit: int, soft: bool, note: str) -> str:
    what = MEASURE_NAMES[rule.measure]
    if rule.device is not None:
        head = f"{DEVICE_NAMES[rule.device].capitalize()}, {what}: {actual} мин"
    elif rule.measure == "lesson_duration":
        form = "дистанционного " if rule.delivery == frozenset({"distance"}) else ""
        head = f"Продолжительность {form}урока: {actual} мин"
    else:
        head = f"{what.capitalize()}: {actual} мин"
    if soft:
        norm = f"рекомендуется не более {limit} мин, допустимо не более {rule.limit} мин"
    else:
        norm = f"норма — не более {limit} мин"
    return f"{head}; {norm} ({rule.band.label}; {rule.clause}){note}"


def _judge(rule: Rule, actual: int, where: Where, out: list[Violation], note: str = "") -> None:
    if actual > rule.limit:
        out.append(
            Violation(
                rule,
                actual,
                rule.limit,
                rule.severity,
                where,
                _message(rule, actual, rule.limit, False, note),
            )
        )
    elif rule.warn_above is not None and actual > rule.warn_above:
        out.append(
            Violation(
                rule,
                actual,
                rule.warn_above,
                "warn",
                where,
                _message(rule, actual, rule.warn_above, True, note),
            )
        )


_UNKNOWN_HOUR = "; час занятий не указан — применена норма второго часа"


def _check_one_lesson(
    index: RuleIndex,
    subject: Subject,
    lesson: Lesson,
    hour: int | None,
    where: Where,
    out: list[Violation],
) -> dict[str, int]:
    per_device: dict[str, int] = {}
    for seg in lesson.segments:
        per_device[seg.device] = per_device.get(seg.device, 0) + seg.minutes
    for device, minutes in per_device.items():
        for rule in index.get("per_lesson", device, subject):
            if rule.delivery is None or lesson.delivery in rule.delivery:
                _judge(rule, minutes, where, out)
    rules = index.get("continuous", None, subject)
    if rules:
        longest = _longest(lesson.segments, copying_only=False)
        effective_hour = hour if hour is not None else 2
        for rule in rules:
            if rule.hour is not None and rule.hour != effective_hour:
                continue
            if rule.delivery is not None and lesson.delivery not in rule.delivery:
                continue
            note = _UNKNOWN_HOUR if hour is None and rule.hour is not None else ""
            _judge(rule, longest, where, out, note)
    rules = index.get("continuous_copying", None, subject)
    if rules:
        longest = _longest(lesson.segments, copying_only=True)
        for rule in rules:
            if rule.delivery is None or lesson.delivery in rule.delivery:
                _judge(rule, longest, where, out)
    for rule in index.get("lesson_duration", None, subject):
        if rule.delivery is None or lesson.delivery in rule.delivery:
            _judge(rule, lesson.duration, where, out)
    return per_device


def lesson_hour(lesson: Lesson, day_starts_at: int | None, position: int | None) -> int | None:
    """1 for a lesson in the first hour of lessons, 2 after it, ``None`` when unknown.

    The lesson's number decides (lesson 1 is the first hour); else its start against the
    start of the day (less than 60 minutes after it is the first hour); else, within a
    day, its position in the day's list.
    """
    if lesson.number is not None:
        return 1 if lesson.number <= 1 else 2
    if lesson.starts_at is not None and day_starts_at is not None:
        return 1 if lesson.starts_at - day_starts_at < 60 else 2
    if position is not None:
        return 1 if position == 0 else 2
    return None


def check_lesson(
    index: RuleIndex,
    subject: Subject,
    lesson: Lesson,
    *,
    day_starts_at: int | None = None,
    where: Where | None = None,
) -> tuple[list[Violation], dict[str, int]]:
    """Per-lesson limits, continuous limits and the lesson's duration for one lesson."""
    lesson = check_lesson_input(lesson, subject, "body")
    out: list[Violation] = []
    hour = lesson_hour(lesson, day_starts_at, None)
    totals = _check_one_lesson(
        index, subject, lesson, hour, where or Where(lesson_ref=lesson.ref), out
    )
    return out, totals


@dataclass(slots=True)
class DayOutcome:
    violations: list[Violation] = field(default_factory=list)
    school: dict[str, int] = field(default_factory=dict)
    home: dict[str, int] = field(default_factory=dict)

    @property
    def combined(self) -> int:
        return sum(self.school.values()) + sum(self.home.values())


def _day(
    index: RuleIndex,
    subject: Subject,
    lessons: Sequence[Lesson],
    home: Sequence[HomeActivity],
    base: Where,
    out: DayOutcome,
) -> None:
    starts = [lesson.starts_at for lesson in lessons if lesson.starts_at is not None]
    day_start = min(starts) if starts else None
    school = out.school
    for i, lesson in enumerate(lessons):
        where = Where(base.class_index, base.class_ref, base.date, i, lesson.ref)
        hour = lesson_hour(lesson, day_start, i)
        per_device = _check_one_lesson(index, subject, lesson, hour, where, out.violations)
        for device, minutes in per_device.items():
            school[device] = school.get(device, 0) + minutes
    for device, minutes in school.items():
        for rule in index.get("daily_school", device, subject):
            _judge(rule, minutes, base, out.violations)
    for item in home:
        out.home[item.device] = out.home.get(item.device, 0) + item.minutes
    for device, minutes in out.home.items():
        for rule in index.get("daily_home", device, subject):
            _judge(rule, minutes, base, out.violations)
    combined_rules = index.get("combined_daily", None, subject)
    if combined_rules:
        combined = out.combined
        for rule in combined_rules:
            _judge(rule, combined, base, out.violations)


def check_day(
    index: RuleIndex,
    subject: Subject,
    lessons: Sequence[Lesson],
    home: Sequence[HomeActivity] = (),
    *,
    where: Where | None = None,
) -> DayOutcome:
    """A class's day (lessons) or a student's day (lessons and home work).

    Daily totals are per device type; home minutes count against the home column only;
    a combined daily rule counts everything of the day.
    """
    checked = check_day_input(lessons, subject, "body.lessons")
    check_home_input(home, subject, "body.home")
    out = DayOutcome()
    _day(index, subject, checked, home, where or Where(), out)
    return out


@dataclass(frozen=True, slots=True)
class ClassWeek:
    subject: Subject
    days: tuple[tuple[date, tuple[Lesson, ...]], ...]
    ref: str | None = None


def check_week(
    classes: Sequence[ClassWeek], index_for: Callable[[date], RuleIndex]
) -> list[Violation]:
    """A whole school's week: every class's every day, each against the rules of its date."""
    prepared: list[tuple[int, ClassWeek, list[tuple[date, tuple[Lesson, ...]]]]] = []
    for ci, week in enumerate(classes):
        days = [
            (day, check_day_input(lessons, week.subject, f"body.classes.{ci}.days.{di}.lessons"))
            for di, (day, lessons) in enumerate(week.days)
        ]
        prepared.append((ci, week, days))
    out = DayOutcome()
    for ci, week, days in prepared:
        for day, lessons in days:
            out.school.clear()
            _day(
                index_for(day),
                week.subject,
                lessons,
                (),
                Where(class_index=ci, class_ref=week.ref, date=day),
                out,
            )
    return out.violations
