"""Who may export the journal (JO-8): the whole class's marks, so not the students.

* a course's journal: its teachers, the class's homeroom teacher, staff and admins;
* a class's summary sheet: the homeroom teacher, staff and admins;
* another school's course or class: 404; a same-school caller without the right: 403.
"""

from __future__ import annotations

import uuid
from typing import Any

from services.common.errors import BusinessRuleError, Forbidden, NotFound
from services.journal.access import Access

CLASS_NOT_FOUND = "Класс не найден"


async def course_for_report(access: Access, course_id: uuid.UUID) -> Any:
    course = await access.course_for_read(course_id)
    if access.is_staff or access.teaches(course):
        return course
    if course.class_group_id in await access.homeroom_groups():
        return course
    raise Forbidden(
        "Журнал курса целиком доступен его педагогам, классному руководителю и администрации"
    )


async def class_for_summary(access: Access, group_id: uuid.UUID) -> tuple[Any, Any]:
    """The class and its school year."""
    group = await access.directory.class_group(access.school_id, group_id)
    if group is None:
        raise NotFound(CLASS_NOT_FOUND, code="class-group-not-found")
    if not (access.is_staff or group_id in await access.homeroom_groups()):
        raise Forbidden("Сводная ведомость класса доступна классному руководителю и администрации")
    year = (
        await access.directory.year(access.school_id, group.academic_year_id)
        if group.academic_year_id is not None
        else None
    )
    if year is None:
        raise BusinessRuleError("Учебный год класса не найден", code="year-not-found")
    return group, year
