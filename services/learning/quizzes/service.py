"""Quizzes of a course (LE-8): made of the course's bank questions, published to the
students who take the course, answers released when the teacher allows.

Once a quiz has been attempted its questions and mark thresholds are fixed (409):
every attempt is graded against the same questions and scale. Other settings (time
limit, attempts, window, shuffling) apply to the attempts started afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.models import Quiz, QuizQuestion
from services.learning.quizzes.auth import QUIZ_NOT_FOUND, QuizAccess
from services.learning.quizzes.repository import QuestionRepository, QuizRepository
from services.learning.quizzes.schemas import QuizCreate, QuizRead, QuizUpdate
from services.learning.quizzes.views import quiz_read


class QuizService:
    def __init__(self, session: AsyncSession, access: Access, now: datetime) -> None:
        self.session = session
        self.access = access
        self.rules = QuizAccess(access)
        self.school_id = access.school_id
        self.now = now
        self.quizzes = QuizRepository(session)
        self.questions = QuestionRepository(session)

    # -- helpers ---------------------------------------------------------------------

    async def quiz(self, quiz_id: uuid.UUID) -> Quiz:
        quiz = await self.quizzes.get(quiz_id, school_id=self.school_id)
        if quiz is None:
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        return quiz

    async def questions_of(self, quizzes: Iterable[Quiz]) -> dict[uuid.UUID, QuizQuestion]:
        ids = {item.question_id for quiz in quizzes for item in quiz.items}
        return await self.questions.by_ids(self.school_id, ids)

    async def _check_questions(self, course_id: uuid.UUID, ids: list[uuid.UUID]) -> None:
        found = await self.questions.by_ids(self.school_id, ids)
        unknown = [str(i) for i in ids if i not in found or found[i].course_id != course_id]
        if unknown:
            raise BusinessRuleError(
                "Вопросов нет в банке этого курса: " + ", ".join(unknown),
                code="unknown-question",
            )

    async def _check_lesson(self, course_id: uuid.UUID, lesson_id: uuid.UUID | None) -> None:
        if lesson_id is None:
            return
        lesson = await self.quizzes.lesson(self.school_id, lesson_id)
        if lesson is None or lesson.course_id != course_id:
            raise BusinessRuleError("Урок не найден в этом курсе", code="unknown-lesson")

    @staticmethod
    def _check_rules(quiz: Quiz) -> None:
        if quiz.opens_at and quiz.closes_at and quiz.closes_at <= quiz.opens_at:
            raise BusinessRuleError(
                "Время закрытия должно быть позже времени открытия", code="invalid-window"
            )
        if quiz.attestation_mode and quiz.attestation_event_id is None:
            raise BusinessRuleError(
                "В режиме аттестации укажите аттестационное мероприятие",
                code="attestation-event-required",
            )
        if quiz.published and not quiz.items:
            raise BusinessRuleError(
                "В опубликованном тесте нужен хотя бы один вопрос", code="quiz-empty"
            )

    async def _read(self, quiz: Quiz, *, with_items: bool) -> QuizRead:
        return quiz_read(quiz, await self.questions_of([quiz]), with_items=with_items)

    # -- operations ------------------------------------------------------------------

    async def create(self, body: QuizCreate) -> QuizRead:
        course = await self.rules.bank_course(body.course_id)
        await self._check_lesson(course.id, body.lesson_id)
        await self._check_questions(course.id, body.question_ids)
        quiz = Quiz(
            id=uuid.uuid4(),
            school_id=self.school_id,
            course_id=course.id,
            lesson_id=body.lesson_id,
            title=body.title,
            description=body.description,
            time_limit_minutes=body.time_limit_minutes,
            max_attempts=body.max_attempts,
            shuffle_questions=body.shuffle_questions,
            shuffle_options=body.shuffle_options,
            opens_at=body.opens_at,
            closes_at=body.closes_at,
            control_type=body.control_type,
            attestation_mode=body.attestation_mode,
            attestation_event_id=body.attestation_event_id,
            mark_thresholds=body.mark_thresholds.stored() if body.mark_thresholds else None,
            published=False,
            answers_released=False,
            created_by=self.access.principal.user_id,
            items=[],
        )
        await self.quizzes.add(quiz)
        await self.quizzes.replace_items(quiz, body.question_ids)
        return await self._read(quiz, with_items=True)

    async def list_quizzes(
        self, course_id: uuid.UUID | None, params: PageParams
    ) -> tuple[list[QuizRead], dict[str, Any] | None]:
        p = self.access.principal
        own: set[uuid.UUID] = set()
        published_in: set[uuid.UUID] | None = None
        all_quizzes = p.has("admin", "staff")
        if not all_quizzes:
            if p.has("teacher"):
                own = await self.access.teacher_course_ids(p.user_id)
            else:
                visible = await self.access.visible_students() or set()
                courses = await self.access.courses_of_students(visible)
                published_in = {c.id for cs in courses.values() for c in cs}
        rows, cursor = await self.quizzes.page_visible(
            self.school_id,
            params,
            course_id=course_id,
            all_quizzes=all_quizzes,
            own_course_ids=own,
            published_course_ids=published_in,
        )
        questions = await self.questions_of(rows)
        reviewer = p.has("admin", "staff")
        items = [quiz_read(q, questions, with_items=reviewer or q.course_id in own) for q in rows]
        return items, cursor

    async def get(self, quiz_id: uuid.UUID) -> QuizRead:
        quiz = await self.quiz(quiz_id)
        course = await self.rules.readable(quiz)
        return await self._read(quiz, with_items=self.rules.is_reviewer(course))

    async def update(self, quiz_id: uuid.UUID, body: QuizUpdate) -> QuizRead:
        quiz = await self.quiz(quiz_id)
        course = await self.rules.writable(quiz)
        given = body.model_fields_set
        attempted = await self.quizzes.has_attempts(quiz.id)
        if "question_ids" in given and body.question_ids is not None:
            current = [item.question_id for item in quiz.items]
            if body.question_ids != current:
                if attempted:
                    raise Conflict(
                        "Тест уже проходили: состав вопросов изменить нельзя",
                        code="quiz-has-attempts",
                    )
                await self._check_questions(course.id, body.question_ids)
                await self.quizzes.replace_items(quiz, body.question_ids)
        if "mark_thresholds" in given:
            stored = body.mark_thresholds.stored() if body.mark_thresholds else None
            if stored != quiz.mark_thresholds:
                if attempted:
                    raise Conflict(
                        "Тест уже проходили: пороги отметок изменить нельзя",
                        code="quiz-has-attempts",
                    )
                quiz.mark_thresholds = stored
        if "lesson_id" in given:
            await self._check_lesson(course.id, body.lesson_id)
            quiz.lesson_id = body.lesson_id
        for name in (
            "title",
            "description",
            "time_limit_minutes",
            "max_attempts",
            "shuffle_questions",
            "shuffle_options",
            "opens_at",
            "closes_at",
            "control_type",
            "attestation_mode",
            "attestation_event_id",
        ):
            if name in given:
                setattr(quiz, name, getattr(body, name))
        self._check_rules(quiz)
        await self.session.flush()
        return await self._read(quiz, with_items=True)

    async def publish(self, quiz_id: uuid.UUID) -> QuizRead:
        quiz = await self.quiz(quiz_id)
        await self.rules.writable(quiz)
        if not quiz.published:
            quiz.published = True
            quiz.published_at = self.now
            self._check_rules(quiz)
            await self.session.flush()
        return await self._read(quiz, with_items=True)

    async def set_answers_release(self, quiz_id: uuid.UUID, released: bool) -> QuizRead:
        quiz = await self.quiz(quiz_id)
        await self.rules.writable(quiz)
        if quiz.answers_released != released:
            quiz.answers_released = released
            quiz.answers_released_at = self.now if released else None
            await self.session.flush()
        return await self._read(quiz, with_items=True)
