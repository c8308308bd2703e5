"""Attempts of a quiz (LE-8): timed on the server, graded automatically, free-text
answers graded by the teacher.

* Starting records ``started_at`` and the deadline (start + time limit, capped by the
  quiz's closing time) and fixes this attempt's order of questions and options, so a
  reload shows the same order.
* An answer or a submit after the deadline is refused (422 ``time-limit-exceeded``) and
  writes nothing; what was saved before the deadline counts. An attempt past its
  deadline is finished — graded with what was saved — by the next read that meets it or
  by the periodic finisher (see :mod:`services.learning.quizzes.finishing` and
  :mod:`services.learning.quizzes.sweeper`).
* Free-text answers are graded by the course's teacher; the attempt is then graded.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from services.learning.quizzes.auth import ATTEMPT_NOT_FOUND, QUIZ_NOT_FOUND, QuizAccess
from services.learning.quizzes.finishing import Grader, is_expired
from services.learning.quizzes.grading import parse_number
from services.learning.quizzes.identification import check_identification
from services.learning.quizzes.repository import (
    AttemptRepository,
    QuestionRepository,
    QuizRepository,
)
from services.learning.quizzes.schemas import (
    AnswerRead,
    AnswerSave,
    AttemptGrades,
    AttemptRead,
    AttemptSummary,
)
from services.learning.quizzes.views import (
    answer_read,
    attempt_read,
    attempt_summary,
    pending_count,
)

_shuffler = random.SystemRandom()


class TimeLimitExceeded(BusinessRuleError):
    """The attempt's time is over. The refused request writes nothing (its transaction is
    rolled back): the attempt is finished with what was saved in time by the next read
    or by the periodic finisher (:mod:`services.learning.quizzes.sweeper`)."""

    code = "time-limit-exceeded"
    title = "Время на попытку истекло"


class AttemptService:
    def __init__(self, session: AsyncSession, access: Access, now: datetime) -> None:
        self.session = session
        self.access = access
        self.rules = QuizAccess(access)
        self.school_id = access.school_id
        self.now = now
        self.quizzes = QuizRepository(session)
        self.questions = QuestionRepository(session)
        self.attempts = AttemptRepository(session)
        self.grader = Grader(session)

    # -- loading ---------------------------------------------------------------------

    async def _quiz(self, quiz_id: uuid.UUID) -> Quiz:
        quiz = await self.quizzes.get(quiz_id, school_id=self.school_id)
        if quiz is None:
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        return quiz

    async def _attempt(self, attempt_id: uuid.UUID) -> QuizAttempt:
        attempt = await self.attempts.get_for_update(self.school_id, attempt_id)
        if attempt is None:
            raise NotFound(ATTEMPT_NOT_FOUND, code="attempt-not-found")
        return attempt

    async def _context(
        self, attempt: QuizAttempt
    ) -> tuple[Quiz, dict[uuid.UUID, QuizQuestion], list[QuizAnswer]]:
        quiz = await self._quiz(attempt.quiz_id)
        questions = await self.questions.by_ids(
            self.school_id, [uuid.UUID(q) for q in attempt.question_order]
        )
        answers = (await self.attempts.answers_of(self.school_id, [attempt.id]))[attempt.id]
        return quiz, questions, answers

    async def _finish_if_expired(
        self,
        attempt: QuizAttempt,
        quiz: Quiz,
        questions: dict[uuid.UUID, QuizQuestion],
        answers: list[QuizAnswer],
    ) -> bool:
        if not is_expired(attempt, self.now):
            return False
        assert attempt.deadline is not None
        await self.grader.finish(
            attempt, quiz, questions, answers, reason="time_expired", at=attempt.deadline
        )
        return True

    def _read(
        self,
        attempt: QuizAttempt,
        quiz: Quiz,
        questions: dict[uuid.UUID, QuizQuestion],
        answers: list[QuizAnswer],
        *,
        reviewer: bool,
    ) -> AttemptRead:
        return attempt_read(attempt, quiz, questions, answers, reviewer=reviewer, now=self.now)

    # -- the student's side ----------------------------------------------------------

    async def start(self, quiz_id: uuid.UUID) -> AttemptRead:
        quiz = await self._quiz(quiz_id)
        await self.rules.takes(quiz)
        student_id = self.access.principal.user_id
        if quiz.opens_at is not None and self.now < quiz.opens_at:
            raise BusinessRuleError("Тест ещё не открыт", code="quiz-not-open")
        if quiz.closes_at is not None and self.now >= quiz.closes_at:
            raise BusinessRuleError("Тест уже закрыт", code="quiz-closed")
        if not quiz.items:
            raise BusinessRuleError("В тесте нет вопросов", code="quiz-empty")
        previous = await self.attempts.of_student(self.school_id, quiz.id, student_id)
        await self.grader.finish_expired(previous, self.now, {quiz.id: quiz})
        if any(a.status == "in_progress" for a in previous):
            raise Conflict(
                "Предыдущая попытка ещё не завершена: продолжите её", code="attempt-in-progress"
            )
        if len(previous) >= quiz.max_attempts:
            raise BusinessRuleError(
                f"Использованы все попытки ({quiz.max_attempts})", code="attempts-exhausted"
            )
        if quiz.attestation_mode:
            await check_identification(
                self.session,
                school_id=self.school_id,
                student_id=student_id,
                attestation_event_id=quiz.attestation_event_id,
            )
        questions = await self.questions.by_ids(
            self.school_id, [item.question_id for item in quiz.items]
        )
        order = [item.question_id for item in quiz.items if item.question_id in questions]
        if quiz.shuffle_questions:
            _shuffler.shuffle(order)
        option_order: dict[str, list[str]] = {}
        for qid in order:
            options = [o["id"] for o in questions[qid].options or []]
            if options:
                if quiz.shuffle_options:
                    _shuffler.shuffle(options)
                option_order[str(qid)] = options
        deadline = None
        if quiz.time_limit_minutes is not None:
            deadline = self.now + timedelta(minutes=quiz.time_limit_minutes)
        if quiz.closes_at is not None and (deadline is None or quiz.closes_at < deadline):
            deadline = quiz.closes_at
        attempt = QuizAttempt(
            id=uuid.uuid4(),
            school_id=self.school_id,
            quiz_id=quiz.id,
            student_id=student_id,
            attempt_no=max((a.attempt_no for a in previous), default=0) + 1,
            status="in_progress",
            started_at=self.now,
            deadline=deadline,
            question_order=[str(q) for q in order],
            option_order=option_order,
            max_score=sum(questions[q].points for q in order),
        )
        self.session.add(attempt)
        try:
            await self.session.flush()
        except IntegrityError:
            # Another request of the same student started one at the same moment; the
            # request's transaction is rolled back as a whole.
            raise Conflict("Попытка уже начата в другом окне", code="attempt-in-progress") from None
        return self._read(attempt, quiz, questions, [], reviewer=False)

    async def _own_open_attempt(
        self, attempt_id: uuid.UUID
    ) -> tuple[QuizAttempt, Quiz, dict[uuid.UUID, QuizQuestion], list[QuizAnswer]]:
        """The caller's attempt, still open; past its deadline it is finished here and
        :class:`TimeLimitExceeded` is raised."""
        attempt = await self._attempt(attempt_id)
        quiz, questions, answers = await self._context(attempt)
        await self.rules.attempt_reader(attempt, await self.rules.course_of(quiz))
        self.rules.require_owner(attempt)
        if await self._finish_if_expired(attempt, quiz, questions, answers):
            raise TimeLimitExceeded(
                "Время на попытку истекло; засчитаны ответы, сохранённые до окончания времени"
            )
        if attempt.status != "in_progress":
            if attempt.finish_reason == "time_expired":
                raise TimeLimitExceeded("Время на попытку истекло")
            raise Conflict("Попытка уже завершена", code="attempt-finished")
        return attempt, quiz, questions, answers

    async def save_answer(
        self, attempt_id: uuid.UUID, question_id: uuid.UUID, body: AnswerSave
    ) -> AnswerRead:
        attempt, _quiz, questions, answers = await self._own_open_attempt(attempt_id)
        question = questions.get(question_id)
        if question is None or str(question_id) not in attempt.question_order:
            raise NotFound("Вопроса нет в этой попытке", code="question-not-found")
        response = self._response(question, body)
        answer = next((a for a in answers if a.question_id == question_id), None)
        if answer is None:
            answer = QuizAnswer(
                id=uuid.uuid4(),
                school_id=self.school_id,
                attempt_id=attempt.id,
                question_id=question_id,
                response=response,
                saved_at=self.now,
            )
            self.session.add(answer)
            try:
                await self.session.flush()
            except IntegrityError:
                raise Conflict(
                    "Ответ на этот вопрос сохраняется в другом запросе; повторите",
                    code="answer-conflict",
                ) from None
        else:
            answer.response = response
            answer.saved_at = self.now
            await self.session.flush()
        return answer_read(answer)

    @staticmethod
    def _response(question: QuizQuestion, body: AnswerSave) -> dict[str, Any]:
        kind = question.kind
        if kind in ("single_choice", "multiple_choice"):
            if body.option_ids is None:
                raise BusinessRuleError(
                    "Для вопроса с выбором передайте option_ids", code="answer-kind-mismatch"
                )
            known = {o["id"] for o in question.options or []}
            chosen = list(dict.fromkeys(body.option_ids))
            unknown = [o for o in chosen if o not in known]
            if unknown:
                raise BusinessRuleError(
                    "Нет таких вариантов ответа: " + ", ".join(unknown), code="unknown-option"
                )
            if kind == "single_choice" and len(chosen) > 1:
                raise BusinessRuleError(
                    "В этом вопросе можно выбрать только один вариант", code="single-choice-only"
                )
            return {"option_ids": chosen}
        if body.text is None:
            raise BusinessRuleError(
                "Для этого вопроса передайте ответ в поле text", code="answer-kind-mismatch"
            )
        if kind == "numeric" and body.text.strip() and parse_number(body.text) is None:
            raise BusinessRuleError(
                "Ответ должен быть числом, например 3,14 или -2.5", code="invalid-number"
            )
        return {"text": body.text}

    async def submit(self, attempt_id: uuid.UUID) -> AttemptRead:
        attempt, quiz, questions, answers = await self._own_open_attempt(attempt_id)
        await self.grader.finish(attempt, quiz, questions, answers, reason="submitted", at=self.now)
        return self._read(attempt, quiz, questions, answers, reviewer=False)

    # -- reading ---------------------------------------------------------------------

    async def get(self, attempt_id: uuid.UUID) -> AttemptRead:
        attempt = await self._attempt(attempt_id)
        quiz, questions, answers = await self._context(attempt)
        reviewer = await self.rules.attempt_reader(attempt, await self.rules.course_of(quiz))
        await self._finish_if_expired(attempt, quiz, questions, answers)
        return self._read(attempt, quiz, questions, answers, reviewer=reviewer)

    async def list_attempts(
        self,
        params: PageParams,
        *,
        quiz_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        student_id: uuid.UUID | None,
    ) -> tuple[list[AttemptSummary], dict[str, Any] | None]:
        p = self.access.principal
        reviewer_all = p.has("admin", "staff")
        course_ids: set[uuid.UUID] | None = None
        student_ids: set[uuid.UUID] | None = None
        if quiz_id is not None:
            quiz = await self._quiz(quiz_id)
            course = await self.rules.course_of(quiz)
            if self.rules.is_reviewer(course):
                reviewer_all = True
            else:
                await self.rules.readable(quiz)
        if student_id is not None:
            await self.access.student(student_id)
            student_ids = {student_id}
        if not reviewer_all:
            if p.has("teacher"):
                course_ids = await self.access.teacher_course_ids(p.user_id)
            else:
                visible = await self.access.visible_students() or set()
                student_ids = visible if student_ids is None else student_ids & visible
        rows, cursor = await self.attempts.page_filtered(
            self.school_id,
            params,
            quiz_id=quiz_id,
            course_id=course_id,
            student_ids=student_ids,
            course_ids=course_ids,
        )
        quizzes = await self.quizzes.by_ids(self.school_id, {a.quiz_id for a in rows})
        await self.grader.finish_expired(rows, self.now, quizzes)
        answers = await self.attempts.answers_of(self.school_id, [a.id for a in rows])
        questions = await self.questions.by_ids(
            self.school_id, {uuid.UUID(q) for a in rows for q in a.question_order}
        )
        reviewer = reviewer_all or p.has("teacher")
        items = [
            attempt_summary(
                a,
                quizzes[a.quiz_id],
                reviewer=reviewer,
                pending=pending_count(answers[a.id], questions),
            )
            for a in rows
        ]
        return items, cursor

    # -- the teacher's side ----------------------------------------------------------

    async def grade(self, attempt_id: uuid.UUID, body: AttemptGrades) -> AttemptRead:
        attempt = await self._attempt(attempt_id)
        quiz, questions, answers = await self._context(attempt)
        # another child's attempt is "not found" before it is "forbidden"
        await self.rules.attempt_reader(attempt, await self.rules.course_of(quiz))
        await self.rules.writable(quiz)
        await self._finish_if_expired(attempt, quiz, questions, answers)
        if attempt.status == "in_progress":
            raise BusinessRuleError(
                "Попытка ещё не завершена: оценивать можно после отправки",
                code="attempt-not-finished",
            )
        by_question = {a.question_id: a for a in answers}
        for grade in body.grades:
            question = questions.get(grade.question_id)
            if question is None:
                raise BusinessRuleError(
                    f"Вопроса {grade.question_id} нет в этой попытке",
                    code="question-not-in-attempt",
                )
            if question.kind != "free_text":
                raise BusinessRuleError(
                    "Вручную оцениваются только развёрнутые ответы", code="not-manually-graded"
                )
            answer = by_question.get(grade.question_id)
            if answer is None or not str((answer.response or {}).get("text") or "").strip():
                raise BusinessRuleError(
                    "На этот вопрос нет ответа: оценивать нечего", code="no-answer"
                )
            if grade.points > question.points:
                raise BusinessRuleError(
                    f"За этот вопрос можно дать не больше {question.points} баллов",
                    code="points-exceed-maximum",
                )
            answer.points_awarded = grade.points
            answer.is_correct = grade.points == question.points
            answer.comment = grade.comment
            answer.graded_by = self.access.principal.user_id
            answer.graded_at = self.now
        await self.grader.settle(attempt, quiz, questions, answers, at=self.now)
        return self._read(attempt, quiz, questions, answers, reviewer=True)
