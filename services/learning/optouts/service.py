"""Who of a course's students has a §3.9 opt-out: the list teachers need (LE-12).

Admin and staff of the school, and the course's teachers, read it; other teachers,
students and guardians get 403; another school's course is 404.
"""

from __future__ import annotations

import uuid
from datetime import date

from services.common.errors import Forbidden
from services.learning.access import Access
from services.learning.optouts.guard import opted_out_students
from services.learning.optouts.schemas import CourseOptOutStudents, OptOutStudentRead


async def course_optout_students(
    access: Access, course_id: uuid.UUID, on: date | None
) -> CourseOptOutStudents:
    course = await access.course(course_id)
    if not (access.is_staff or (access.is_teacher and access.teaches(course))):
        raise Forbidden(
            "Список обучающихся с отказом от ЭО и ДОТ видят педагоги курса и администрация"
        )
    day = on or await access.directory.today(access.school_id)
    students = await opted_out_students(access.session, course, day)
    return CourseOptOutStudents(
        course_id=course.id,
        on=day,
        needs_alternative=bool(students),
        students=[OptOutStudentRead.model_validate(s) for s in students],
    )
