"""All SQL about submitted works (LE-6)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.assignments.repository import keyset, next_cursor
from services.learning.models import Submission, SubmissionFile


def _loaded(stmt: Select[Any]) -> Select[Any]:
    return stmt.options(
        selectinload(Submission.files).selectinload(SubmissionFile.file),
        selectinload(Submission.review),
    )


class SubmissionRepository(Repository[Submission]):
    model = Submission

    async def load(self, school_id: uuid.UUID, submission_id: uuid.UUID) -> Submission | None:
        stmt = _loaded(
            select(Submission).where(
                Submission.id == submission_id, Submission.school_id == school_id
            )
        )
        result: Submission | None = await self.first(stmt)
        return result

    async def latest(
        self, assignment_id: uuid.UUID, student_id: uuid.UUID, *, for_update: bool = False
    ) -> Submission | None:
        stmt = select(Submission).where(
            Submission.assignment_id == assignment_id,
            Submission.student_id == student_id,
            Submission.is_latest,
        )
        stmt = stmt.options(selectinload(Submission.review))
        if for_update:
            stmt = stmt.with_for_update(of=Submission)
        result: Submission | None = await self.first(stmt)
        return result

    async def page_for(
        self,
        assignment_id: uuid.UUID,
        params: PageParams,
        *,
        student_ids: set[uuid.UUID] | None,
        all_versions: bool,
    ) -> tuple[list[Submission], dict[str, Any] | None]:
        stmt = select(Submission).where(Submission.assignment_id == assignment_id)
        if not all_versions:
            stmt = stmt.where(Submission.is_latest)
        if student_ids is not None:
            stmt = stmt.where(Submission.student_id.in_(student_ids))
        rows = await self.all(_loaded(keyset(stmt, params, Submission.received_at, Submission.id)))
        return next_cursor(rows, params, "received_at")
