"""``/assignments``: giving, scheduling and publishing assignments (LE-5, Reg §1.4, §2.2)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Body, Query, Request, Response, status

from services.common.app import api_router
from services.common.db import SessionDep
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.learning.access import AccessDep
from services.learning.assignments.schemas import (
    AssignmentCreate,
    AssignmentPublish,
    AssignmentRead,
    AssignmentStatus,
    AssignmentUpdate,
)
from services.learning.assignments.service import AssignmentService
from services.learning.assignments.times import ClockDep
from services.learning.hygiene.service import HygieneDep

router = api_router(prefix="/api/v1/learning", tags=["assignments"])

_OPTOUTS = (
    " Задание с формой e_learning или distance, которое получат обучающиеся с "
    "зарегистрированным отказом от ЭО и ДОТ (§3.9), публикуется (и планируется) только с "
    "очной или бумажной альтернативой `alternative`; без неё — 422 "
    "`optout-alternative-required` со списком `students`, ничего не сохраняется; "
    "запланированное задание, к моменту публикации которого такой отказ зарегистрирован, "
    "ждёт альтернативы (LE-12)."
)
_HYGIENE = (
    " Задание с ожидаемой работой на ЭСО перед публикацией (или планированием) проверяется "
    "сервисом compliance по нормам дня обучающегося в день срока сдачи (п. 2.5 Регламента): "
    "при нарушении и политике школы block — 422 `hygiene-norms-violated` со списком "
    "нарушений, при warn — публикуется с предупреждениями в `compliance`; если проверка "
    "недоступна — 503 `compliance-unavailable` или публикация с отметкой `not_checked` "
    "(по настройке школы)."
)


@router.post(
    "/assignments",
    response_model=AssignmentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Выдать задание",
    description=(
        "Задание к курсу или уроку (педагог курса или администратор): всему классу "
        "(`target.kind=class`), группе обучающихся курса (`group`) или отдельным "
        "обучающимся (`students`). Срок `due_at` и время публикации `publish_at` — "
        "со смещением или как местное время школы; срок должен быть позже публикации. "
        "Без `publish_at` задание публикуется сразу, с будущим — по расписанию; "
        "`draft: true` сохраняет черновик. При публикации обучающимся и их родителям "
        "уходит копия по электронной почте (Рег. §2.2), если она включена в настройках школы."
        + _HYGIENE
        + _OPTOUTS
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 503),
)
async def create_assignment(
    body: AssignmentCreate,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    hygiene: HygieneDep,
) -> AssignmentRead:
    return await AssignmentService(session, access, clock, hygiene).create(body)


@router.get(
    "/assignments",
    response_model=Page[AssignmentRead],
    summary="Задания",
    description=(
        "Педагогу — задания своих курсов (или курса `course_id`) со счётчиками сданных и "
        "проверенных работ; администрации — все задания школы; обучающемуся — "
        "опубликованные задания, выданные ему, с состоянием его работы; родителю — "
        "задания детей (`student_id` — одного ребёнка). Сначала задания с самым поздним "
        "сроком. Фильтры: `course_id`, `lesson_id`, `student_id`, `status`, `due_from`, "
        "`due_to` (даты по времени школы)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_assignments(
    request: Request,
    response: Response,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    page: PageDep,
    course_id: Annotated[uuid.UUID | None, Query(description="Только этого курса")] = None,
    lesson_id: Annotated[uuid.UUID | None, Query(description="Только к этому уроку")] = None,
    student_id: Annotated[
        uuid.UUID | None, Query(description="Опубликованные задания этого обучающегося")
    ] = None,
    status_: Annotated[
        AssignmentStatus | None, Query(alias="status", description="draft, scheduled, published")
    ] = None,
    due_from: Annotated[date | None, Query(description="Срок не раньше этой даты")] = None,
    due_to: Annotated[date | None, Query(description="Срок не позже этой даты")] = None,
) -> Page[AssignmentRead]:
    items, cursor = await AssignmentService(session, access, clock).page(
        page,
        course_id=course_id,
        lesson_id=lesson_id,
        student_id=student_id,
        status=status_,
        due_from=due_from,
        due_to=due_to,
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/assignments/{assignment_id}",
    response_model=AssignmentRead,
    summary="Задание",
    description=(
        "Обучающемуся и родителю — только опубликованное задание, выданное ему (ребёнку); "
        "с `student_id` (или для обучающегося) — с состоянием работы."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_assignment(
    assignment_id: uuid.UUID,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    student_id: Annotated[uuid.UUID | None, Query(description="Работа этого обучающегося")] = None,
) -> AssignmentRead:
    return await AssignmentService(session, access, clock).get(assignment_id, student_id)


@router.patch(
    "/assignments/{assignment_id}",
    response_model=AssignmentRead,
    summary="Изменить неопубликованное задание",
    description=(
        "Черновик или запланированное задание (педагог курса или администратор). "
        "Опубликованное задание не меняется — 409. У запланированного задания при изменении "
        "ожидаемой работы с ЭСО или срока нормы проверяются заново." + _HYGIENE + _OPTOUTS
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 503),
)
async def update_assignment(
    assignment_id: uuid.UUID,
    body: AssignmentUpdate,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    hygiene: HygieneDep,
) -> AssignmentRead:
    return await AssignmentService(session, access, clock, hygiene).update(assignment_id, body)


@router.post(
    "/assignments/{assignment_id}/publish",
    response_model=AssignmentRead,
    summary="Опубликовать или запланировать задание",
    description=(
        "Без тела или с `publish_at` в прошлом — публикация сейчас; с будущим `publish_at` — "
        "публикация по расписанию. Повторная публикация — 409." + _HYGIENE + _OPTOUTS
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 503),
)
async def publish_assignment(
    assignment_id: uuid.UUID,
    access: AccessDep,
    session: SessionDep,
    clock: ClockDep,
    hygiene: HygieneDep,
    body: Annotated[AssignmentPublish | None, Body()] = None,
) -> AssignmentRead:
    return await AssignmentService(session, access, clock, hygiene).publish(assignment_id, body)


@router.delete(
    "/assignments/{assignment_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить неопубликованное задание",
    description="Черновик или запланированное задание; опубликованное удалить нельзя — 409.",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def delete_assignment(
    assignment_id: uuid.UUID, access: AccessDep, session: SessionDep, clock: ClockDep
) -> Response:
    await AssignmentService(session, access, clock).delete(assignment_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
