"""The norms engine alone (CO-1, CO-2): every grade and age of every band of the built-in
data, the lookup table, continuous stretches, the hour of lessons and refused input."""

from __future__ import annotations

from datetime import date

import pytest

from services.common.errors import BusinessRuleError
from services.compliance.norms import data, engine
from services.compliance.norms.engine import HomeActivity, Lesson, Segment, Subject
from tests.compliance.norms_support import HOME_CELLS, SCHOOL_CELLS

INDEX = data.BUILT_IN_INDEX


def _spread(device: str, minutes: int) -> Lesson:
    segments = []
    start = 0
    while minutes > 0:
        piece = min(5, minutes)
        segments.append(Segment(device, piece, "viewing", start))
        start += piece + 1
        minutes -= piece
    return Lesson(max(45, start), "in_person", tuple(segments))


def _ids(violations: list[engine.Violation]) -> list[str]:
    return [v.rule.id for v in violations]


class TestBuiltInData:
    def test_table_is_the_seed_table_cell_by_cell(self) -> None:
        encoded = {
            (device, band.kind, band.lo, band.hi, lesson, day)
            for device, band, lesson, day, _ in data.TABLE_6_8
        }
        assert encoded == set(SCHOOL_CELLS)
        assert len(data.TABLE_6_8) == len(SCHOOL_CELLS) == 25

    def test_home_column(self) -> None:
        encoded = {
            (device, band.lo, band.hi, home)
            for device, band, _, _, home in data.TABLE_6_8
            if home is not None
        }
        assert encoded == set(HOME_CELLS)

    def test_every_grade_and_device_has_exactly_one_cell(self) -> None:
        for device in engine.DEVICE_TYPES:
            for grade in range(1, 12):
                subject = Subject("grade", grade)
                assert len(INDEX.get("per_lesson", device, subject)) == 1, (device, grade)
                assert len(INDEX.get("daily_school", device, subject)) == 1, (device, grade)
            lo, hi = engine.PRESCHOOL_AGES[device]
            for age in range(5, 8):
                found = INDEX.get("per_lesson", device, Subject("age", age))
                assert len(found) == (1 if lo <= age <= hi else 0), (device, age)

    def test_built_in_sets_have_sources_and_stable_ids(self) -> None:
        codes = [s.code for s in data.BUILT_IN_SETS]
        assert codes == ["sanpin-1.2.3685-21", "sp-2.4.3648-20", "polozhenie-eo-dot"]
        for s in data.BUILT_IN_SETS:
            assert s.source
            assert s.id == data.BUILT_IN_BY_ID[s.id].id
            assert len({r.id for r in s.rules}) == len(s.rules)
        assert data.SANPIN_SET.effective_from == date(2021, 3, 1)
        assert not data.SANPIN_SET.applies_on(date(2021, 2, 28))
        assert data.SANPIN_SET.applies_on(date(2026, 11, 25))


@pytest.mark.parametrize(
    ("device", "kind", "lo", "hi", "lesson", "day"),
    SCHOOL_CELLS,
    ids=[f"{c[0]}-{c[1]}{c[2]}-{c[3]}" for c in SCHOOL_CELLS],
)
def test_every_value_of_every_band(
    device: str, kind: str, lo: int, hi: int, lesson: int, day: int
) -> None:
    for value in range(lo, hi + 1):
        subject = Subject(kind, value)
        ok, _ = engine.check_lesson(INDEX, subject, _spread(device, lesson))
        assert ok == []
        over, _ = engine.check_lesson(INDEX, subject, _spread(device, lesson + 1))
        assert len(over) == 1
        assert (over[0].limit, over[0].actual, over[0].severity) == (lesson, lesson + 1, "block")
        assert over[0].rule.measure == "per_lesson"

        def day_lessons(total: int) -> list[Lesson]:
            out = []
            while total > 0:
                out.append(_spread(device, min(lesson, total)))
                total -= min(lesson, total)
            return out

        assert engine.check_day(INDEX, subject, day_lessons(day)).violations == []
        over_day = engine.check_day(INDEX, subject, day_lessons(day + 1)).violations
        assert [(v.rule.measure, v.limit, v.actual) for v in over_day] == [
            ("daily_school", day, day + 1)
        ]


@pytest.mark.parametrize(("device", "lo", "hi", "minutes"), HOME_CELLS)
def test_every_grade_at_home(device: str, lo: int, hi: int, minutes: int) -> None:
    for grade in range(lo, hi + 1):
        subject = Subject("grade", grade)
        at = engine.check_day(INDEX, subject, [], [HomeActivity(device, minutes)])
        assert at.violations == []
        over = engine.check_day(INDEX, subject, [], [HomeActivity(device, minutes + 1)])
        assert [(v.rule.measure, v.limit) for v in over.violations] == [("daily_home", minutes)]


class TestIndex:
    def test_lookup_is_keyed_by_measure_device_and_value(self) -> None:
        rules = INDEX.get("per_lesson", "tablet", Subject("grade", 11))
        assert [r.id for r in rules] == ["sanpin-1.2.3685-21:per_lesson:tablet:g10-11"]
        assert rules[0].limit == 20
        assert INDEX.get("per_lesson", "tablet", Subject("age", 5)) == ()
        assert INDEX.get("daily_home", "interactive_panel", Subject("grade", 5)) == ()

    def test_for_subject_lists_every_applicable_rule(self) -> None:
        rules = INDEX.for_subject(Subject("grade", 10))
        measures = {r.measure for r in rules}
        assert measures == {
            "per_lesson",
            "daily_school",
            "daily_home",
            "continuous",
            "lesson_duration",
        }
        assert len([r for r in rules if r.measure == "continuous"]) == 2


class TestStretchesAndHours:
    def test_back_to_back_segments_join_across_devices(self) -> None:
        lesson = Lesson(45, "in_person", (Segment("pc", 12), Segment("laptop", 10)))
        violations, totals = engine.check_lesson(INDEX, Subject("grade", 6), lesson)
        assert totals == {"pc": 12, "laptop": 10}
        assert [(v.rule.measure, v.actual) for v in violations] == [("continuous", 22)]

    def test_a_gap_breaks_the_stretch(self) -> None:
        lesson = Lesson(
            45, "in_person", (Segment("pc", 12, start=0), Segment("laptop", 10, start=13))
        )
        assert engine.check_lesson(INDEX, Subject("grade", 6), lesson)[0] == []

    def test_timed_segments_are_ordered_by_start(self) -> None:
        lesson = Lesson(
            45,
            "in_person",
            (Segment("pc", 10, start=20), Segment("pc", 12, start=0), Segment("pc", 8, start=12)),
        )
        violations, _ = engine.check_lesson(INDEX, Subject("grade", 6), lesson)
        # 0–12 and 12–20 join (20 min), 20–30 joins too: 30 minutes in one stretch
        assert [(v.rule.measure, v.actual) for v in violations] == [("continuous", 30)]

    def test_zero_minute_segments_are_nothing(self) -> None:
        lesson = Lesson(
            45, "in_person", (Segment("pc", 15), Segment("tablet", 0), Segment("pc", 6))
        )
        violations, _ = engine.check_lesson(INDEX, Subject("grade", 6), lesson)
        assert [v.actual for v in violations] == [21]

    def test_hour_of_lessons(self) -> None:
        first = Lesson(45, "in_person", number=1)
        assert engine.lesson_hour(first, None, None) == 1
        assert engine.lesson_hour(Lesson(45, "in_person", number=2), None, 0) == 2
        by_time = Lesson(45, "in_person", starts_at=8 * 60 + 55)
        assert engine.lesson_hour(by_time, 8 * 60, None) == 1
        assert engine.lesson_hour(Lesson(45, "in_person", starts_at=9 * 60), 8 * 60, None) == 2
        assert engine.lesson_hour(Lesson(45, "in_person"), None, 0) == 1
        assert engine.lesson_hour(Lesson(45, "in_person"), None, None) is None

    def test_unknown_hour_gets_the_stricter_second_hour_norm(self) -> None:
        lesson = Lesson(45, "in_person", (Segment("pc", 25),))
        violations, _ = engine.check_lesson(INDEX, Subject("grade", 10), lesson)
        assert [(v.rule.hour, v.limit) for v in violations] == [(2, 20)]
        assert "второго часа" in violations[0].message
        timed = Lesson(45, "in_person", (Segment("pc", 25),), starts_at=8 * 60)
        assert (
            engine.check_lesson(INDEX, Subject("grade", 10), timed, day_starts_at=8 * 60)[0] == []
        )

    def test_a_day_numbers_lessons_by_start_time(self) -> None:
        second = Lesson(45, "in_person", (Segment("pc", 25),), starts_at=9 * 60, ref="b")
        first = Lesson(45, "in_person", (Segment("pc", 25),), starts_at=8 * 60, ref="a")
        outcome = engine.check_day(INDEX, Subject("grade", 11), [second, first])
        # the 9:00 lesson is in the second hour (20 min), the 8:00 one in the first (30)
        found = [(v.rule.measure, v.where.lesson_ref) for v in outcome.violations]
        assert found == [("continuous", "b")]

    def test_week(self) -> None:
        lessons = tuple(_spread("pc", 30) for _ in range(3))
        week = engine.ClassWeek(
            Subject("grade", 7),
            ((date(2026, 12, 7), lessons), (date(2026, 12, 8), lessons[:2])),
            ref="7Б",
        )
        violations = engine.check_week([week], lambda _day: INDEX)
        assert [(v.rule.measure, v.where.date, v.where.class_ref) for v in violations] == [
            ("daily_school", date(2026, 12, 7), "7Б")
        ]


class TestRefusedInput:
    @pytest.mark.parametrize(
        ("grade", "age", "code"),
        [
            (None, None, "subject-required"),
            (5, 6, "subject-required"),
            (0, None, "grade-out-of-range"),
            (12, None, "grade-out-of-range"),
            (None, 4, "age-out-of-range"),
            (None, 8, "age-out-of-range"),
        ],
    )
    def test_subject(self, grade: int | None, age: int | None, code: str) -> None:
        with pytest.raises(BusinessRuleError) as caught:
            engine.subject_of(grade, age)
        assert caught.value.code == code
        assert "табл. 6.8" in str(caught.value.detail)

    @pytest.mark.parametrize(
        ("lesson", "subject", "code"),
        [
            (
                Lesson(45, "in_person", (Segment("projector", 5),)),
                Subject("grade", 5),
                "unknown-device-type",
            ),
            (
                Lesson(45, "in_person", (Segment("pc", 5),)),
                Subject("age", 5),
                "device-not-allowed-for-age",
            ),
            (
                Lesson(45, "in_person", (Segment("pc", -1),)),
                Subject("grade", 5),
                "minutes-out-of-range",
            ),
            (
                Lesson(45, "in_person", (Segment("pc", 2000),)),
                Subject("grade", 5),
                "minutes-out-of-range",
            ),
            (
                Lesson(45, "in_person", (Segment("pc", 46),)),
                Subject("grade", 5),
                "minutes-exceed-lesson",
            ),
            (
                Lesson(45, "in_person", (Segment("pc", 30), Segment("tablet", 20))),
                Subject("grade", 5),
                "minutes-exceed-lesson",
            ),
            (Lesson(0, "in_person"), Subject("grade", 5), "lesson-duration-out-of-range"),
            (Lesson(1441, "in_person"), Subject("grade", 5), "lesson-duration-out-of-range"),
            (Lesson(45, "hybrid"), Subject("grade", 5), "unknown-delivery-form"),
            (
                Lesson(45, "in_person", (Segment("pc", 5, "reading"),)),
                Subject("grade", 5),
                "unknown-segment-kind",
            ),
            (
                Lesson(45, "in_person", (Segment("pc", 5, start=0), Segment("pc", 5))),
                Subject("grade", 5),
                "segment-start-mixed",
            ),
            (
                Lesson(45, "in_person", (Segment("pc", 5, start=0), Segment("pc", 5, start=3))),
                Subject("grade", 5),
                "segments-overlap",
            ),
            (
                Lesson(45, "in_person", (Segment("pc", 5, start=42),)),
                Subject("grade", 5),
                "segment-outside-lesson",
            ),
        ],
    )
    def test_lesson(self, lesson: Lesson, subject: Subject, code: str) -> None:
        with pytest.raises(BusinessRuleError) as caught:
            engine.check_lesson(INDEX, subject, lesson)
        assert caught.value.code == code

    @pytest.mark.parametrize(
        ("home", "subject", "code"),
        [
            ([HomeActivity("interactive_panel", 10)], Subject("grade", 5), "home-norm-not-defined"),
            ([HomeActivity("tablet", 10)], Subject("age", 6), "home-norm-not-defined"),
            ([HomeActivity("tablet", -5)], Subject("grade", 5), "minutes-out-of-range"),
            (
                [HomeActivity("pc", 1000), HomeActivity("laptop", 1000)],
                Subject("grade", 5),
                "minutes-out-of-range",
            ),
        ],
    )
    def test_home(self, home: list[HomeActivity], subject: Subject, code: str) -> None:
        with pytest.raises(BusinessRuleError) as caught:
            engine.check_day(INDEX, subject, [], home)
        assert caught.value.code == code
