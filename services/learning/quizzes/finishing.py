"""Finishing and grading attempts (LE-8), and the ``test_attempt.graded`` event.

An attempt is finished by its student's submit or, past its deadline, by whichever
read or write meets it first (or by :func:`finish_expired_attempts`). It is graded
when every answer is: at once when no answered free-text question waits for the
teacher, else once the teacher has graded them; then its score, percent and mark are
final and ``test_attempt.graded`` is emitted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.outbox import emit
from services.learning.models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion, kernel
from services.learning.quizzes.grading import grade_response, mark_for, percent_of
from services.learning.quizzes.repository import (
    AttemptRepository,
    QuestionRepository,
    QuizRepository,
)
from services.learning.quizzes.views import pending_count

GRADED_EVENT = "test_attempt.graded"


def graded_payload(attempt: QuizAttempt, quiz: Quiz) -> dict[str, Any]:
    """The ``test_attempt.graded`` event: complete, so the journal never calls back."""
    assert attempt.graded_at is not None
    return {
        "id": str(attempt.id),
        "test_id": str(quiz.id),
        "test_title": quiz.title,
        "course_id": str(quiz.course_id),
        "lesson_id": str(quiz.lesson_id) if quiz.lesson_id else None,
        "student_id": str(attempt.student_id),
        "attempt_no": attempt.attempt_no,
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "mark": attempt.mark,
        "graded_at": attempt.graded_at.isoformat(),
        "control_type": quiz.control_type,
        "attestation_event_id": (
            str(quiz.attestation_event_id) if quiz.attestation_event_id else None
        ),
    }


def is_expired(attempt: QuizAttempt, now: datetime) -> bool:
    return (
        attempt.status == "in_progress" and attempt.deadline is not None and now > attempt.deadline
    )


class Grader:
    """Finishes and grades attempts, and emits the event once an attempt is graded."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def finish(
        self,
        attempt: QuizAttempt,
        quiz: Quiz,
        questions: dict[uuid.UUID, QuizQuestion],
        answers: Sequence[QuizAnswer],
        *,
        reason: str,
        at: datetime,
    ) -> None:
        """Close an in-progress attempt and grade every answer the server can grade."""
        for answer in answers:
            question = questions.get(answer.question_id)
            if question is None:  # pragma: no cover - answers only to the attempt's questions
                continue
            grade = grade_response(question, answer.response)
            answer.is_correct = grade.is_correct
            answer.points_awarded = grade.points
            if grade.points is not None:
                answer.graded_at = at
        attempt.status = "awaiting_grading"
        attempt.finished_at = at
        attempt.finish_reason = reason
        await self.settle(attempt, quiz, questions, answers, at=at)

    async def settle(
        self,
        attempt: QuizAttempt,
        quiz: Quiz,
        questions: dict[uuid.UUID, QuizQuestion],
        answers: Sequence[QuizAnswer],
        *,
        at: datetime,
    ) -> None:
        """Recount the score; when nothing waits for the teacher, the attempt is graded."""
        attempt.score = sum(a.points_awarded or 0 for a in answers)
        if pending_count(list(answers), questions):
            attempt.status = "awaiting_grading"
            attempt.percent = None
            attempt.mark = None
            attempt.graded_at = None
            await self.session.flush()
            return
        attempt.status = "graded"
        attempt.percent = percent_of(attempt.score, attempt.max_score)
        attempt.mark = mark_for(attempt.percent, quiz.mark_thresholds)
        attempt.graded_at = at
        await self.session.flush()
        await emit(
            self.session,
            kernel.outbox,
            school_id=attempt.school_id,
            type=GRADED_EVENT,
            aggregate_type="test_attempt",
            aggregate_id=attempt.id,
            payload=graded_payload(attempt, quiz),
        )

    async def finish_expired(
        self, attempts: Iterable[QuizAttempt], now: datetime, quizzes: dict[uuid.UUID, Quiz]
    ) -> None:
        """Finish every attempt past its deadline (a constant number of reads)."""
        expired = [a for a in attempts if is_expired(a, now)]
        if not expired:
            return
        by_school: dict[uuid.UUID, list[uuid.UUID]] = {}
        for attempt in expired:
            by_school.setdefault(attempt.school_id, []).append(attempt.id)
        repository = AttemptRepository(self.session)
        for school_id, ids in by_school.items():
            # Locked and read again: a concurrent request may have finished some already.
            rows = [
                a for a in await repository.lock_in_progress(school_id, ids) if is_expired(a, now)
            ]
            if not rows:
                continue
            missing = {a.quiz_id for a in rows} - set(quizzes)
            if missing:
                quizzes.update(await QuizRepository(self.session).by_ids(school_id, missing))
            question_ids = {uuid.UUID(q) for a in rows for q in a.question_order}
            questions = await QuestionRepository(self.session).by_ids(school_id, question_ids)
            answers = await repository.answers_of(school_id, [a.id for a in rows])
            for attempt in rows:
                assert attempt.deadline is not None
                await self.finish(
                    attempt,
                    quizzes[attempt.quiz_id],
                    questions,
                    answers[attempt.id],
                    reason="time_expired",
                    at=attempt.deadline,
                )


async def finish_expired_attempts(session: AsyncSession, now: datetime, limit: int = 500) -> int:
    """Finish attempts past their deadline in every school; returns how many. Meant for a
    periodic worker, so that a grade (and its event) never waits for someone to look."""
    attempts = await AttemptRepository(session).expired(now, limit)
    await Grader(session).finish_expired(attempts, now, {})
    return len(attempts)
