"""The question bank of a course (LE-8): written and read by the course's teachers and
the school's admins.

Once a quiz holding a question has been attempted, the question's content and answer
key are fixed (409): changing them would change what past attempts were graded
against. A question in any quiz can't be deleted (409).
"""

from __future__ import annotations

import secrets
import uuid
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict, NotFound
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.models import QuizQuestion
from services.learning.quizzes.auth import QuizAccess
from services.learning.quizzes.repository import QuestionRepository
from services.learning.quizzes.schemas import QuestionCreate, QuestionRead, QuestionWrite
from services.learning.quizzes.views import question_read

QUESTION_NOT_FOUND = "Вопрос не найден"


def _option_id() -> str:
    # Random, so that ids say nothing about the author's order of options.
    return secrets.token_hex(4)


def apply_content(question: QuizQuestion, body: QuestionWrite) -> None:
    question.kind = body.kind
    question.text = body.text
    question.points = body.points
    question.topic = body.topic
    question.explanation = body.explanation
    options: list[dict[str, Any]] = []
    correct: list[str] = []
    for option in body.options or []:
        oid = _option_id()
        while any(o["id"] == oid for o in options):  # pragma: no cover - 1 in 4e9
            oid = _option_id()
        options.append({"id": oid, "text": option.text})
        if option.correct:
            correct.append(oid)
    question.options = options
    question.correct_option_ids = correct
    question.accepted_answers = list(body.accepted_answers or [])
    if body.kind == "numeric":
        assert body.numeric_value is not None  # checked by the schema
        question.numeric_value = format(body.numeric_value.normalize(), "f")
        tolerance = body.numeric_tolerance if body.numeric_tolerance is not None else Decimal(0)
        question.numeric_tolerance = format(tolerance.normalize(), "f")
    else:
        question.numeric_value = None
        question.numeric_tolerance = None


class BankService:
    def __init__(self, session: AsyncSession, access: Access) -> None:
        self.session = session
        self.rules = QuizAccess(access)
        self.school_id = access.school_id
        self.user_id = access.principal.user_id
        self.questions = QuestionRepository(session)

    async def _question(self, question_id: uuid.UUID) -> QuizQuestion:
        question = await self.questions.get(question_id, school_id=self.school_id)
        if question is None:
            raise NotFound(QUESTION_NOT_FOUND, code="question-not-found")
        await self.rules.bank_course(question.course_id)
        return question

    async def create(self, body: QuestionCreate) -> QuestionRead:
        course = await self.rules.bank_course(body.course_id)
        question = QuizQuestion(
            id=uuid.uuid4(), school_id=self.school_id, course_id=course.id, created_by=self.user_id
        )
        apply_content(question, body)
        await self.questions.add(question)
        return question_read(question)

    async def list_questions(
        self, course_id: uuid.UUID, topic: str | None, params: PageParams
    ) -> tuple[list[QuestionRead], dict[str, Any] | None]:
        course = await self.rules.bank_course(course_id)
        rows, cursor = await self.questions.page_of_course(self.school_id, course.id, topic, params)
        return [question_read(q) for q in rows], cursor

    async def get(self, question_id: uuid.UUID) -> QuestionRead:
        return question_read(await self._question(question_id))

    async def replace(self, question_id: uuid.UUID, body: QuestionWrite) -> QuestionRead:
        question = await self._question(question_id)
        if await self.questions.has_attempts(question.id):
            raise Conflict(
                "Вопрос входит в тест, который уже проходили: изменить его нельзя; "
                "создайте новый вопрос",
                code="question-in-use",
            )
        apply_content(question, body)
        await self.session.flush()
        return question_read(question)

    async def delete(self, question_id: uuid.UUID) -> None:
        question = await self._question(question_id)
        if await self.questions.is_in_any_quiz(question.id):
            raise Conflict(
                "Вопрос входит в тест: сначала уберите его из теста", code="question-in-use"
            )
        await self.questions.delete(question)
