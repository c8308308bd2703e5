"""``/quizzes/…/attempts``, ``/quizzes/attempts/…``, results and identifications (LE-8).

These paths are registered before ``/quizzes/{quiz_id}`` (see ``services/learning/api.py``)
so that ``/quizzes/attempts`` and ``/quizzes/identifications`` are never read as a quiz id.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, Query, Request, Response, status

from services.common.app import api_router
from services.common.auth import Principal, require_roles
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.learning.access import AccessDep
from services.learning.quizzes.attempts import AttemptService
from services.learning.quizzes.clock import ClockDep
from services.learning.quizzes.identification import record_identification
from services.learning.quizzes.results import ResultsService
from services.learning.quizzes.schemas import (
    AnswerRead,
    AnswerSave,
    AttemptGrades,
    AttemptRead,
    AttemptSummary,
    IdentificationCreate,
    IdentificationRead,
    QuizQuestionStats,
    QuizResults,
)

router = api_router(prefix="/api/v1/learning", tags=["quizzes"])

# -- attempts ---------------------------------------------------------------------------


@router.get(
    "/quizzes/attempts",
    response_model=Page[AttemptSummary],
    summary="Попытки прохождения тестов",
    description=(
        "Обучающийся видит свои попытки, родитель — попытки своих детей, педагог — попытки "
        "по своим курсам, администрация и персонал — все. Фильтры: тест, курс, обучающийся. "
        "Баллы и отметка обучающемуся и родителю показываются после проверки."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_quiz_attempts(
    request: Request,
    response: Response,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    page: PageDep,
    quiz_id: Annotated[uuid.UUID | None, Query(description="Только этого теста")] = None,
    course_id: Annotated[uuid.UUID | None, Query(description="Только тестов курса")] = None,
    student_id: Annotated[uuid.UUID | None, Query(description="Только этого обучающегося")] = None,
) -> Page[AttemptSummary]:
    items, cursor = await AttemptService(session, access, clock()).list_attempts(
        page, quiz_id=quiz_id, course_id=course_id, student_id=student_id
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/quizzes/attempts/{attempt_id}",
    response_model=AttemptRead,
    summary="Попытка с вопросами и ответами",
    description=(
        "Вопросы в порядке этой попытки и сохранённые ответы. Верные ответы и проверка по "
        "вопросам видны педагогу курса и администрации всегда, обучающемуся и родителю — "
        "только после разрешения учителя. Попытка, время которой истекло, при чтении "
        "завершается с сохранёнными ответами."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_quiz_attempt(
    attempt_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> AttemptRead:
    return await AttemptService(session, access, clock()).get(attempt_id)


@router.put(
    "/quizzes/attempts/{attempt_id}/answers/{question_id}",
    response_model=AnswerRead,
    summary="Сохранить ответ на вопрос",
    description=(
        "Только сам обучающийся и только до истечения времени на сервере: позже — 422 "
        "`time-limit-exceeded`, и запрос ничего не меняет; попытка завершается с ответами, "
        "сохранёнными вовремя (при следующем чтении или фоновой задачей). Повторное "
        "сохранение заменяет ответ."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def save_quiz_answer(
    attempt_id: uuid.UUID,
    question_id: uuid.UUID,
    body: AnswerSave,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
) -> AnswerRead:
    return await AttemptService(session, access, clock()).save_answer(attempt_id, question_id, body)


@router.post(
    "/quizzes/attempts/{attempt_id}/submit",
    response_model=AttemptRead,
    summary="Завершить попытку",
    description=(
        "Попытка проверяется автоматически; развёрнутые ответы ждут проверки учителем. "
        "После истечения времени — 422 `time-limit-exceeded`, и запрос ничего не меняет; "
        "попытка завершается с ответами, сохранёнными вовремя (при следующем чтении или "
        "фоновой задачей)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def submit_quiz_attempt(
    attempt_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> AttemptRead:
    return await AttemptService(session, access, clock()).submit(attempt_id)


@router.post(
    "/quizzes/attempts/{attempt_id}/grades",
    response_model=AttemptRead,
    summary="Оценить развёрнутые ответы",
    description=(
        "Учитель ставит баллы (и комментарий) за развёрнутые ответы завершённой попытки. "
        "Когда проверено всё, попытка получает итог и отметку. Доступно педагогам курса и "
        "администратору."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def grade_quiz_attempt(
    attempt_id: uuid.UUID,
    body: AttemptGrades,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
) -> AttemptRead:
    return await AttemptService(session, access, clock()).grade(attempt_id, body)


# -- identifications (attestation mode) --------------------------------------------------


@router.post(
    "/quizzes/identifications",
    response_model=IdentificationRead,
    status_code=status.HTTP_201_CREATED,
    summary="Записать идентификацию обучающегося (сервис платформы)",
    description=(
        "Сервис compliance записывает, что обучающийся идентифицирован для аттестационного "
        "мероприятия; после этого он может начать попытку теста в режиме аттестации. "
        "Только для сервисов платформы (токен client_credentials)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def record_quiz_identification(
    body: IdentificationCreate,
    _service: Annotated[Principal, Depends(require_roles("service"))],
    session: SessionDep,
    clock: ClockDep,
) -> IdentificationRead:
    return await record_identification(session, body, clock())


# -- per quiz ---------------------------------------------------------------------------


@router.post(
    "/quizzes/{quiz_id}/attempts",
    response_model=AttemptRead,
    status_code=status.HTTP_201_CREATED,
    summary="Начать попытку",
    description=(
        "Для обучающегося курса: сервер фиксирует начало и крайний срок (начало плюс "
        "ограничение времени, но не позже закрытия теста) и выдаёт вопросы без ответов в "
        "порядке этой попытки. Превышение числа попыток — 422 `attempts-exhausted`; "
        "незавершённая попытка — 409; в режиме аттестации без идентификации — 403 "
        "`identification-required`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def start_quiz_attempt(
    quiz_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> AttemptRead:
    return await AttemptService(session, access, clock()).start(quiz_id)


@router.get(
    "/quizzes/{quiz_id}/results",
    response_model=QuizResults,
    summary="Результаты теста по обучающимся",
    description=(
        "Каждый обучающийся курса: число попыток, лучшая и последняя попытки. Доступно "
        "педагогам курса, администрации и персоналу."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_quiz_results(
    quiz_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> QuizResults:
    return await ResultsService(session, access, clock()).by_student(quiz_id)


@router.get(
    "/quizzes/{quiz_id}/question-stats",
    response_model=QuizQuestionStats,
    summary="Результаты теста по вопросам",
    description=(
        "По каждому вопросу: доля верных ответов среди завершённых попыток, средний балл, "
        "распределение ответов. Доступно педагогам курса, администрации и персоналу."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_quiz_question_stats(
    quiz_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> QuizQuestionStats:
    return await ResultsService(session, access, clock()).by_question(quiz_id)
