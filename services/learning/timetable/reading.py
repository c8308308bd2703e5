"""Reading the timetable (LE-3, Reg §1.2; X-1).

Who reads what:

* a student: their own lessons (the courses of their class, sub-group courses only if
  listed); a guardian: a linked child's (``student_id`` is needed with several
  children; another child is 404);
* a teacher: their own lessons — the courses they teach and the lessons they substitute
  — or any class's, any student's, any course's;
* admin and staff: anything of the school.

Dates are the school's local dates; a read costs the same number of queries whatever
the number of students or lessons.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date

from services.common.directory import level_of
from services.common.errors import BadRequest, NotFound
from services.learning.access import Access
from services.learning.courses.repository import CourseRepository
from services.learning.courses.schemas import PersonRef
from services.learning.courses.service import person_name
from services.learning.events import acting_teacher_id
from services.learning.hygiene.service import check_read
from services.learning.models import Course, Lesson
from services.learning.optouts.views import mark_lessons
from services.learning.timetable.repository import LessonRepository
from services.learning.timetable.schemas import (
    DeviceUse,
    LessonCourse,
    LessonRead,
    TimetableRead,
    TopicBrief,
)


def lesson_not_found() -> NotFound:
    return NotFound("Урок не найден", code="lesson-not-found")


class TimetableReader:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.school_id = access.school_id
        self.lessons = LessonRepository(access.session)
        self.courses = CourseRepository(access.session)

    async def reads(
        self, lessons: Sequence[Lesson], courses: dict[uuid.UUID, Course] | None = None
    ) -> list[LessonRead]:
        """Lesson views with course, topic and people (a fixed number of queries)."""
        known = dict(courses or {})
        missing = {ls.course_id for ls in lessons} - set(known)
        if missing:
            known.update(await self.lessons.courses(self.school_id, missing))
        topics = await self.lessons.topics(ls.topic_id for ls in lessons if ls.topic_id)
        people_ids = {t for c in known.values() for t in c.teacher_ids}
        people_ids |= {ls.substitute_teacher_id for ls in lessons if ls.substitute_teacher_id}
        people = await self.access.directory.people(self.school_id, people_ids)
        groups = await self.courses.class_groups(
            self.school_id, {c.class_group_id for c in known.values()}
        )

        def ref(person_id: uuid.UUID | None) -> PersonRef | None:
            if person_id is None:
                return None
            return PersonRef(id=person_id, name=person_name(people.get(person_id)))

        out = []
        for ls in lessons:
            course = known[ls.course_id]
            group = groups.get(course.class_group_id)
            topic = topics.get(ls.topic_id) if ls.topic_id else None
            out.append(
                LessonRead(
                    id=ls.id,
                    course=LessonCourse(
                        id=course.id,
                        subject=course.subject,
                        class_group_id=course.class_group_id,
                        class_name=group.name if group is not None else None,
                        grade=course.grade,
                        level=level_of(course.grade),  # type: ignore[arg-type]
                        subgroup=course.subgroup,
                    ),
                    date=ls.date,
                    starts_at=ls.starts_at,
                    starts_at_utc=ls.starts_at_utc,
                    duration_minutes=ls.duration_minutes,
                    lesson_number=ls.lesson_number,
                    topic=(
                        TopicBrief(id=topic.id, position=topic.position, title=topic.title)
                        if topic is not None
                        else None
                    ),
                    organisational_form=ls.organisational_form,  # type: ignore[arg-type]
                    delivery_form=ls.delivery_form,  # type: ignore[arg-type]
                    support_mode=ls.support_mode,  # type: ignore[arg-type]
                    devices=[DeviceUse.model_validate(d) for d in ls.devices or []],
                    screen_minutes=ls.screen_minutes,
                    video_room_url=ls.video_room_url,
                    room=ls.room,
                    status=ls.status,  # type: ignore[arg-type]
                    cancel_reason=ls.cancel_reason,
                    teachers=[r for r in (ref(t) for t in course.teacher_ids) if r is not None],
                    teacher=ref(acting_teacher_id(ls, course)),
                    substitute_teacher=ref(ls.substitute_teacher_id),
                    moved_from_date=ls.moved_from_date,
                    moved_from_starts_at=ls.moved_from_starts_at,
                    homework=ls.homework,
                    alternative=ls.alternative,
                    template_id=ls.template_id,
                    version=ls.version,
                    compliance=check_read(ls, uses_screens=bool(ls.devices)),
                )
            )
        return out

    async def lesson(self, lesson_id: uuid.UUID) -> LessonRead:
        lesson = await self.lessons.get(lesson_id, school_id=self.school_id)
        if lesson is None:
            raise lesson_not_found()
        try:
            course = await self.access.course(lesson.course_id)
        except NotFound:
            raise lesson_not_found() from None
        read = (await self.reads([lesson], {course.id: course}))[0]
        p = self.access.principal
        if p.has("student") and not p.has("admin", "staff", "teacher", "guardian"):
            # LE-12: an opted-out student sees the alternative instead of the video room
            (read,) = await mark_lessons(
                self.access.session, self.school_id, p.user_id, [read], {course.id: course}
            )
        return read

    # -- the timetable of a student, a class, a teacher or a course ------------------

    async def _default_student(self) -> uuid.UUID:
        principal = self.access.principal
        visible = await self.access.visible_students()
        if visible is None:
            raise BadRequest(
                "Укажите один из параметров: student_id, class_group_id, teacher_id или course_id",
                code="timetable-selector-required",
            )
        if principal.has("student") and principal.user_id in visible:
            return principal.user_id
        if len(visible) == 1:
            return next(iter(visible))
        if not visible:
            raise NotFound(
                "Нет обучающихся, чьё расписание можно показать", code="student-not-found"
            )
        raise BadRequest("У вас несколько детей: укажите student_id", code="student-id-required")

    async def _check_class(self, class_group_id: uuid.UUID) -> None:
        group = await self.access.directory.class_group(self.school_id, class_group_id)
        not_found = NotFound("Класс не найден", code="class-group-not-found")
        if group is None:
            raise not_found
        visible = await self.access.visible_students()
        if visible is None:
            return
        members = await self.courses.members_of(self.school_id, class_group_id)
        if not members & visible:
            raise not_found

    async def _check_teacher(self, teacher_id: uuid.UUID) -> None:
        not_found = NotFound("Педагог не найден", code="teacher-not-found")
        if not self.access.is_staff and teacher_id != self.access.principal.user_id:
            raise not_found
        person = await self.access.directory.person(self.school_id, teacher_id)
        if person is None or not person.has_role("teacher"):
            raise not_found

    async def timetable(
        self,
        start: date,
        end: date,
        *,
        max_days: int,
        student_id: uuid.UUID | None,
        class_group_id: uuid.UUID | None,
        teacher_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        include_cancelled: bool,
    ) -> TimetableRead:
        if end < start:
            raise BadRequest("Дата to раньше даты from", code="invalid-date-range")
        if (end - start).days + 1 > max_days:
            raise BadRequest(
                f"Расписание выдаётся не больше чем за {max_days} дн. подряд",
                code="date-range-too-long",
            )
        selectors = [s for s in (student_id, class_group_id, teacher_id, course_id) if s]
        if len(selectors) > 1:
            raise BadRequest(
                "Укажите только один из параметров: student_id, class_group_id, teacher_id, "
                "course_id",
                code="timetable-selector-conflict",
            )
        if not selectors:
            if self.access.is_teacher and not self.access.is_staff:
                teacher_id = self.access.principal.user_id
            else:
                student_id = await self._default_student()

        courses: dict[uuid.UUID, Course] | None = None
        if student_id is not None:
            await self.access.student(student_id)
            by_student = await self.access.courses_of_students([student_id])
            courses = {c.id: c for c in by_student.get(student_id, [])}
            lessons = await self.lessons.timetable(
                self.school_id,
                start,
                end,
                course_ids=courses,
                include_cancelled=include_cancelled,
            )
        elif class_group_id is not None:
            await self._check_class(class_group_id)
            lessons = await self.lessons.timetable(
                self.school_id,
                start,
                end,
                class_group_id=class_group_id,
                include_cancelled=include_cancelled,
            )
        elif teacher_id is not None:
            await self._check_teacher(teacher_id)
            lessons = await self.lessons.timetable(
                self.school_id,
                start,
                end,
                teacher_id=teacher_id,
                include_cancelled=include_cancelled,
            )
        else:
            assert course_id is not None
            course = await self.access.course(course_id)
            courses = {course.id: course}
            lessons = await self.lessons.timetable(
                self.school_id,
                start,
                end,
                course_ids=[course.id],
                include_cancelled=include_cancelled,
            )
        tz = await self.access.directory.timezone(self.school_id)
        reads = await self.reads(lessons, courses)
        if student_id is not None and courses is not None:
            # LE-12: an opted-out student sees the alternative instead of the video room
            reads = await mark_lessons(
                self.access.session, self.school_id, student_id, reads, courses
            )
        return TimetableRead(date_from=start, date_to=end, timezone=tz.key, lessons=reads)
