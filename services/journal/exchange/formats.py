"""Formats of the daily package: the adapter seam for target systems (GW-5).

A format is a class with a ``name``, a ``media_type`` and ``render(package)``; the
registry :data:`FORMATS` maps names to factories, and ``GET /exchange/daily?format=``
picks one. ``eo-daily-v1`` is the platform's own documented JSON. A target whose format
is not public (ФГИС «Моя школа») or a regional journal gets its own class here,
built from the same neutral :class:`~services.journal.exchange.daily.DailyPackage` —
no query or rule changes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from services.journal.exchange.daily import DailyPackage, MarkEntry, Ref
from services.journal.exchange.schemas import (
    AttendanceV1,
    DailyPackageV1,
    LessonV1,
    MarkV1,
    RefV1,
    SchoolV1,
)


class DailyFormat(Protocol):
    name: str
    media_type: str

    def render(self, package: DailyPackage) -> bytes: ...


class EoDailyV1:
    """The platform's JSON (``DailyPackageV1``); ``key`` is the id in ``external_system``."""

    name = "eo-daily-v1"
    media_type = "application/json"

    def __init__(self, external_system: str | None = None) -> None:
        self.external_system = external_system
        self.unmapped = 0

    def ref(self, ref: Ref) -> RefV1:
        key = ref.external_ids.get(self.external_system) if self.external_system else None
        if self.external_system and key is None:
            self.unmapped += 1
        return RefV1(id=ref.id, key=key, external_ids=dict(ref.external_ids), name=ref.name)

    def mark(self, m: MarkEntry) -> MarkV1:
        return MarkV1(
            id=m.id,
            student=self.ref(m.student),
            value=m.value,
            numeric_value=m.numeric_value,
            control_type=m.control_type,
            weight=m.weight,
            comment=m.comment,
        )

    def document(self, package: DailyPackage) -> DailyPackageV1:
        self.unmapped = 0
        school = package.school
        lessons = [
            LessonV1(
                id=ls.id,
                course=self.ref(ls.course),
                subject=ls.subject,
                subgroup=ls.subgroup,
                class_group=self.ref(ls.class_group),
                teacher=self.ref(ls.teacher) if ls.teacher else None,
                starts_at=ls.starts_at,
                starts_at_utc=ls.starts_at_utc,
                duration_minutes=ls.duration_minutes,
                lesson_number=ls.lesson_number,
                status=ls.status,
                planned_delivery_form=ls.planned_delivery_form,
                delivery_form=ls.delivery_form,
                topic=ls.topic,
                homework=ls.homework,
                recorded=ls.recorded,
                attendance=[
                    AttendanceV1(student=self.ref(a.student), status=a.status, reason=a.reason)
                    for a in ls.attendance
                ],
                marks=[self.mark(m) for m in ls.marks],
            )
            for ls in package.lessons
        ]
        loose = [self.mark(m) for m in package.marks_without_lesson]
        return DailyPackageV1(
            school=SchoolV1(
                id=school.id,
                name=school.name,
                short_name=school.short_name,
                region=school.region,
                timezone=school.timezone,
            ),
            date=package.day,
            generated_at=package.generated_at,
            external_system=self.external_system,
            lessons=lessons,
            marks_without_lesson=loose,
            unmapped=self.unmapped,
        )

    def render(self, package: DailyPackage) -> bytes:
        return self.document(package).model_dump_json().encode("utf-8")


FormatFactory = Callable[[str | None], DailyFormat]
FORMATS: dict[str, FormatFactory] = {
    EoDailyV1.name: EoDailyV1,
}
DEFAULT_FORMAT = EoDailyV1.name
