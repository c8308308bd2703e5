"""The built-in rule sets (CO-1): federal hygiene norms and the regulation's own rules.

Every number here is a cell of a source text, written out as data so it can be read
through the API, checked cell by cell in tests and versioned: a new edition of a norm
is a new :class:`BuiltInRuleSet` with the next ``version`` and its own effective dates.

* ``sanpin-1.2.3685-21`` — table 6.8 of СанПиН 1.2.3685-21, reproduced in §5.10 of the
  regulation: per lesson and per school day for each device type by grade band and,
  for children of preschool groups, by age (5–7 / 6–7 years); and the same table's
  daily totals at home including leisure (PC, laptop, tablet; not in the regulation's
  copy of the table). The seed's copy lost its last row out of the table (tablet,
  grades 10–11: 20 per lesson, 80 per day); it is here.
* ``sp-2.4.3648-20`` — СП 2.4.3648-20, п. 2.10.2: continuous use of the screen while
  copying from it: 5–7 minutes for children of 5–7 years, 10 for grades 1–4, 15 for
  grades 5–9. The range "5–7" is kept as written: more than 7 minutes violates the
  norm (``block``), more than 5 and up to 7 is a warning (``warn``) — the lower figure
  is what the norm recommends, the upper what it tolerates.
* ``polozhenie-eo-dot`` — the regulation's §5.11: a distance lesson for grades 5–11
  lasts 30 minutes (longer violates it; the limit applies to ``distance`` delivery,
  the form §5.11's regulation is about); continuous screen work at most 20 minutes in
  grades 5–7, 25 in 8–9, and in 10–11 30 in the first hour of lessons and 20 in the
  second (and later) hours.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from services.compliance.norms.engine import Band, Rule, RuleIndex, ages, grades, make_rule

# Namespace of the ids of built-in rule set versions (stable across deployments).
BUILT_IN_NAMESPACE = uuid.UUID("5f1d3a6e-2b7c-5e40-9a51-0c7d8e2f4b13")


@dataclass(frozen=True)
class BuiltInRuleSet:
    code: str
    version: int
    kind: str  # "federal" | "regulation"
    title: str
    source: str
    effective_from: date | None
    effective_to: date | None
    note: str | None
    rules: tuple[Rule, ...]

    @property
    def id(self) -> uuid.UUID:
        return uuid.uuid5(BUILT_IN_NAMESPACE, f"{self.code}@{self.version}")

    def applies_on(self, day: date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )


# -- СанПиН 1.2.3685-21, table 6.8 ------------------------------------------------------

SANPIN = "sanpin-1.2.3685-21"
SANPIN_LESSON = "СанПиН 1.2.3685-21, табл. 6.8, графа «на уроке, мин, не более»; Положение, п. 5.10"
SANPIN_SCHOOL_DAY = (
    "СанПиН 1.2.3685-21, табл. 6.8, графа «суммарно в день в школе, мин, не более»; "
    "Положение, п. 5.10"
)
SANPIN_HOME_DAY = (
    "СанПиН 1.2.3685-21, табл. 6.8, графа «суммарно в день дома (включая досуговую деятельность), "
    "мин, не более»"
)

# (device, band, per lesson, per school day, per day at home or None), row by row.
TABLE_6_8: tuple[tuple[str, Band, int, int, int | None], ...] = (
    ("interactive_whiteboard", ages(5, 7), 7, 20, None),
    ("interactive_whiteboard", grades(1, 3), 20, 80, None),
    ("interactive_whiteboard", grades(4), 30, 90, None),
    ("interactive_whiteboard", grades(5, 9), 30, 100, None),
    ("interactive_whiteboard", grades(10, 11), 30, 120, None),
    ("interactive_panel", ages(5, 7), 5, 10, None),
    ("interactive_panel", grades(1, 3), 10, 30, None),
    ("interactive_panel", grades(4), 15, 45, None),
    ("interactive_panel", grades(5, 6), 20, 80, None),
    ("interactive_panel", grades(7, 11), 25, 100, None),
    ("pc", ages(6, 7), 15, 20, None),
    ("pc", grades(1, 2), 20, 40, 80),
    ("pc", grades(3, 4), 25, 50, 90),
    ("pc", grades(5, 9), 30, 60, 120),
    ("pc", grades(10, 11), 35, 70, 170),
    ("laptop", ages(6, 7), 15, 20, None),
    ("laptop", grades(1, 2), 20, 40, 80),
    ("laptop", grades(3, 4), 25, 50, 90),
    ("laptop", grades(5, 9), 30, 60, 120),
    ("laptop", grades(10, 11), 35, 70, 170),
    ("tablet", ages(6, 7), 10, 10, None),
    ("tablet", grades(1, 2), 10, 30, 80),
    ("tablet", grades(3, 4), 15, 45, 90),
    ("tablet", grades(5, 9), 20, 60, 120),
    ("tablet", grades(10, 11), 20, 80, 150),
)


def _table_rules(version: int) -> tuple[Rule, ...]:
    rules: list[Rule] = []
    for device, band, lesson, school_day, home_day in TABLE_6_8:
        rules.append(
            make_rule(SANPIN, version, "federal", SANPIN_LESSON, "per_lesson", device, band, lesson)
        )
        rules.append(
            make_rule(
                SANPIN,
                version,
                "federal",
                SANPIN_SCHOOL_DAY,
                "daily_school",
                device,
                band,
                school_day,
            )
        )
        if home_day is not None:
            rules.append(
                make_rule(
                    SANPIN,
                    version,
                    "federal",
                    SANPIN_HOME_DAY,
                    "daily_home",
                    device,
                    band,
                    home_day,
                )
            )
    return tuple(rules)


SANPIN_SET = BuiltInRuleSet(
    code=SANPIN,
    version=1,
    kind="federal",
    title="СанПиН 1.2.3685-21, таблица 6.8: продолжительность использования ЭСО",
    source=(
        "Санитарные правила и нормы СанПиН 1.2.3685-21 «Гигиенические нормативы и требования "
        "к обеспечению безопасности и (или) безвредности для человека факторов среды "
        "обитания», утверждены постановлением Главного государственного санитарного врача "
        "РФ от 28.01.2021 № 2; таблица 6.8 (воспроизведена в п. 5.10 Положения)"
    ),
    effective_from=date(2021, 3, 1),
    effective_to=None,
    note=(
        "Постановление устанавливает срок действия правил до 01.03.2027; новая редакция "
        "вводится новой версией набора."
    ),
    rules=_table_rules(1),
)

# -- СП 2.4.3648-20, п. 2.10.2 -----------------------------------------------------------

SP = "sp-2.4.3648-20"
SP_CLAUSE = "СП 2.4.3648-20, п. 2.10.2; Положение, п. 5.12"

SP_SET = BuiltInRuleSet(
    code=SP,
    version=1,
    kind="federal",
    title="СП 2.4.3648-20, п. 2.10.2: непрерывное использование экрана при списывании с него",
    source=(
        "Санитарные правила СП 2.4.3648-20 «Санитарно-эпидемиологические требования к "
        "организациям воспитания и обучения, отдыха и оздоровления детей и молодежи», "
        "утверждены постановлением Главного государственного санитарного врача РФ от "
        "28.09.2020 № 28 (Положение, п. 5.12); п. 2.10.2"
    ),
    effective_from=date(2021, 1, 1),
    effective_to=None,
    note=(
        "Для детей 5–7 лет норма задана диапазоном «5–7 минут»: больше 7 минут — нарушение, "
        "больше 5 и до 7 минут — предупреждение. Правила установлены до 01.01.2027; новая "
        "редакция вводится новой версией набора."
    ),
    rules=(
        make_rule(
            SP, 1, "federal", SP_CLAUSE, "continuous_copying", None, ages(5, 7), 7, warn_above=5
        ),
        make_rule(SP, 1, "federal", SP_CLAUSE, "continuous_copying", None, grades(1, 4), 10),
        make_rule(SP, 1, "federal", SP_CLAUSE, "continuous_copying", None, grades(5, 9), 15),
    ),
)

# -- the regulation's §5.11 -------------------------------------------------------------

REGULATION = "polozhenie-eo-dot"
REGULATION_CLAUSE = "Положение об использовании ЭО и ДОТ, п. 5.11"
DISTANCE = frozenset({"distance"})

REGULATION_SET = BuiltInRuleSet(
    code=REGULATION,
    version=1,
    kind="regulation",
    title=(
        "Положение об использовании ЭО и ДОТ, п. 5.11: продолжительность дистанционного урока "
        "и непрерывная работа с экраном"
    ),
    source=(
        "Положение об использовании электронного обучения, дистанционных образовательных "
        "технологий при реализации образовательных программ, п. 5.11"
    ),
    effective_from=None,
    effective_to=None,
    note=(
        "Действует со дня утверждения Положения приказом по школе. Норма 10–11 классов для "
        "второго часа учебных занятий применяется и к последующим часам."
    ),
    rules=(
        make_rule(
            REGULATION,
            1,
            "regulation",
            REGULATION_CLAUSE,
            "lesson_duration",
            None,
            grades(5, 11),
            30,
            delivery=DISTANCE,
        ),
        make_rule(
            REGULATION, 1, "regulation", REGULATION_CLAUSE, "continuous", None, grades(5, 7), 20
        ),
        make_rule(
            REGULATION, 1, "regulation", REGULATION_CLAUSE, "continuous", None, grades(8, 9), 25
        ),
        make_rule(
            REGULATION,
            1,
            "regulation",
            REGULATION_CLAUSE,
            "continuous",
            None,
            grades(10, 11),
            30,
            hour=1,
        ),
        make_rule(
            REGULATION,
            1,
            "regulation",
            REGULATION_CLAUSE,
            "continuous",
            None,
            grades(10, 11),
            20,
            hour=2,
        ),
    ),
)

BUILT_IN_SETS: tuple[BuiltInRuleSet, ...] = (SANPIN_SET, SP_SET, REGULATION_SET)
BUILT_IN_CODES = frozenset(s.code for s in BUILT_IN_SETS)
BUILT_IN_BY_ID: dict[uuid.UUID, BuiltInRuleSet] = {s.id: s for s in BUILT_IN_SETS}
FEDERAL_SETS: tuple[BuiltInRuleSet, ...] = tuple(s for s in BUILT_IN_SETS if s.kind == "federal")
# The index of every built-in rule (what a school without rules of its own is checked by).
BUILT_IN_INDEX = RuleIndex(r for s in BUILT_IN_SETS for r in s.rules)


def built_in_sets_on(day: date) -> tuple[BuiltInRuleSet, ...]:
    return tuple(s for s in BUILT_IN_SETS if s.applies_on(day))
