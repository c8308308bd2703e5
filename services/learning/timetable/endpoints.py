"""The timetable: weekly templates, lessons and timetable reads (LE-3)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.learning.access import AccessDep
from services.learning.hygiene.service import HygieneDep
from services.learning.timetable.reading import TimetableReader
from services.learning.timetable.schemas import (
    GenerateRequest,
    GenerateResult,
    LessonCancel,
    LessonCreate,
    LessonMove,
    LessonRead,
    LessonSubstitute,
    LessonUpdate,
    TemplateCreate,
    TemplateRead,
    TemplateUpdate,
    TimetableRead,
)
from services.learning.timetable.service import TimetableService

router = api_router(prefix="/api/v1/learning", tags=["timetable"])

_WRITERS = "Администратор или педагог курса."
_OPTOUTS = (
    " Урок с формой e_learning или distance для курса, где есть обучающиеся с "
    "зарегистрированным отказом от ЭО и ДОТ (§3.9), требует очной или бумажной альтернативы "
    "`alternative`; без неё — 422 `optout-alternative-required` со списком `students` "
    "(LE-12)."
)
_HYGIENE = (
    " Урок с работой на ЭСО перед публикацией проверяется сервисом compliance по нормам "
    "(п. 2.5 Регламента): при нарушении и политике школы block — 422 "
    "`hygiene-norms-violated` со списком нарушений, при warn — урок сохраняется с "
    "предупреждениями в `compliance`; если проверка недоступна — 503 "
    "`compliance-unavailable` или урок с отметкой `not_checked` (по настройке школы)."
)


# -- reads ---------------------------------------------------------------------------


@router.get(
    "/timetable",
    response_model=TimetableRead,
    summary="Расписание за период",
    description=(
        "Уроки с `from` по `to` включительно (даты по календарю школы, не больше "
        "`LEARNING_TIMETABLE_MAX_DAYS` дней, по умолчанию 92; иначе 400). Чьё расписание — "
        "один из параметров `student_id`, `class_group_id`, `teacher_id`, `course_id`. "
        "Без параметра: обучающийся получает своё, родитель — ребёнка (при нескольких детях "
        "нужен `student_id`), педагог — свои уроки (включая замены). Обучающийся и родитель "
        "видят только своё / своих детей (иначе 404), педагог — свои уроки и расписание "
        "любого класса, обучающегося или курса; администрация — всё в школе."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_timetable(
    request: Request,
    access: AccessDep,
    date_from: Annotated[date, Query(alias="from", description="Первый день, ГГГГ-ММ-ДД")],
    date_to: Annotated[date, Query(alias="to", description="Последний день, ГГГГ-ММ-ДД")],
    student_id: Annotated[uuid.UUID | None, Query(description="Расписание обучающегося")] = None,
    class_group_id: Annotated[uuid.UUID | None, Query(description="Расписание класса")] = None,
    teacher_id: Annotated[uuid.UUID | None, Query(description="Расписание педагога")] = None,
    course_id: Annotated[uuid.UUID | None, Query(description="Уроки одного курса")] = None,
    include_cancelled: Annotated[
        bool, Query(description="Показывать отменённые уроки (по умолчанию да)")
    ] = True,
) -> TimetableRead:
    return await TimetableReader(access).timetable(
        date_from,
        date_to,
        max_days=int(request.app.state.settings.timetable_max_days),
        student_id=student_id,
        class_group_id=class_group_id,
        teacher_id=teacher_id,
        course_id=course_id,
        include_cancelled=include_cancelled,
    )


@router.get(
    "/lessons/{lesson_id}",
    response_model=LessonRead,
    summary="Урок",
    description="Урок курса, который вызывающий может видеть; иначе 404.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_lesson(lesson_id: uuid.UUID, access: AccessDep) -> LessonRead:
    return await TimetableService(access).get_lesson(lesson_id)


# -- lessons -------------------------------------------------------------------------


@router.post(
    "/courses/{course_id}/lessons",
    response_model=LessonRead,
    status_code=status.HTTP_201_CREATED,
    summary="Добавить урок в расписание",
    description=(
        "Дата и время — местные для школы; дата в учебном году курса (иначе 422 "
        "`lesson-outside-academic-year`), тема — из плана курса (иначе 422 "
        "`topic-not-in-plan`), отрезки работы с ЭСО вместе не длиннее урока (422), ссылка "
        "на видеокомнату — https. Второй урок курса в то же время — 409. "
        f"{_WRITERS} Событие `lesson.scheduled`.{_HYGIENE}{_OPTOUTS}"
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 503),
)
async def create_lesson(
    course_id: uuid.UUID, body: LessonCreate, access: AccessDep, hygiene: HygieneDep
) -> LessonRead:
    return await TimetableService(access, hygiene).create_lesson(course_id, body)


@router.patch(
    "/lessons/{lesson_id}",
    response_model=LessonRead,
    summary="Изменить урок",
    description=(
        "Тема, домашнее задание, формы проведения и сопровождения, ЭСО, кабинет, ссылка на "
        "видеокомнату, номер урока. Администратор, педагог курса или педагог на замене. "
        "Отменённый урок не меняется (409). Событие `lesson.changed`, версия урока растёт. "
        "При изменении ЭСО, формы проведения или номера урока — новая проверка норм."
        + _HYGIENE
        + _OPTOUTS
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 503),
)
async def update_lesson(
    lesson_id: uuid.UUID, body: LessonUpdate, access: AccessDep, hygiene: HygieneDep
) -> LessonRead:
    return await TimetableService(access, hygiene).update_lesson(lesson_id, body)


@router.post(
    "/lessons/{lesson_id}/move",
    response_model=LessonRead,
    summary="Перенести урок",
    description=(
        "Новые дата и время (в учебном году курса); исходные дата и время сохраняются в "
        f"`moved_from_date` / `moved_from_starts_at`. {_WRITERS} Событие `lesson.changed`."
        + _HYGIENE
        + _OPTOUTS
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 503),
)
async def move_lesson(
    lesson_id: uuid.UUID, body: LessonMove, access: AccessDep, hygiene: HygieneDep
) -> LessonRead:
    return await TimetableService(access, hygiene).move_lesson(lesson_id, body)


@router.post(
    "/lessons/{lesson_id}/substitute",
    response_model=LessonRead,
    summary="Назначить замену на урок",
    description=(
        "Урок проведёт другой педагог школы (`null` — отменить замену). "
        f"{_WRITERS} Событие `lesson.changed`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def substitute_lesson(
    lesson_id: uuid.UUID, body: LessonSubstitute, access: AccessDep
) -> LessonRead:
    return await TimetableService(access).substitute_lesson(lesson_id, body)


@router.post(
    "/lessons/{lesson_id}/cancel",
    response_model=LessonRead,
    summary="Отменить урок",
    description=(
        "Урок остаётся в расписании со статусом `cancelled` и причиной. "
        f"{_WRITERS} Событие `lesson.cancelled`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def cancel_lesson(lesson_id: uuid.UUID, body: LessonCancel, access: AccessDep) -> LessonRead:
    return await TimetableService(access).cancel_lesson(lesson_id, body)


# -- weekly templates ----------------------------------------------------------------


@router.get(
    "/courses/{course_id}/timetable/templates",
    response_model=list[TemplateRead],
    summary="Недельные шаблоны расписания курса",
    description="Слоты курса по дням недели. Доступно всем, кто видит курс.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_timetable_templates(course_id: uuid.UUID, access: AccessDep) -> list[TemplateRead]:
    return await TimetableService(access).list_templates(course_id)


@router.post(
    "/courses/{course_id}/timetable/templates",
    response_model=TemplateRead,
    status_code=status.HTTP_201_CREATED,
    summary="Добавить недельный шаблон",
    description=(
        "День недели (1 — понедельник), время начала, продолжительность и формы урока. "
        f"Два шаблона курса на одно время — 409. {_WRITERS}{_OPTOUTS} Альтернатива шаблона "
        "переносится в создаваемые по нему уроки."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def create_timetable_template(
    course_id: uuid.UUID, body: TemplateCreate, access: AccessDep
) -> TemplateRead:
    return await TimetableService(access).create_template(course_id, body)


@router.patch(
    "/courses/{course_id}/timetable/templates/{template_id}",
    response_model=TemplateRead,
    summary="Изменить недельный шаблон",
    description=f"Уже созданные уроки не меняются. {_WRITERS}{_OPTOUTS}",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_timetable_template(
    course_id: uuid.UUID, template_id: uuid.UUID, body: TemplateUpdate, access: AccessDep
) -> TemplateRead:
    return await TimetableService(access).update_template(course_id, template_id, body)


@router.delete(
    "/courses/{course_id}/timetable/templates/{template_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить недельный шаблон",
    description=f"Уже созданные уроки остаются. {_WRITERS}",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def delete_timetable_template(
    course_id: uuid.UUID, template_id: uuid.UUID, access: AccessDep
) -> Response:
    await TimetableService(access).delete_template(course_id, template_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/courses/{course_id}/timetable/generate",
    response_model=GenerateResult,
    summary="Создать уроки по недельным шаблонам",
    description=(
        "По уроку на каждый слот шаблона в каждую неделю периода `from`–`to` (период "
        "обрезается по учебному году курса). Слоты, для которых урок уже есть (в том числе "
        "перенесённый или отменённый), и занятое время пропускаются — повторный вызов ничего "
        f"не удваивает. {_WRITERS} Событие `lesson.scheduled` на каждый урок. Нормы ЭСО "
        "проверяются по одному разу на шаблон; при блокирующем нарушении не создаётся "
        "ни один урок." + _HYGIENE + _OPTOUTS
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 503),
)
async def generate_course_lessons(
    course_id: uuid.UUID, body: GenerateRequest, access: AccessDep, hygiene: HygieneDep
) -> GenerateResult:
    return await TimetableService(access, hygiene).generate(course_id, body)
