"""``/question-bank`` and ``/quizzes``: the question bank of a course and its tests (LE-8)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.common.types import SafeStr
from services.learning.access import AccessDep
from services.learning.quizzes.bank import BankService
from services.learning.quizzes.clock import ClockDep
from services.learning.quizzes.schemas import (
    AnswersRelease,
    QuestionCreate,
    QuestionRead,
    QuestionReplace,
    QuizCreate,
    QuizRead,
    QuizUpdate,
)
from services.learning.quizzes.service import QuizService

bank_router = api_router(prefix="/api/v1/learning", tags=["question-bank"])
router = api_router(prefix="/api/v1/learning", tags=["quizzes"])

_BANK_WHO = "Доступно педагогам курса и администратору."


# -- the question bank ------------------------------------------------------------------


@bank_router.post(
    "/question-bank",
    response_model=QuestionRead,
    status_code=status.HTTP_201_CREATED,
    summary="Добавить вопрос в банк курса",
    description=(
        "Виды вопросов: один верный вариант, несколько верных, краткий ответ (список "
        "допустимых ответов), число с допуском, развёрнутый ответ (проверяет учитель). " + _BANK_WHO
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def create_quiz_question(
    body: QuestionCreate, access: AccessDep, session: SessionDep
) -> QuestionRead:
    return await BankService(session, access).create(body)


@bank_router.get(
    "/question-bank",
    response_model=Page[QuestionRead],
    summary="Вопросы банка курса",
    description="Вопросы курса с ответами; фильтр по теме. " + _BANK_WHO,
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_quiz_questions(
    request: Request,
    response: Response,
    access: AccessDep,
    session: SessionDep,
    page: PageDep,
    course_id: Annotated[uuid.UUID, Query(description="Курс")],
    topic: Annotated[
        SafeStr | None, Query(min_length=1, max_length=200, description="Только эта тема")
    ] = None,
) -> Page[QuestionRead]:
    items, cursor = await BankService(session, access).list_questions(course_id, topic, page)
    return make_page(request, response, items, page, cursor)


@bank_router.get(
    "/question-bank/{question_id}",
    response_model=QuestionRead,
    summary="Вопрос банка",
    description="Вопрос с ответом. " + _BANK_WHO,
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_quiz_question(
    question_id: uuid.UUID, access: AccessDep, session: SessionDep
) -> QuestionRead:
    return await BankService(session, access).get(question_id)


@bank_router.put(
    "/question-bank/{question_id}",
    response_model=QuestionRead,
    summary="Изменить вопрос банка",
    description=(
        "Вопрос заменяется целиком. Вопрос теста, который уже проходили, изменить нельзя "
        "(409). " + _BANK_WHO
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def replace_quiz_question(
    question_id: uuid.UUID, body: QuestionReplace, access: AccessDep, session: SessionDep
) -> QuestionRead:
    return await BankService(session, access).replace(question_id, body)


@bank_router.delete(
    "/question-bank/{question_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Удалить вопрос из банка",
    description="Вопрос, входящий в тест, удалить нельзя (409). " + _BANK_WHO,
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def delete_quiz_question(
    question_id: uuid.UUID, access: AccessDep, session: SessionDep
) -> Response:
    await BankService(session, access).delete(question_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# -- quizzes ----------------------------------------------------------------------------


@router.post(
    "/quizzes",
    response_model=QuizRead,
    status_code=status.HTTP_201_CREATED,
    summary="Создать тест",
    description=(
        "Тест курса из вопросов его банка: ограничение времени, число попыток, "
        "перемешивание, окно доступности, вид контроля, режим аттестации. Создаётся "
        "неопубликованным. Доступно педагогам курса и администратору."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def create_quiz(
    body: QuizCreate, access: AccessDep, session: SessionDep, clock: ClockDep
) -> QuizRead:
    return await QuizService(session, access, clock()).create(body)


@router.get(
    "/quizzes",
    response_model=Page[QuizRead],
    summary="Тесты",
    description=(
        "Администрация и персонал видят все тесты школы, педагог — тесты своих курсов и "
        "опубликованные тесты остальных, обучающийся — опубликованные тесты своих курсов, "
        "родитель — курсов своих детей. Состав теста показывается педагогам курса и "
        "администрации."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_quizzes(
    request: Request,
    response: Response,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    page: PageDep,
    course_id: Annotated[uuid.UUID | None, Query(description="Только этого курса")] = None,
) -> Page[QuizRead]:
    items, cursor = await QuizService(session, access, clock()).list_quizzes(course_id, page)
    return make_page(request, response, items, page, cursor)


@router.get(
    "/quizzes/{quiz_id}",
    response_model=QuizRead,
    summary="Тест",
    description="Настройки теста; состав — педагогам курса, администрации и персоналу.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_quiz(
    quiz_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> QuizRead:
    return await QuizService(session, access, clock()).get(quiz_id)


@router.patch(
    "/quizzes/{quiz_id}",
    response_model=QuizRead,
    summary="Изменить тест",
    description=(
        "Меняются только переданные поля. Когда тест уже проходили, состав вопросов и "
        "пороги отметок не меняются (409); остальные настройки действуют для новых "
        "попыток. Доступно педагогам курса и администратору."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_quiz(
    quiz_id: uuid.UUID, body: QuizUpdate, access: AccessDep, session: SessionDep, clock: ClockDep
) -> QuizRead:
    return await QuizService(session, access, clock()).update(quiz_id, body)


@router.post(
    "/quizzes/{quiz_id}/publish",
    response_model=QuizRead,
    summary="Опубликовать тест",
    description=(
        "После публикации тест видят обучающиеся курса и их родители. Нужен хотя бы один "
        "вопрос. Доступно педагогам курса и администратору."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def publish_quiz(
    quiz_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> QuizRead:
    return await QuizService(session, access, clock()).publish(quiz_id)


@router.put(
    "/quizzes/{quiz_id}/answers-release",
    response_model=QuizRead,
    summary="Показать или скрыть верные ответы",
    description=(
        "Пока учитель не разрешил, обучающиеся и родители не видят верных ответов и "
        "проверки по вопросам; после разрешения — видят в завершённых попытках. "
        "Доступно педагогам курса и администратору."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def set_quiz_answers_release(
    quiz_id: uuid.UUID,
    body: AnswersRelease,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
) -> QuizRead:
    return await QuizService(session, access, clock()).set_answers_release(quiz_id, body.released)
