"""Rules of submitted works (LE-6, Reg §1.4, §1.5).

* a student submits text and/or files for a published assignment given to them (any
  other assignment is "not found"); a teacher of the course (or an admin) records a
  work received by e-mail or another channel, with the time it was received;
* every submission is a new version: version n+1 never overwrites version n;
* a work is late when it was received after the deadline;
* after the latest version was accepted no new version is taken (409); after it was
  returned for rework the student submits the next version.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import UploadFile
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.assignments.auth import readable_assignment, writable_assignment
from services.learning.assignments.publisher import publish_due, target_student_ids
from services.learning.assignments.repository import AssignmentRepository
from services.learning.assignments.times import Clock, as_utc, iso, local
from services.learning.files.storage import FileStore
from services.learning.models import (
    Assignment,
    Review,
    StoredFile,
    Submission,
    SubmissionFile,
    kernel,
)
from services.learning.reviews.report import review_deadline
from services.learning.school_settings.service import school_settings
from services.learning.submissions.repository import SubmissionRepository
from services.learning.submissions.schemas import FileRead, ReviewBrief, SubmissionRead

MAX_FILES = 10
SUBMISSION_RECEIVED = "submission.received"
SUBMISSION_NOT_FOUND = "Работа не найдена"


def submission_not_found() -> NotFound:
    return NotFound(SUBMISSION_NOT_FOUND, code="submission-not-found")


def received_payload(
    submission: Submission, assignment: Assignment, tz: ZoneInfo, review_due_at: datetime
) -> dict[str, Any]:
    """``submission.received``; ``review_due_at`` is the end of the school day by which
    the work must be checked (Reg §2.3, the rule of the same-day review report), so that
    consumers (compliance's dashboard) need not know the school's settings."""
    return {
        "id": str(submission.id),
        "assignment_id": str(assignment.id),
        "course_id": str(assignment.course_id),
        "student_id": str(submission.student_id),
        "version": submission.version,
        "received_at": iso(submission.received_at),
        "received_local_date": local(submission.received_at, tz).date().isoformat(),
        "channel": submission.channel,
        "late": submission.late,
        "recorded_by": str(submission.recorded_by),
        "review_due_at": iso(review_due_at),
    }


async def readable_submission(
    access: Access, repo: SubmissionRepository, submission_id: uuid.UUID
) -> Submission:
    """A work the caller may read: staff and teachers of the school, the student, a
    linked guardian; anything else is "not found"."""
    submission = await repo.load(access.school_id, submission_id)
    if submission is None:
        raise submission_not_found()
    visible = await access.visible_students()
    if visible is not None and submission.student_id not in visible:
        raise submission_not_found()
    return submission


class SubmissionService:
    def __init__(
        self, session: AsyncSession, access: Access, clock: Clock, store: FileStore | None = None
    ) -> None:
        self.session = session
        self.access = access
        self.clock = clock
        self.store = store
        self.repo = SubmissionRepository(session)
        self.assignments = AssignmentRepository(session)

    @property
    def school_id(self) -> uuid.UUID:
        return self.access.school_id

    # -- writes -----------------------------------------------------------------------

    async def submit(
        self, assignment_id: uuid.UUID, text: str | None, uploads: Sequence[UploadFile]
    ) -> SubmissionRead:
        student_id = self.access.principal.user_id
        await publish_due(self.session, self.clock(), school_id=self.school_id)
        assignment = await readable_assignment(self.access, self.assignments, assignment_id)
        targets = await target_student_ids(self.access.directory, assignment)
        if assignment.status != "published" or student_id not in targets:
            raise NotFound("Задание не найдено", code="assignment-not-found")
        if not (text and text.strip()) and not uploads:
            raise BusinessRuleError(
                "Приложите текст ответа или хотя бы один файл", code="empty-submission"
            )
        return await self._store_version(
            assignment,
            student_id,
            channel="platform",
            received_at=self.clock(),
            text=text,
            uploads=uploads,
        )

    async def record(
        self,
        assignment_id: uuid.UUID,
        *,
        student_id: uuid.UUID,
        channel: str,
        received_at: datetime,
        text: str | None,
        uploads: Sequence[UploadFile],
    ) -> SubmissionRead:
        self.access.require_writer()
        assignment = await writable_assignment(self.access, self.assignments, assignment_id)
        if assignment.status != "published":
            raise Conflict(
                "Задание ещё не опубликовано: работу по нему принять нельзя",
                code="assignment-not-published",
            )
        if student_id not in await target_student_ids(self.access.directory, assignment):
            raise BusinessRuleError(
                "Это задание не выдавалось обучающемуся", code="student-not-assigned"
            )
        tz = await self.access.directory.timezone(self.school_id)
        received = as_utc(received_at, tz)
        if received > self.clock():
            raise BusinessRuleError(
                "Время получения работы не может быть в будущем", code="received-in-future"
            )
        return await self._store_version(
            assignment,
            student_id,
            channel=channel,
            received_at=received,
            text=text,
            uploads=uploads,
        )

    async def _store_version(
        self,
        assignment: Assignment,
        student_id: uuid.UUID,
        *,
        channel: str,
        received_at: datetime,
        text: str | None,
        uploads: Sequence[UploadFile],
    ) -> SubmissionRead:
        if len(uploads) > MAX_FILES:
            raise BusinessRuleError(
                f"Можно приложить не больше {MAX_FILES} файлов", code="too-many-files"
            )
        latest = await self.repo.latest(assignment.id, student_id, for_update=True)
        if latest is not None and latest.review is not None and latest.review.status == "accepted":
            raise Conflict(
                "Работа уже принята учителем; новая версия не нужна", code="work-already-accepted"
            )
        assert self.store is not None
        stored: list[StoredFile] = []
        for upload in uploads:
            stored.append(
                await self.store.save(
                    self.session,
                    upload,
                    school_id=self.school_id,
                    uploaded_by=self.access.principal.user_id,
                    purpose="submission",
                )
            )
        if latest is not None:
            latest.is_latest = False
            await self.session.flush()
        submission = Submission(
            id=uuid.uuid4(),
            school_id=self.school_id,
            assignment_id=assignment.id,
            student_id=student_id,
            version=latest.version + 1 if latest is not None else 1,
            is_latest=True,
            text=text if text and text.strip() else None,
            channel=channel,
            received_at=received_at,
            late=received_at > assignment.due_at,
            recorded_by=self.access.principal.user_id,
        )
        submission.files = [
            SubmissionFile(file_id=f.id, file=f, school_id=self.school_id, position=i)
            for i, f in enumerate(stored)
        ]
        self.session.add(submission)
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(
                "Одновременно пришла другая версия этой работы; повторите отправку",
                code="submission-conflict",
            ) from None
        tz = await self.access.directory.timezone(self.school_id)
        ends_at = (await school_settings(self.session, self.school_id)).school_day_ends_at
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type=SUBMISSION_RECEIVED,
            aggregate_type="submission",
            aggregate_id=submission.id,
            payload=received_payload(
                submission, assignment, tz, review_deadline(submission.received_at, ends_at, tz)
            ),
        )
        return (await self.present([(submission, None)], course_id=assignment.course_id))[0]

    # -- reads ------------------------------------------------------------------------

    async def page(
        self,
        assignment_id: uuid.UUID,
        params: PageParams,
        *,
        student_id: uuid.UUID | None,
        all_versions: bool,
    ) -> tuple[list[SubmissionRead], dict[str, Any] | None]:
        assignment = await readable_assignment(self.access, self.assignments, assignment_id)
        students: set[uuid.UUID] | None
        if student_id is not None:
            await self.access.student(student_id)
            students = {student_id}
        else:
            students = await self.access.visible_students()
        rows, cursor = await self.repo.page_for(
            assignment.id, params, student_ids=students, all_versions=all_versions
        )
        items = await self.present([(s, s.review) for s in rows], course_id=assignment.course_id)
        return items, cursor

    async def get(self, submission_id: uuid.UUID) -> SubmissionRead:
        submission = await readable_submission(self.access, self.repo, submission_id)
        assignment = await self.assignments.load(self.school_id, submission.assignment_id)
        if assignment is None:  # pragma: no cover - the foreign key holds
            raise submission_not_found()
        return (
            await self.present([(submission, submission.review)], course_id=assignment.course_id)
        )[0]

    async def file(self, submission_id: uuid.UUID, file_id: uuid.UUID) -> StoredFile:
        submission = await readable_submission(self.access, self.repo, submission_id)
        for link in submission.files:
            if link.file_id == file_id:
                return link.file
        raise NotFound("Файл не найден", code="file-not-found")

    async def present(
        self, rows: list[tuple[Submission, Review | None]], *, course_id: uuid.UUID
    ) -> list[SubmissionRead]:
        tz = await self.access.directory.timezone(self.school_id)
        staff_view = await self.access.visible_students() is None
        people = await self.access.directory.people(self.school_id, {s.student_id for s, _ in rows})
        return [
            submission_read(
                s,
                r,
                tz,
                course_id=course_id,
                student_name=people[s.student_id].full_name if s.student_id in people else None,
                staff_view=staff_view,
            )
            for s, r in rows
        ]


def submission_read(
    s: Submission,
    review: Review | None,
    tz: ZoneInfo,
    *,
    course_id: uuid.UUID,
    student_name: str | None,
    staff_view: bool,
) -> SubmissionRead:
    return SubmissionRead(
        id=s.id,
        assignment_id=s.assignment_id,
        course_id=course_id,
        student_id=s.student_id,
        student_name=student_name,
        version=s.version,
        is_latest=s.is_latest,
        text=s.text,
        files=[
            FileRead(
                id=link.file.id,
                name=link.file.original_name,
                content_type=link.file.content_type,
                size=link.file.size,
                sha256=link.file.sha256,
            )
            for link in s.files
        ],
        channel=s.channel,  # type: ignore[arg-type]
        received_at=s.received_at,
        received_local=local(s.received_at, tz),
        late=s.late,
        recorded_by=s.recorded_by,
        created_at=s.created_at,
        review=(
            ReviewBrief(
                id=review.id,
                status=review.status,  # type: ignore[arg-type]
                mark=review.mark if staff_view else None,
                reviewed_at=review.reviewed_at,
                first_opened_at=review.first_opened_at,
            )
            if review is not None
            else None
        ),
    )
