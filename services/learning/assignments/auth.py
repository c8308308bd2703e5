"""Who may see and change an assignment (LE-5, X-7).

* admin, staff and teachers read every assignment of their school (staff read only);
* a student reads the published assignments given to them, a guardian those given to
  a linked child; anything else is "not found" (404), drafts included;
* an assignment is changed, published or deleted by a teacher of its course or an
  admin (403 for anyone else of the school).
"""

from __future__ import annotations

import uuid

from services.common.errors import NotFound
from services.learning.access import Access
from services.learning.assignments.publisher import target_student_ids
from services.learning.assignments.repository import AssignmentRepository
from services.learning.models import Assignment

ASSIGNMENT_NOT_FOUND = "Задание не найдено"


def not_found() -> NotFound:
    return NotFound(ASSIGNMENT_NOT_FOUND, code="assignment-not-found")


async def readable_assignment(
    access: Access, repo: AssignmentRepository, assignment_id: uuid.UUID
) -> Assignment:
    assignment = await repo.load(access.school_id, assignment_id)
    if assignment is None:
        raise not_found()
    visible = await access.visible_students()
    if visible is None:
        return assignment
    if assignment.status != "published":
        raise not_found()
    if not await target_student_ids(access.directory, assignment) & visible:
        raise not_found()
    return assignment


async def writable_assignment(
    access: Access,
    repo: AssignmentRepository,
    assignment_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Assignment:
    assignment = await repo.load(access.school_id, assignment_id, for_update=for_update)
    if assignment is None:
        raise not_found()
    await access.course_for_write(assignment.course_id)
    return assignment
