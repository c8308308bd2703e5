"""Rules of reviews (LE-7, Reg §1.6, §2.3, §2.4).

* a teacher of the course (or an admin) reviews one version of a work: the latest one
  (an older version was superseded: 409), once (409 for a second review of the same
  version);
* the review says accepted or returned for rework (then the student may submit the
  next version), with an optional mark on the school's scale, a text comment and/or
  one audio or video comment (other types: 415);
* ``review.completed`` carries an excerpt of the work, so the portfolio keeps it even
  if the work changes later;
* the first time the student opens the review is recorded once and never overwritten
  (Reg §1.6); a guardian or a teacher opening it does not count.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import UploadFile
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict, NotFound
from services.common.outbox import emit
from services.learning.access import Access
from services.learning.assignments.repository import AssignmentRepository
from services.learning.assignments.times import Clock, iso
from services.learning.files.storage import FileStore
from services.learning.models import Assignment, Review, StoredFile, Submission, kernel
from services.learning.reviews.repository import ReviewRepository
from services.learning.reviews.schemas import ReviewRead
from services.learning.submissions.repository import SubmissionRepository
from services.learning.submissions.schemas import FileRead
from services.learning.submissions.service import readable_submission, submission_not_found

REVIEW_COMPLETED = "review.completed"
EXCERPT_CHARS = 500


def review_not_found() -> NotFound:
    return NotFound("Рецензии на эту работу ещё нет", code="review-not-found")


def excerpt(text: str | None) -> str | None:
    if not text:
        return None
    text = text.strip()
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rstrip() + "…"


def completed_payload(
    review: Review, submission: Submission, assignment: Assignment
) -> dict[str, Any]:
    return {
        "id": str(review.id),
        "submission_id": str(submission.id),
        "submission_version": submission.version,
        "assignment_id": str(assignment.id),
        "assignment_title": assignment.title,
        "course_id": str(assignment.course_id),
        "subject": assignment.course.subject,
        "lesson_id": str(assignment.lesson_id) if assignment.lesson_id else None,
        "student_id": str(submission.student_id),
        "reviewer_id": str(review.reviewer_id),
        "mark": review.mark,
        "status": review.status,
        "comment_text": review.comment_text,
        "has_media_comment": review.comment_file_id is not None,
        "reviewed_at": iso(review.reviewed_at),
        "submitted_at": iso(submission.received_at),
        "work": {
            "text_excerpt": excerpt(submission.text),
            "file_names": [link.file.original_name for link in submission.files],
        },
    }


class ReviewService:
    def __init__(
        self, session: AsyncSession, access: Access, clock: Clock, store: FileStore | None = None
    ) -> None:
        self.session = session
        self.access = access
        self.clock = clock
        self.store = store
        self.reviews = ReviewRepository(session)
        self.submissions = SubmissionRepository(session)
        self.assignments = AssignmentRepository(session)

    @property
    def school_id(self) -> uuid.UUID:
        return self.access.school_id

    async def _assignment(self, submission: Submission) -> Assignment:
        assignment = await self.assignments.load(self.school_id, submission.assignment_id)
        if assignment is None:  # pragma: no cover - the foreign key holds
            raise submission_not_found()
        return assignment

    async def review(
        self,
        submission_id: uuid.UUID,
        *,
        status: str,
        mark: str | None,
        comment_text: str | None,
        media: UploadFile | None,
    ) -> ReviewRead:
        self.access.require_writer()
        submission = await self.submissions.load(self.school_id, submission_id)
        if submission is None:
            raise submission_not_found()
        assignment = await self._assignment(submission)
        await self.access.course_for_write(assignment.course_id)
        latest = await self.submissions.latest(
            assignment.id, submission.student_id, for_update=True
        )
        if latest is None or latest.id != submission.id:
            raise Conflict(
                "Есть более новая версия этой работы: проверяйте её",
                code="submission-superseded",
            )
        if await self.reviews.of_submission(submission.id) is not None:
            raise Conflict("Эта версия работы уже проверена", code="already-reviewed")
        stored: StoredFile | None = None
        if media is not None:
            assert self.store is not None
            stored = await self.store.save(
                self.session,
                media,
                school_id=self.school_id,
                uploaded_by=self.access.principal.user_id,
                purpose="review_comment",
            )
        review = Review(
            id=uuid.uuid4(),
            school_id=self.school_id,
            submission_id=submission.id,
            assignment_id=assignment.id,
            student_id=submission.student_id,
            reviewer_id=self.access.principal.user_id,
            mark=mark,
            status=status,
            comment_text=comment_text.strip() if comment_text and comment_text.strip() else None,
            comment_file_id=stored.id if stored is not None else None,
            comment_file=stored,
            reviewed_at=self.clock(),
            first_opened_at=None,
        )
        self.session.add(review)
        await self.session.flush()
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type=REVIEW_COMPLETED,
            aggregate_type="review",
            aggregate_id=review.id,
            payload=completed_payload(review, submission, assignment),
        )
        return await self.present(review, submission)

    async def get(self, submission_id: uuid.UUID) -> ReviewRead:
        """The review of a work; the student's first reading is recorded (Reg §1.6)."""
        submission = await readable_submission(self.access, self.submissions, submission_id)
        principal = self.access.principal
        by_student = principal.has("student") and principal.user_id == submission.student_id
        review = await self.reviews.of_submission(submission.id, for_update=by_student)
        if review is None:
            raise review_not_found()
        if by_student and review.first_opened_at is None:
            review.first_opened_at = self.clock()
            await self.session.flush()
        return await self.present(review, submission)

    async def media(self, submission_id: uuid.UUID) -> StoredFile:
        submission = await readable_submission(self.access, self.submissions, submission_id)
        review = await self.reviews.of_submission(submission.id)
        if review is None:
            raise review_not_found()
        if review.comment_file is None:
            raise NotFound("У рецензии нет аудио- или видеокомментария", code="file-not-found")
        return review.comment_file

    async def present(self, review: Review, submission: Submission) -> ReviewRead:
        reviewer = await self.access.directory.person(self.school_id, review.reviewer_id)
        media = review.comment_file
        return ReviewRead(
            id=review.id,
            submission_id=submission.id,
            submission_version=submission.version,
            assignment_id=review.assignment_id,
            student_id=review.student_id,
            reviewer_id=review.reviewer_id,
            reviewer_name=reviewer.full_name if reviewer is not None else None,
            mark=review.mark,
            status=review.status,  # type: ignore[arg-type]
            comment_text=review.comment_text,
            media=(
                FileRead(
                    id=media.id,
                    name=media.original_name,
                    content_type=media.content_type,
                    size=media.size,
                    sha256=media.sha256,
                )
                if media is not None
                else None
            ),
            reviewed_at=review.reviewed_at,
            first_opened_at=review.first_opened_at,
        )
