"""All SQL of online tests (LE-8), every query scoped by the caller's school (X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, exists, or_, select
from sqlalchemy.orm import selectinload

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.models import (
    Lesson,
    Quiz,
    QuizAnswer,
    QuizAttempt,
    QuizIdentification,
    QuizItem,
    QuizQuestion,
)


class QuestionRepository(Repository[QuizQuestion]):
    model = QuizQuestion

    async def page_of_course(
        self, school_id: uuid.UUID, course_id: uuid.UUID, topic: str | None, params: PageParams
    ) -> tuple[list[QuizQuestion], dict[str, Any] | None]:
        stmt = self._scoped(school_id).where(QuizQuestion.course_id == course_id)
        if topic is not None:
            stmt = stmt.where(QuizQuestion.topic == topic)
        return await self.page(stmt, params)

    async def by_ids(
        self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, QuizQuestion]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = await self.all(self._scoped(school_id).where(QuizQuestion.id.in_(wanted)))
        return {q.id: q for q in rows}

    async def is_in_any_quiz(self, question_id: uuid.UUID) -> bool:
        stmt = select(exists().where(QuizItem.question_id == question_id))
        return bool((await self.session.execute(stmt)).scalar())

    async def has_attempts(self, question_id: uuid.UUID) -> bool:
        """Whether a quiz holding the question has been attempted (its key is then fixed)."""
        stmt = select(
            exists().where(
                QuizItem.question_id == question_id, QuizAttempt.quiz_id == QuizItem.quiz_id
            )
        )
        return bool((await self.session.execute(stmt)).scalar())

    async def delete(self, question: QuizQuestion) -> None:
        await self.session.delete(question)
        await self.session.flush()


class QuizRepository(Repository[Quiz]):
    model = Quiz

    def _select(self) -> Select[Any]:
        return select(Quiz).options(selectinload(Quiz.items))

    async def page_visible(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        course_id: uuid.UUID | None,
        all_quizzes: bool,
        own_course_ids: Collection[uuid.UUID],
        published_course_ids: Collection[uuid.UUID] | None,
    ) -> tuple[list[Quiz], dict[str, Any] | None]:
        """Quizzes the caller may list: every quiz (``all_quizzes``), else those of
        ``own_course_ids`` and the published ones of ``published_course_ids`` (None:
        of any course)."""
        stmt = self._scoped(school_id)
        if course_id is not None:
            stmt = stmt.where(Quiz.course_id == course_id)
        if not all_quizzes:
            published = [Quiz.published.is_(True)]
            if published_course_ids is not None:
                published.append(Quiz.course_id.in_(list(published_course_ids)))
            stmt = stmt.where(or_(Quiz.course_id.in_(list(own_course_ids)), and_(*published)))
        return await self.page(stmt, params)

    async def by_ids(self, school_id: uuid.UUID, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, Quiz]:
        wanted = set(ids)
        if not wanted:
            return {}
        rows = await self.all(self._scoped(school_id).where(Quiz.id.in_(wanted)))
        return {q.id: q for q in rows}

    async def lesson(self, school_id: uuid.UUID, lesson_id: uuid.UUID) -> Lesson | None:
        lesson = await self.session.get(Lesson, lesson_id)
        return lesson if lesson is not None and lesson.school_id == school_id else None

    async def has_attempts(self, quiz_id: uuid.UUID) -> bool:
        stmt = select(exists().where(QuizAttempt.quiz_id == quiz_id))
        return bool((await self.session.execute(stmt)).scalar())

    async def replace_items(self, quiz: Quiz, question_ids: list[uuid.UUID]) -> None:
        # Old rows go first: positions are unique per quiz.
        quiz.items.clear()
        await self.session.flush()
        quiz.items.extend(
            QuizItem(question_id=qid, school_id=quiz.school_id, position=i)
            for i, qid in enumerate(question_ids, start=1)
        )
        await self.session.flush()


class AttemptRepository(Repository[QuizAttempt]):
    model = QuizAttempt

    async def get_for_update(
        self, school_id: uuid.UUID, attempt_id: uuid.UUID
    ) -> QuizAttempt | None:
        stmt = (
            self._scoped(school_id)
            .where(QuizAttempt.id == attempt_id)
            .with_for_update(of=QuizAttempt)
        )
        result: QuizAttempt | None = await self.first(stmt)
        return result

    async def lock_in_progress(
        self, school_id: uuid.UUID, ids: Collection[uuid.UUID]
    ) -> list[QuizAttempt]:
        """The attempts among ``ids`` still in progress, locked and refreshed."""
        stmt = (
            self._scoped(school_id)
            .where(QuizAttempt.id.in_(list(ids)), QuizAttempt.status == "in_progress")
            .with_for_update(of=QuizAttempt)
            .execution_options(populate_existing=True)
        )
        return list(await self.all(stmt))

    async def of_student(
        self, school_id: uuid.UUID, quiz_id: uuid.UUID, student_id: uuid.UUID
    ) -> list[QuizAttempt]:
        stmt = (
            self._scoped(school_id)
            .where(QuizAttempt.quiz_id == quiz_id, QuizAttempt.student_id == student_id)
            .order_by(QuizAttempt.attempt_no)
            .with_for_update(of=QuizAttempt)
        )
        return list(await self.all(stmt))

    async def of_quiz(self, school_id: uuid.UUID, quiz_id: uuid.UUID) -> list[QuizAttempt]:
        stmt = (
            self._scoped(school_id)
            .where(QuizAttempt.quiz_id == quiz_id)
            .order_by(QuizAttempt.student_id, QuizAttempt.attempt_no)
        )
        return list(await self.all(stmt))

    async def expired(self, now: datetime, limit: int) -> list[QuizAttempt]:
        """In-progress attempts past their deadline, in every school (for a sweeper)."""
        stmt = (
            select(QuizAttempt)
            .where(QuizAttempt.status == "in_progress", QuizAttempt.deadline < now)
            .order_by(QuizAttempt.deadline)
            .limit(limit)
            .with_for_update(of=QuizAttempt, skip_locked=True)
        )
        return list(await self.all(stmt))

    async def page_filtered(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        quiz_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        student_ids: Collection[uuid.UUID] | None,
        course_ids: Collection[uuid.UUID] | None,
    ) -> tuple[list[QuizAttempt], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if quiz_id is not None:
            stmt = stmt.where(QuizAttempt.quiz_id == quiz_id)
        if student_ids is not None:
            stmt = stmt.where(QuizAttempt.student_id.in_(list(student_ids)))
        if course_id is not None or course_ids is not None:
            quizzes = select(Quiz.id).where(Quiz.school_id == school_id)
            if course_id is not None:
                quizzes = quizzes.where(Quiz.course_id == course_id)
            if course_ids is not None:
                quizzes = quizzes.where(Quiz.course_id.in_(list(course_ids)))
            stmt = stmt.where(QuizAttempt.quiz_id.in_(quizzes))
        return await self.page(stmt, params)

    async def answers_of(
        self, school_id: uuid.UUID, attempt_ids: Iterable[uuid.UUID]
    ) -> dict[uuid.UUID, list[QuizAnswer]]:
        wanted = set(attempt_ids)
        result: dict[uuid.UUID, list[QuizAnswer]] = {a: [] for a in wanted}
        if not wanted:
            return result
        rows = await self.session.execute(
            select(QuizAnswer).where(
                QuizAnswer.school_id == school_id, QuizAnswer.attempt_id.in_(wanted)
            )
        )
        for answer in rows.scalars():
            result[answer.attempt_id].append(answer)
        return result

    async def finished_answers_of_quiz(
        self, school_id: uuid.UUID, quiz_id: uuid.UUID
    ) -> list[QuizAnswer]:
        """Every answer of the quiz's finished attempts (one query)."""
        finished = select(QuizAttempt.id).where(
            QuizAttempt.school_id == school_id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.status != "in_progress",
        )
        rows = await self.session.execute(
            select(QuizAnswer).where(
                QuizAnswer.school_id == school_id, QuizAnswer.attempt_id.in_(finished)
            )
        )
        return list(rows.scalars())


class IdentificationRepository(Repository[QuizIdentification]):
    model = QuizIdentification

    async def exists_for(
        self, school_id: uuid.UUID, student_id: uuid.UUID, attestation_event_id: uuid.UUID
    ) -> bool:
        stmt = select(
            exists().where(
                QuizIdentification.school_id == school_id,
                QuizIdentification.attestation_event_id == attestation_event_id,
                QuizIdentification.student_id == student_id,
            )
        )
        return bool((await self.session.execute(stmt)).scalar())
