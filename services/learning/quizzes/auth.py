"""Who may do what with online tests (LE-8, X-7).

* the question bank of a course: its teachers and the school's admins, read and write
  (anyone else of the school 403);
* a quiz: written by the course's teachers and admins; read by the school's admins,
  staff and teachers (another teacher's drafts excepted), by the students who take the
  course and by their guardians once it is published (else 404);
* results, per student and per question, and everyone's attempts with the answer key:
  the course's teachers, admins and staff ("reviewers"); other teachers 403;
* an attempt: started, answered and submitted by the student only; read by the
  student, their guardians and the reviewers; another child's attempt is 404;
* free-text answers are graded by the course's teachers and admins;
* identifications are recorded by platform services only (service token).
"""

from __future__ import annotations

import uuid

from services.common.errors import Forbidden, NotFound
from services.learning.access import Access
from services.learning.models import Course, Quiz, QuizAttempt

QUIZ_NOT_FOUND = "Тест не найден"
ATTEMPT_NOT_FOUND = "Попытка не найдена"


class QuizAccess:
    """The rules above over the learning-wide :class:`Access`."""

    def __init__(self, access: Access) -> None:
        self.access = access
        self.principal = access.principal
        self.school_id = access.school_id

    def is_writer(self, course: Course) -> bool:
        return self.access.is_admin or (self.access.is_teacher and self.access.teaches(course))

    def is_reviewer(self, course: Course) -> bool:
        return self.is_writer(course) or self.principal.has("staff")

    async def bank_course(self, course_id: uuid.UUID) -> Course:
        """A course whose question bank the caller may use (403 / 404)."""
        try:
            return await self.access.course_for_write(course_id)
        except Forbidden:
            raise Forbidden(
                "Банк вопросов курса доступен его педагогам и администратору",
                code="question-bank-forbidden",
            ) from None

    async def course_of(self, quiz: Quiz) -> Course:
        course = await self.access.session.get(Course, quiz.course_id)
        if course is None or course.school_id != self.school_id:  # pragma: no cover - FK
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        return course

    async def writable(self, quiz: Quiz) -> Course:
        course = await self.course_of(quiz)
        if not self.is_writer(course):
            raise Forbidden(
                "Изменять тест могут только педагоги курса и администратор",
                code="quiz-forbidden",
            )
        return course

    async def reviewable(self, quiz: Quiz) -> Course:
        course = await self.course_of(quiz)
        if not self.is_reviewer(course):
            raise Forbidden(
                "Результаты теста доступны педагогам курса и администрации",
                code="quiz-results-forbidden",
            )
        return course

    async def readable(self, quiz: Quiz) -> Course:
        """A quiz the caller may see (else 404): staff-level readers see every quiz but
        other teachers' drafts; students and guardians the published ones of the
        courses they (their children) take."""
        course = await self.course_of(quiz)
        if self.is_reviewer(course):
            return course
        if self.principal.has("teacher"):
            if quiz.published:
                return course
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        if not quiz.published:
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        visible = await self.access.visible_students()
        takers = await self.access.course_students(course)
        if visible is None or not (takers & visible):
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        return course

    async def takes(self, quiz: Quiz) -> Course:
        """A quiz the calling student may attempt (404 if they can't see it; 403 for a
        caller who is not a student)."""
        if not self.principal.has("student"):
            raise Forbidden("Проходить тест могут только обучающиеся", code="students-only")
        course = await self.course_of(quiz)
        if not quiz.published:
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        if self.principal.user_id not in await self.access.course_students(course):
            raise NotFound(QUIZ_NOT_FOUND, code="quiz-not-found")
        return course

    async def attempt_reader(self, attempt: QuizAttempt, course: Course) -> bool:
        """Whether the caller reads the attempt as a reviewer (True) or as the student or
        their guardian (False); 404 for another child's attempt, 403 for other staff."""
        if self.is_reviewer(course):
            return True
        visible = await self.access.visible_students()
        if visible is not None:
            if attempt.student_id in visible:
                return False
            raise NotFound(ATTEMPT_NOT_FOUND, code="attempt-not-found")
        raise Forbidden(
            "Попытки обучающихся видят педагоги курса и администрация",
            code="quiz-results-forbidden",
        )

    def require_owner(self, attempt: QuizAttempt) -> None:
        if attempt.student_id != self.principal.user_id:
            raise Forbidden(
                "Отвечать на вопросы попытки может только сам обучающийся",
                code="attempt-owner-only",
            )
