"""Results of a quiz for its teachers (LE-8): per student (best and last attempt) and
per question (share of right answers, how the answers are spread). Each report costs a
constant number of queries whatever the number of students and attempts.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import NotFound
from services.learning.access import Access
from services.learning.models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from services.learning.quizzes.auth import QUIZ_NOT_FOUND, QuizAccess
from services.learning.quizzes.finishing import Grader
from services.learning.quizzes.grading import distribution_key
from services.learning.quizzes.repository import (
    AttemptRepository,
    QuestionRepository,
    QuizRepository,
)
from services.learning.quizzes.schemas import (
    AttemptBrief,
    DistributionEntry,
    QuestionStats,
    QuizQuestionStats,
    QuizResults,
    StudentResult,
)

TOP_ANSWERS = 20


def _brief(attempt: QuizAttempt) -> AttemptBrief:
    return AttemptBrief(
        id=attempt.id,
        attempt_no=attempt.attempt_no,
        status=attempt.status,  # type: ignore[arg-type]
        score=attempt.score,
        percent=attempt.percent,
        mark=attempt.mark,
        finished_at=attempt.finished_at,
    )


def _best(attempts: list[QuizAttempt]) -> QuizAttempt | None:
    graded = [a for a in attempts if a.status == "graded"]
    if not graded:
        return None
    # the highest score; of equal ones the earliest
    return min(graded, key=lambda a: (-(a.score or 0), a.attempt_no))


def _last(attempts: list[QuizAttempt]) -> QuizAttempt | None:
    finished = [a for a in attempts if a.status != "in_progress"]
    return max(finished, key=lambda a: a.attempt_no) if finished else None


class ResultsService:
    def __init__(self, session: AsyncSession, access: Access, now: datetime) -> None:
        self.session = session
        self.access = access
        self.rules = QuizAccess(access)
        self.school_id = access.school_id
        self.now = now
        self.quizzes = QuizRepository(session)
        self.questions = QuestionRepository(session)
        self.attempts = AttemptRepository(session)

    async def _load(self, quiz_id: uuid.UUID) -> tuple[Quiz, dict[uuid.UUID, QuizQuestion]]:
        quiz = await self.quizzes.get(quiz_id, school_id=self.school_id)
        if quiz is None:
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        await self.rules.reviewable(quiz)
        questions = await self.questions.by_ids(
            self.school_id, [item.question_id for item in quiz.items]
        )
        return quiz, questions

    async def _attempts(self, quiz: Quiz) -> list[QuizAttempt]:
        attempts = await self.attempts.of_quiz(self.school_id, quiz.id)
        await Grader(self.session).finish_expired(attempts, self.now, {quiz.id: quiz})
        return attempts

    async def by_student(self, quiz_id: uuid.UUID) -> QuizResults:
        quiz, questions = await self._load(quiz_id)
        course = await self.rules.course_of(quiz)
        attempts = await self._attempts(quiz)
        by_student: dict[uuid.UUID, list[QuizAttempt]] = {}
        for attempt in attempts:
            by_student.setdefault(attempt.student_id, []).append(attempt)
        # Everyone who takes the course, and whoever attempted it and has left since.
        student_ids = await self.access.course_students(course) | set(by_student)
        people = await self.access.directory.people(self.school_id, student_ids)
        rows: list[StudentResult] = []
        for student_id in student_ids:
            person = people.get(student_id)
            own = by_student.get(student_id, [])
            best, last = _best(own), _last(own)
            rows.append(
                StudentResult(
                    student_id=student_id,
                    last_name=person.last_name if person else "",
                    first_name=person.first_name if person else "",
                    middle_name=person.middle_name if person else None,
                    attempts=len(own),
                    in_progress=any(a.status == "in_progress" for a in own),
                    best=_brief(best) if best else None,
                    last=_brief(last) if last else None,
                )
            )
        rows.sort(key=lambda r: (r.last_name, r.first_name, str(r.student_id)))
        return QuizResults(
            quiz_id=quiz.id,
            title=quiz.title,
            max_score=sum(
                questions[i.question_id].points for i in quiz.items if i.question_id in questions
            ),
            students=rows,
        )

    async def by_question(self, quiz_id: uuid.UUID) -> QuizQuestionStats:
        quiz, questions = await self._load(quiz_id)
        attempts = await self._attempts(quiz)
        finished = sum(1 for a in attempts if a.status != "in_progress")
        answers = await self.attempts.finished_answers_of_quiz(self.school_id, quiz.id)
        by_question: dict[uuid.UUID, list[QuizAnswer]] = {}
        for answer in answers:
            by_question.setdefault(answer.question_id, []).append(answer)
        stats = [
            _question_stats(item.position, questions[item.question_id], by_question, finished)
            for item in quiz.items
            if item.question_id in questions
        ]
        return QuizQuestionStats(quiz_id=quiz.id, attempts=finished, questions=stats)


def _question_stats(
    position: int,
    question: QuizQuestion,
    by_question: dict[uuid.UUID, list[QuizAnswer]],
    finished: int,
) -> QuestionStats:
    answers = by_question.get(question.id, [])
    answered = [
        a
        for a in answers
        if distribution_key(question, a.response or {})
        or (question.kind == "free_text" and str((a.response or {}).get("text") or "").strip())
    ]
    correct = sum(1 for a in answers if a.is_correct)
    points = sum(a.points_awarded or 0 for a in answers)
    return QuestionStats(
        question_id=question.id,
        position=position,
        kind=question.kind,  # type: ignore[arg-type]
        text=question.text,
        points=question.points,
        topic=question.topic,
        attempts=finished,
        answered=len(answered),
        correct=correct,
        percent_correct=round(correct * 100 / finished, 1) if finished else None,
        average_points=round(points / finished, 2) if finished else None,
        pending_grading=sum(
            1 for a in answered if question.kind == "free_text" and a.points_awarded is None
        ),
        distribution=_distribution(question, answers),
    )


def _distribution(question: QuizQuestion, answers: list[QuizAnswer]) -> list[DistributionEntry]:
    if question.kind == "free_text":
        return []
    counts: Counter[str] = Counter()
    for answer in answers:
        counts.update(distribution_key(question, answer.response or {}))
    if question.kind in ("single_choice", "multiple_choice"):
        correct = set(question.correct_option_ids or [])
        return [
            DistributionEntry(
                value=o["id"], text=o["text"], count=counts[o["id"]], correct=o["id"] in correct
            )
            for o in question.options or []
        ]
    right: set[str] = set()
    for answer in answers:
        if answer.is_correct:
            right.update(distribution_key(question, answer.response or {}))
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_ANSWERS]
    return [
        DistributionEntry(value=value, text=None, count=count, correct=value in right)
        for value, count in top
    ]
