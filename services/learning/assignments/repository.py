"""All SQL about assignments (LE-5). Lists cost a fixed number of queries (X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, case, func, or_, select
from sqlalchemy.orm import selectinload

from services.common.errors import BadRequest
from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.models import (
    Assignment,
    AssignmentStudent,
    Lesson,
    Review,
    Submission,
    directory,
)


@dataclass(frozen=True)
class ListFilter:
    course_id: uuid.UUID | None = None
    course_ids: set[uuid.UUID] | None = None  # a teacher's own courses
    lesson_id: uuid.UUID | None = None
    status: str | None = None
    due_from: datetime | None = None
    due_before: datetime | None = None
    # only the published assignments given to one of these students (whose courses
    # are ``student_course_ids``)
    student_ids: set[uuid.UUID] | None = None
    student_course_ids: set[uuid.UUID] | None = None


@dataclass(frozen=True)
class Counts:
    submitted: int = 0
    late: int = 0
    reviewed: int = 0
    returned: int = 0


def _loaded(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(selectinload(Assignment.course), selectinload(Assignment.students))


def keyset(stmt: Select[Any], params: PageParams, column: Any, id_column: Any) -> Select[Any]:
    """Newest first by ``column`` then id; the cursor holds the last row's pair."""
    after = params.after()
    if after is not None:
        try:
            last_at = datetime.fromisoformat(str(after["at"]))
            last_id = uuid.UUID(str(after["id"]))
        except (KeyError, ValueError):
            raise BadRequest("Курсор повреждён или не распознан", code="invalid-cursor") from None
        stmt = stmt.where(or_(column < last_at, and_(column == last_at, id_column < last_id)))
    return stmt.order_by(column.desc(), id_column.desc()).limit(params.limit + 1)


def next_cursor(
    rows: list[Any], params: PageParams, at: str
) -> tuple[list[Any], dict[str, Any] | None]:
    if len(rows) > params.limit:
        rows = rows[: params.limit]
        last = rows[-1]
        return rows, {"at": getattr(last, at).isoformat(), "id": str(last.id)}
    return rows, None


class AssignmentRepository(Repository[Assignment]):
    model = Assignment

    async def load(
        self, school_id: uuid.UUID, assignment_id: uuid.UUID, *, for_update: bool = False
    ) -> Assignment | None:
        stmt = _loaded(
            select(Assignment).where(
                Assignment.id == assignment_id, Assignment.school_id == school_id
            )
        )
        if for_update:
            stmt = stmt.with_for_update(of=Assignment)
        result: Assignment | None = await self.first(stmt)
        return result

    async def lesson(self, school_id: uuid.UUID, lesson_id: uuid.UUID) -> Lesson | None:
        lesson = await self.session.get(Lesson, lesson_id)
        return lesson if lesson is not None and lesson.school_id == school_id else None

    async def due_for_publication(
        self, now: datetime, *, school_id: uuid.UUID | None = None, limit: int = 100
    ) -> list[Assignment]:
        """Scheduled assignments whose time has come, locked (others skip them)."""
        stmt = select(Assignment).where(
            Assignment.status == "scheduled", Assignment.publish_at <= now
        )
        if school_id is not None:
            stmt = stmt.where(Assignment.school_id == school_id)
        stmt = _loaded(
            stmt.order_by(Assignment.publish_at, Assignment.id).limit(limit)
        ).with_for_update(of=Assignment, skip_locked=True)
        return await self.all(stmt)

    async def page_for(
        self, school_id: uuid.UUID, params: PageParams, f: ListFilter
    ) -> tuple[list[Assignment], dict[str, Any] | None]:
        stmt = select(Assignment).where(Assignment.school_id == school_id)
        if f.course_id is not None:
            stmt = stmt.where(Assignment.course_id == f.course_id)
        if f.course_ids is not None:
            stmt = stmt.where(Assignment.course_id.in_(f.course_ids))
        if f.lesson_id is not None:
            stmt = stmt.where(Assignment.lesson_id == f.lesson_id)
        if f.status is not None:
            stmt = stmt.where(Assignment.status == f.status)
        if f.due_from is not None:
            stmt = stmt.where(Assignment.due_at >= f.due_from)
        if f.due_before is not None:
            stmt = stmt.where(Assignment.due_at < f.due_before)
        if f.student_ids is not None:
            listed = select(AssignmentStudent.assignment_id).where(
                AssignmentStudent.school_id == school_id,
                AssignmentStudent.student_id.in_(f.student_ids),
            )
            stmt = stmt.where(
                Assignment.status == "published",
                or_(
                    and_(
                        Assignment.target_kind == "class",
                        Assignment.course_id.in_(f.student_course_ids or set()),
                    ),
                    Assignment.id.in_(listed),
                ),
            )
        rows = await self.all(_loaded(keyset(stmt, params, Assignment.due_at, Assignment.id)))
        return next_cursor(rows, params, "due_at")

    async def counts(self, assignment_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Counts]:
        """Per assignment: latest versions submitted, late, reviewed, returned."""
        ids = list(assignment_ids)
        if not ids:
            return {}
        stmt = (
            select(
                Submission.assignment_id,
                func.count(Submission.id),
                func.sum(case((Submission.late, 1), else_=0)),
                func.count(Review.id),
                func.sum(case((Review.status == "returned", 1), else_=0)),
            )
            .outerjoin(Review, Review.submission_id == Submission.id)
            .where(Submission.assignment_id.in_(ids), Submission.is_latest)
            .group_by(Submission.assignment_id)
        )
        return {
            row[0]: Counts(int(row[1]), int(row[2] or 0), int(row[3]), int(row[4] or 0))
            for row in (await self.session.execute(stmt)).all()
        }

    async def class_sizes(
        self, school_id: uuid.UUID, group_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, int]:
        ids = set(group_ids)
        if not ids:
            return {}
        m = directory.membership
        stmt = (
            select(m.class_group_id, func.count())
            .where(m.school_id == school_id, m.class_group_id.in_(ids))
            .group_by(m.class_group_id)
        )
        return {row[0]: int(row[1]) for row in (await self.session.execute(stmt)).all()}

    async def latest_works(
        self, student_id: uuid.UUID, assignment_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, tuple[Submission, Review | None]]:
        ids = list(assignment_ids)
        if not ids:
            return {}
        stmt = (
            select(Submission, Review)
            .outerjoin(Review, Review.submission_id == Submission.id)
            .where(
                Submission.student_id == student_id,
                Submission.assignment_id.in_(ids),
                Submission.is_latest,
            )
        )
        return {s.assignment_id: (s, r) for s, r in (await self.session.execute(stmt)).all()}

    async def delete(self, assignment: Assignment) -> None:
        await self.session.delete(assignment)
        await self.session.flush()
