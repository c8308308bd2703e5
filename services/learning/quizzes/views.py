"""Read models of online tests, built from ORM rows (no queries here).

What a student sees is decided here: an attempt's questions never carry the answer key
or per-question correctness for a student or guardian until the teacher releases the
answers and the attempt is finished; the score is shown to them once it is final.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from services.learning.models import Quiz, QuizAnswer, QuizAttempt, QuizQuestion
from services.learning.quizzes.schemas import (
    AnswerRead,
    AttemptOptionRead,
    AttemptQuestionRead,
    AttemptRead,
    AttemptSummary,
    MarkThresholds,
    OptionRead,
    QuestionRead,
    QuizItemRead,
    QuizRead,
)


def _decimal(value: str | None) -> Decimal | None:
    return Decimal(value) if value is not None else None


def question_read(q: QuizQuestion) -> QuestionRead:
    correct = set(q.correct_option_ids or [])
    return QuestionRead(
        id=q.id,
        course_id=q.course_id,
        kind=q.kind,  # type: ignore[arg-type]
        text=q.text,
        points=q.points,
        topic=q.topic,
        options=[
            OptionRead(id=o["id"], text=o["text"], correct=o["id"] in correct)
            for o in q.options or []
        ],
        accepted_answers=list(q.accepted_answers or []),
        numeric_value=_decimal(q.numeric_value),
        numeric_tolerance=_decimal(q.numeric_tolerance),
        explanation=q.explanation,
        created_by=q.created_by,
        created_at=q.created_at,
        updated_at=q.updated_at,
    )


def quiz_read(
    quiz: Quiz, questions: dict[uuid.UUID, QuizQuestion], *, with_items: bool
) -> QuizRead:
    items = [
        QuizItemRead(
            question_id=item.question_id,
            position=item.position,
            kind=questions[item.question_id].kind,  # type: ignore[arg-type]
            points=questions[item.question_id].points,
        )
        for item in quiz.items
        if item.question_id in questions
    ]
    return QuizRead(
        id=quiz.id,
        course_id=quiz.course_id,
        lesson_id=quiz.lesson_id,
        title=quiz.title,
        description=quiz.description,
        time_limit_minutes=quiz.time_limit_minutes,
        max_attempts=quiz.max_attempts,
        shuffle_questions=quiz.shuffle_questions,
        shuffle_options=quiz.shuffle_options,
        opens_at=quiz.opens_at,
        closes_at=quiz.closes_at,
        control_type=quiz.control_type,  # type: ignore[arg-type]
        attestation_mode=quiz.attestation_mode,
        attestation_event_id=quiz.attestation_event_id,
        mark_thresholds=MarkThresholds.from_stored(quiz.mark_thresholds),
        published=quiz.published,
        published_at=quiz.published_at,
        answers_released=quiz.answers_released,
        question_count=len(items),
        max_score=sum(i.points for i in items),
        items=items if with_items else None,
        created_at=quiz.created_at,
        updated_at=quiz.updated_at,
    )


def pending_count(answers: list[QuizAnswer], questions: dict[uuid.UUID, QuizQuestion]) -> int:
    return sum(
        1
        for a in answers
        if a.points_awarded is None
        and a.question_id in questions
        and questions[a.question_id].kind == "free_text"
    )


def attempt_summary(
    attempt: QuizAttempt, quiz: Quiz, *, reviewer: bool, pending: int | None = None
) -> AttemptSummary:
    final = reviewer or attempt.status == "graded"
    return AttemptSummary(
        id=attempt.id,
        quiz_id=quiz.id,
        quiz_title=quiz.title,
        course_id=quiz.course_id,
        student_id=attempt.student_id,
        attempt_no=attempt.attempt_no,
        status=attempt.status,  # type: ignore[arg-type]
        started_at=attempt.started_at,
        deadline=attempt.deadline,
        finished_at=attempt.finished_at,
        finish_reason=attempt.finish_reason,  # type: ignore[arg-type]
        score=attempt.score if final else None,
        max_score=attempt.max_score,
        percent=attempt.percent if final else None,
        mark=attempt.mark if final else None,
        graded_at=attempt.graded_at,
        pending_grading=pending if reviewer else None,
    )


def reveals_key(attempt: QuizAttempt, quiz: Quiz, *, reviewer: bool) -> bool:
    return reviewer or (quiz.answers_released and attempt.status != "in_progress")


def attempt_read(
    attempt: QuizAttempt,
    quiz: Quiz,
    questions: dict[uuid.UUID, QuizQuestion],
    answers: list[QuizAnswer],
    *,
    reviewer: bool,
    now: datetime,
) -> AttemptRead:
    reveal = reveals_key(attempt, quiz, reviewer=reviewer)
    by_question = {a.question_id: a for a in answers}
    out: list[AttemptQuestionRead] = []
    for position, raw_id in enumerate(attempt.question_order, start=1):
        question = questions.get(uuid.UUID(raw_id))
        if question is None:  # pragma: no cover - bank rows in use can't be deleted
            continue
        texts = {o["id"]: o["text"] for o in question.options or []}
        order = attempt.option_order.get(raw_id) or list(texts)
        answer = by_question.get(question.id)
        item = AttemptQuestionRead(
            question_id=question.id,
            position=position,
            kind=question.kind,  # type: ignore[arg-type]
            text=question.text,
            points=question.points,
            options=[AttemptOptionRead(id=o, text=texts[o]) for o in order if o in texts],
            answer=_answer_read(answer),
        )
        if reveal:
            item.correct_option_ids = list(question.correct_option_ids or []) or None
            item.accepted_answers = list(question.accepted_answers or []) or None
            item.numeric_value = _decimal(question.numeric_value)
            item.numeric_tolerance = _decimal(question.numeric_tolerance)
            item.explanation = question.explanation
            if attempt.status != "in_progress":
                item.is_correct = answer.is_correct if answer else False
                item.points_awarded = answer.points_awarded if answer else 0
                item.comment = answer.comment if answer else None
        out.append(item)
    summary = attempt_summary(
        attempt, quiz, reviewer=reviewer, pending=pending_count(answers, questions)
    )
    return AttemptRead(
        **summary.model_dump(), server_time=now, answers_revealed=reveal, questions=out
    )


def _answer_read(answer: QuizAnswer | None) -> AnswerRead | None:
    if answer is None:
        return None
    return answer_read(answer)


def answer_read(answer: QuizAnswer) -> AnswerRead:
    response = answer.response or {}
    option_ids = response.get("option_ids")
    text = response.get("text")
    return AnswerRead(
        question_id=answer.question_id,
        option_ids=list(option_ids) if isinstance(option_ids, list) else None,
        text=text if isinstance(text, str) else None,
        saved_at=answer.saved_at,
    )
