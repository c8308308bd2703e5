"""Rules of the timetable (LE-3; §1.7, §1.8, §1.9, §5.10; X-1).

* a lesson lies in its course's academic year; its topic is a topic of the course's
  plan; its screen-device segments last at least a minute each and together no longer
  than the lesson; a video-room link is https;
* the date and start are the school's local ones; the instant (``starts_at_utc``) is
  computed in the school's time zone;
* a course has one scheduled lesson per date and start;
* weekly templates generate one lesson per slot and week within the academic year;
  generating again skips the slots that already have their lesson (moved or cancelled
  ones included), so it is idempotent;
* lessons are written by an admin or the course's teachers; the substitute teacher of
  a lesson may also change its topic, homework, devices, delivery form and links;
* a cancelled lesson does not change any more; every change raises ``version`` and
  emits ``lesson.changed`` (``lesson.cancelled`` for a cancellation); a new lesson
  emits ``lesson.scheduled``.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from services.common.errors import BusinessRuleError, Conflict, Forbidden, NotFound
from services.learning.access import Access
from services.learning.courses.service import course_archived, writable_course
from services.learning.events import (
    LESSON_CANCELLED,
    LESSON_CHANGED,
    LESSON_SCHEDULED,
    emit_lesson_event,
)
from services.learning.hygiene.service import HygieneGate, Outcome, store
from services.learning.models import Course, Lesson, TimetableTemplate, Topic
from services.learning.optouts.guard import require_alternative, require_alternatives
from services.learning.timetable.reading import TimetableReader, lesson_not_found
from services.learning.timetable.repository import LessonRepository, TemplateRepository
from services.learning.timetable.schemas import (
    DeviceUse,
    GenerateRequest,
    GenerateResult,
    LessonCancel,
    LessonCreate,
    LessonMove,
    LessonRead,
    LessonSubstitute,
    LessonUpdate,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
)


def instant(day: date, at: time, tz: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time on a school-local date."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def check_devices(devices: Sequence[DeviceUse], duration: int) -> list[dict[str, Any]]:
    for segment in devices:
        if segment.minutes > duration:
            raise BusinessRuleError(
                f"Отрезок работы с ЭСО ({segment.minutes} мин) длиннее урока ({duration} мин)",
                code="devices-exceed-duration",
            )
    total = sum(s.minutes for s in devices)
    if total > duration:
        raise BusinessRuleError(
            f"Всего работы с ЭСО {total} мин — больше продолжительности урока ({duration} мин)",
            code="devices-exceed-duration",
        )
    return [s.model_dump() for s in devices]


def template_not_found() -> NotFound:
    return NotFound("Шаблон расписания не найден", code="timetable-template-not-found")


def template_read(t: TimetableTemplate) -> TemplateRead:
    return TemplateRead(
        id=t.id,
        course_id=t.course_id,
        weekday=t.weekday,
        starts_at=t.starts_at,
        duration_minutes=t.duration_minutes,
        lesson_number=t.lesson_number,
        organisational_form=t.organisational_form,  # type: ignore[arg-type]
        delivery_form=t.delivery_form,  # type: ignore[arg-type]
        support_mode=t.support_mode,  # type: ignore[arg-type]
        devices=[DeviceUse.model_validate(d) for d in t.devices or []],
        room=t.room,
        video_room_url=t.video_room_url,
        alternative=t.alternative,
        created_at=t.created_at,
        updated_at=t.updated_at,
    )


class TimetableService:
    def __init__(self, access: Access, hygiene: HygieneGate | None = None) -> None:
        self.access = access
        # Reg §2.5: lessons with screen devices are checked by compliance before they are
        # published; without a gate the check counts as unreachable (never a pass).
        self.hygiene = hygiene or HygieneGate(access.session, access.school_id, None)
        self.session = access.session
        self.school_id = access.school_id
        self.lessons = LessonRepository(access.session)
        self.templates = TemplateRepository(access.session)
        self.reader = TimetableReader(access)

    # -- checks --------------------------------------------------------------------

    async def _year(self, course: Course) -> tuple[date, date]:
        year = await self.access.directory.year(self.school_id, course.academic_year_id)
        if year is None:
            raise BusinessRuleError(
                "Учебный год курса не найден в справочнике школы", code="academic-year-not-found"
            )
        return year.starts_on, year.ends_on

    async def _in_year(self, course: Course, day: date) -> None:
        start, end = await self._year(course)
        if not start <= day <= end:
            raise BusinessRuleError(
                f"Урок вне учебного года: {day:%d.%m.%Y} не входит в учебный год курса "
                f"({start:%d.%m.%Y}–{end:%d.%m.%Y})",
                code="lesson-outside-academic-year",
            )

    async def _topic(self, course: Course, topic_id: uuid.UUID | None) -> Topic | None:
        if topic_id is None:
            return None
        topic = await self.session.get(Topic, topic_id)
        if topic is None or topic.course_id != course.id or topic.school_id != self.school_id:
            raise BusinessRuleError(
                "Тема не найдена в тематическом плане этого курса", code="topic-not-in-plan"
            )
        return topic

    async def _free_slot(
        self, course: Course, day: date, at: time, exclude: uuid.UUID | None = None
    ) -> None:
        if await self.lessons.slot_taken(self.school_id, course.id, day, at, exclude):
            raise Conflict(
                f"У курса уже есть урок {day:%d.%m.%Y} в {at:%H:%M}", code="lesson-slot-taken"
            )

    async def _lesson(self, lesson_id: uuid.UUID) -> Lesson:
        lesson = await self.lessons.get(lesson_id, school_id=self.school_id)
        if lesson is None:
            raise lesson_not_found()
        return lesson

    async def _for_write(
        self, lesson_id: uuid.UUID, *, substitute_may: bool = False
    ) -> tuple[Lesson, Course]:
        """A lesson the caller may change: admin or a teacher of the course (or, when
        allowed, the lesson's substitute); 404 for another school's, 403 otherwise."""
        lesson = await self._lesson(lesson_id)
        principal = self.access.principal
        if (
            substitute_may
            and principal.has("teacher")
            and lesson.substitute_teacher_id == principal.user_id
        ):
            course = await self.access.course(lesson.course_id)
            if course.is_archived:
                raise course_archived()
        else:
            try:
                course = await writable_course(self.access, lesson.course_id)
            except Forbidden:
                raise Forbidden(
                    "Изменять урок могут администратор, педагоги курса и педагог на замене",
                    code="forbidden",
                ) from None
        if lesson.status == "cancelled":
            raise Conflict("Урок отменён и больше не изменяется", code="lesson-cancelled")
        return lesson, course

    async def _emit(self, type_: str, lesson: Lesson, course: Course) -> None:
        topic = await self.session.get(Topic, lesson.topic_id) if lesson.topic_id else None
        await emit_lesson_event(self.session, type_, lesson, course, topic)

    async def _hygiene(self, lesson: Lesson, course: Course) -> None:
        """Ask compliance about the lesson as it now stands (Reg §2.5) and keep the answer."""
        outcome = await self.hygiene.lesson(self.hygiene.lesson_body(lesson, course))
        store(lesson, outcome)

    async def _optouts(self, lesson: Lesson, course: Course) -> None:
        """LE-12: no ЭО/ДОТ lesson without an alternative for students with an opt-out."""
        await require_alternative(
            self.session,
            course=course,
            day=lesson.date,
            delivery_form=lesson.delivery_form,
            alternative=lesson.alternative,
        )

    async def _read(self, lesson: Lesson, course: Course) -> LessonRead:
        return (await self.reader.reads([lesson], {course.id: course}))[0]

    async def _changed(self, lesson: Lesson, course: Course, type_: str = LESSON_CHANGED) -> None:
        lesson.version += 1
        await self.session.flush()
        await self._emit(type_, lesson, course)

    # -- lessons -------------------------------------------------------------------

    async def create_lesson(self, course_id: uuid.UUID, body: LessonCreate) -> LessonRead:
        course = await writable_course(self.access, course_id)
        await self._in_year(course, body.date)
        topic = await self._topic(course, body.topic_id)
        devices = check_devices(body.devices, body.duration_minutes)
        await self._free_slot(course, body.date, body.starts_at)
        tz = await self.access.directory.timezone(self.school_id)
        lesson = Lesson(
            id=uuid.uuid4(),
            school_id=self.school_id,
            course_id=course.id,
            template_id=None,
            date=body.date,
            starts_at=body.starts_at,
            starts_at_utc=instant(body.date, body.starts_at, tz),
            duration_minutes=body.duration_minutes,
            lesson_number=body.lesson_number,
            topic_id=topic.id if topic else None,
            organisational_form=body.organisational_form,
            delivery_form=body.delivery_form,
            support_mode=body.support_mode,
            devices=devices,
            room=body.room,
            video_room_url=body.video_room_url,
            status="scheduled",
            homework=body.homework or None,
            alternative=body.alternative or None,
            version=1,
        )
        await self._optouts(lesson, course)
        await self._hygiene(lesson, course)
        self.session.add(lesson)
        await self.session.flush()
        await emit_lesson_event(self.session, LESSON_SCHEDULED, lesson, course, topic)
        return await self._read(lesson, course)

    async def get_lesson(self, lesson_id: uuid.UUID) -> LessonRead:
        return await self.reader.lesson(lesson_id)

    async def update_lesson(self, lesson_id: uuid.UUID, body: LessonUpdate) -> LessonRead:
        lesson, course = await self._for_write(lesson_id, substitute_may=True)
        changes = body.changes()
        if "topic_id" in changes:
            topic = await self._topic(course, changes["topic_id"])
            lesson.topic_id = topic.id if topic else None
        if "devices" in changes:
            lesson.devices = check_devices(changes["devices"], lesson.duration_minutes)
        for name in (
            "homework",
            "organisational_form",
            "delivery_form",
            "support_mode",
            "room",
            "video_room_url",
            "lesson_number",
            "alternative",
        ):
            if name in changes:
                value = changes[name]
                setattr(lesson, name, value if value != "" else None)
        await self._optouts(lesson, course)
        if changes.keys() & {"devices", "delivery_form", "lesson_number"}:
            await self._hygiene(lesson, course)
        await self._changed(lesson, course)
        return await self._read(lesson, course)

    async def move_lesson(self, lesson_id: uuid.UUID, body: LessonMove) -> LessonRead:
        lesson, course = await self._for_write(lesson_id)
        await self._in_year(course, body.date)
        duration = body.duration_minutes or lesson.duration_minutes
        check_devices([DeviceUse.model_validate(d) for d in lesson.devices or []], duration)
        await self._free_slot(course, body.date, body.starts_at, exclude=lesson.id)
        if lesson.moved_from_date is None:
            # the first place is kept: it names the template slot the lesson belongs to
            lesson.moved_from_date = lesson.date
            lesson.moved_from_starts_at = lesson.starts_at
        tz = await self.access.directory.timezone(self.school_id)
        lesson.date = body.date
        lesson.starts_at = body.starts_at
        lesson.starts_at_utc = instant(body.date, body.starts_at, tz)
        lesson.duration_minutes = duration
        fields = body.model_fields_set
        if "lesson_number" in fields:
            lesson.lesson_number = body.lesson_number
        if "room" in fields:
            lesson.room = body.room
        await self._optouts(lesson, course)
        await self._hygiene(lesson, course)
        await self._changed(lesson, course)
        return await self._read(lesson, course)

    async def substitute_lesson(self, lesson_id: uuid.UUID, body: LessonSubstitute) -> LessonRead:
        lesson, course = await self._for_write(lesson_id)
        substitute = body.substitute_teacher_id
        if substitute is not None:
            person = await self.access.directory.person(self.school_id, substitute)
            if person is None or not person.has_role("teacher") or not person.is_active:
                raise BusinessRuleError(
                    "Заменять урок может только действующий педагог этой школы",
                    code="not-a-teacher",
                )
        lesson.substitute_teacher_id = substitute
        await self._changed(lesson, course)
        return await self._read(lesson, course)

    async def cancel_lesson(self, lesson_id: uuid.UUID, body: LessonCancel) -> LessonRead:
        lesson, course = await self._for_write(lesson_id)
        lesson.status = "cancelled"
        lesson.cancel_reason = body.reason
        await self._changed(lesson, course, LESSON_CANCELLED)
        return await self._read(lesson, course)

    # -- weekly templates ------------------------------------------------------------

    async def list_templates(self, course_id: uuid.UUID) -> list[TemplateRead]:
        course = await self.access.course(course_id)
        return [template_read(t) for t in await self.templates.of_course(self.school_id, course.id)]

    async def _template(self, course: Course, template_id: uuid.UUID) -> TimetableTemplate:
        template = await self.templates.get(template_id, school_id=self.school_id)
        if template is None or template.course_id != course.id:
            raise template_not_found()
        return template

    async def _template_slot_free(
        self, course: Course, weekday: int, at: time, exclude: uuid.UUID | None
    ) -> None:
        for other in await self.templates.of_course(self.school_id, course.id):
            if other.id != exclude and other.weekday == weekday and other.starts_at == at:
                raise Conflict(
                    f"У курса уже есть шаблон на этот день недели в {at:%H:%M}",
                    code="template-slot-taken",
                )

    async def create_template(self, course_id: uuid.UUID, body: TemplateCreate) -> TemplateRead:
        course = await writable_course(self.access, course_id)
        devices = check_devices(body.devices, body.duration_minutes)
        await self._template_slot_free(course, body.weekday, body.starts_at, None)
        template = TimetableTemplate(
            id=uuid.uuid4(),
            school_id=self.school_id,
            course_id=course.id,
            weekday=body.weekday,
            lesson_number=body.lesson_number,
            starts_at=body.starts_at,
            duration_minutes=body.duration_minutes,
            organisational_form=body.organisational_form,
            delivery_form=body.delivery_form,
            support_mode=body.support_mode,
            devices=devices,
            room=body.room,
            video_room_url=body.video_room_url,
            alternative=body.alternative or None,
        )
        await require_alternative(
            self.session,
            course=course,
            day=None,
            delivery_form=template.delivery_form,
            alternative=template.alternative,
            what="урок по шаблону",
        )
        self.session.add(template)
        await self.session.flush()
        return template_read(template)

    async def update_template(
        self, course_id: uuid.UUID, template_id: uuid.UUID, body: TemplateUpdate
    ) -> TemplateRead:
        course = await writable_course(self.access, course_id)
        template = await self._template(course, template_id)
        changes = body.changes()
        duration = changes.get("duration_minutes", template.duration_minutes)
        if "devices" in changes:
            devices = list(changes["devices"])
        else:
            devices = [DeviceUse.model_validate(d) for d in template.devices or []]
        template.devices = check_devices(devices, duration)
        await self._template_slot_free(
            course,
            changes.get("weekday", template.weekday),
            changes.get("starts_at", template.starts_at),
            template.id,
        )
        for name in (
            "weekday",
            "starts_at",
            "duration_minutes",
            "lesson_number",
            "organisational_form",
            "delivery_form",
            "support_mode",
            "room",
            "video_room_url",
            "alternative",
        ):
            if name in changes:
                setattr(template, name, changes[name])
        if "alternative" in changes and not changes["alternative"]:
            template.alternative = None
        await require_alternative(
            self.session,
            course=course,
            day=None,
            delivery_form=template.delivery_form,
            alternative=template.alternative,
            what="урок по шаблону",
        )
        await self.session.flush()
        return template_read(template)

    async def delete_template(self, course_id: uuid.UUID, template_id: uuid.UUID) -> None:
        course = await writable_course(self.access, course_id)
        template = await self._template(course, template_id)
        await self.templates.delete(template)
        await self.session.flush()

    async def generate(self, course_id: uuid.UUID, body: GenerateRequest) -> GenerateResult:
        course = await writable_course(self.access, course_id)
        year_start, year_end = await self._year(course)
        start, end = max(body.date_from, year_start), min(body.date_to, year_end)
        if start > end:
            raise BusinessRuleError(
                f"Период вне учебного года курса ({year_start:%d.%m.%Y}–{year_end:%d.%m.%Y})",
                code="lesson-outside-academic-year",
            )
        templates = await self.templates.of_course(self.school_id, course.id)
        if not templates:
            raise BusinessRuleError(
                "У курса нет шаблонов расписания: сначала добавьте их", code="no-templates"
            )
        existing = await self.lessons.of_course_between(self.school_id, course.id, start, end)
        generated = {
            (ls.template_id, ls.moved_from_date or ls.date) for ls in existing if ls.template_id
        }
        busy = {(ls.date, ls.starts_at) for ls in existing if ls.status == "scheduled"}
        tz = await self.access.directory.timezone(self.school_id)
        by_weekday: dict[int, list[TimetableTemplate]] = {}
        for t in templates:
            by_weekday.setdefault(t.weekday, []).append(t)

        created: list[Lesson] = []
        outcomes: dict[uuid.UUID | None, Outcome | None] = {}
        skipped = 0
        day = start
        while day <= end:
            for t in by_weekday.get(day.isoweekday(), []):
                if (t.id, day) in generated or (day, t.starts_at) in busy:
                    skipped += 1
                    continue
                busy.add((day, t.starts_at))
                created.append(
                    Lesson(
                        id=uuid.uuid4(),
                        school_id=self.school_id,
                        course_id=course.id,
                        template_id=t.id,
                        date=day,
                        starts_at=t.starts_at,
                        starts_at_utc=instant(day, t.starts_at, tz),
                        duration_minutes=t.duration_minutes,
                        lesson_number=t.lesson_number,
                        topic_id=None,
                        organisational_form=t.organisational_form,
                        delivery_form=t.delivery_form,
                        support_mode=t.support_mode,
                        devices=[dict(d) for d in t.devices or []],
                        room=t.room,
                        video_room_url=t.video_room_url,
                        alternative=t.alternative,
                        status="scheduled",
                        version=1,
                    )
                )
            day += timedelta(days=1)
        await require_alternatives(
            self.session, course, [(ls.date, ls.delivery_form, ls.alternative) for ls in created]
        )
        for lesson in created:
            # Reg §2.5: one check per template (its first generated lesson stands for all)
            if lesson.template_id not in outcomes:
                await self._hygiene(lesson, course)
                outcomes[lesson.template_id] = _outcome_of(lesson)
            else:
                store(lesson, outcomes[lesson.template_id])
        self.session.add_all(created)
        await self.session.flush()
        for lesson in created:
            await emit_lesson_event(self.session, LESSON_SCHEDULED, lesson, course, None)
        return GenerateResult(
            date_from=start,
            date_to=end,
            created=len(created),
            skipped=skipped,
            lesson_ids=[ls.id for ls in created],
        )


def _outcome_of(lesson: Lesson) -> Outcome | None:
    if lesson.compliance_status is None or lesson.compliance_checked_at is None:
        return None
    return Outcome(
        status=lesson.compliance_status,
        checked_at=lesson.compliance_checked_at,
        violations=list(lesson.compliance_violations or []),
        check_id=lesson.compliance_check_id,
        note=lesson.compliance_note,
    )
