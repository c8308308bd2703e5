"""``/courses``: courses of the school (LE-1)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.learning.access import AccessDep
from services.learning.courses.schemas import CourseCreate, CourseRead, CourseUpdate
from services.learning.courses.service import CourseService

router = api_router(prefix="/api/v1/learning", tags=["courses"])


@router.get(
    "/courses",
    response_model=Page[CourseRead],
    summary="Курсы",
    description=(
        "Администрация, персонал и педагоги видят все курсы школы; обучающийся — свои "
        "(курс подгруппы — только если он в неё включён), родитель — курсы своих детей. "
        "Фильтры: `class_group_id`, `teacher_id`, `academic_year_id`, `student_id` (курсы "
        "одного обучающегося, которого вызывающий может видеть), `archived` (по умолчанию "
        "только действующие курсы)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_courses(
    request: Request,
    response: Response,
    access: AccessDep,
    page: PageDep,
    class_group_id: Annotated[uuid.UUID | None, Query(description="Только курсы класса")] = None,
    teacher_id: Annotated[uuid.UUID | None, Query(description="Только курсы педагога")] = None,
    academic_year_id: Annotated[uuid.UUID | None, Query(description="Учебный год")] = None,
    student_id: Annotated[
        uuid.UUID | None, Query(description="Только курсы этого обучающегося")
    ] = None,
    archived: Annotated[
        bool, Query(description="true — только архивные, false — только действующие")
    ] = False,
) -> Page[CourseRead]:
    items, cursor = await CourseService(access).list_courses(
        page,
        class_group_id=class_group_id,
        teacher_id=teacher_id,
        academic_year_id=academic_year_id,
        student_id=student_id,
        archived=archived,
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/courses",
    response_model=CourseRead,
    status_code=status.HTTP_201_CREATED,
    summary="Создать курс",
    description=(
        "Предмет для класса (или подгруппы класса) с педагогами. Учебный год — год класса, "
        "уровень образования — по параллели (1–4 НОО, 5–9 ООО, 10–11 СОО). Создаёт "
        "администратор или педагог, указавший себя среди педагогов курса. Класс и педагоги "
        "проверяются по справочнику школы (422), обучающиеся подгруппы должны состоять в "
        "классе (422); второй курс того же предмета для того же класса и подгруппы — 409. "
        "Событие `course.created`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 409),
)
async def create_course(body: CourseCreate, access: AccessDep) -> CourseRead:
    return await CourseService(access).create(body)


@router.get(
    "/courses/{course_id}",
    response_model=CourseRead,
    summary="Курс",
    description="Курс, который вызывающий может видеть; иначе 404.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_course(course_id: uuid.UUID, access: AccessDep) -> CourseRead:
    return await CourseService(access).get(course_id)


@router.patch(
    "/courses/{course_id}",
    response_model=CourseRead,
    summary="Изменить курс",
    description=(
        "Меняются только переданные поля; класс курса не меняется. `subgroup: null` делает "
        "курс курсом всего класса. Изменяет администратор или педагог курса (педагог не "
        "может исключить себя). Курс в архиве не меняется (409). Событие `course.updated`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_course(course_id: uuid.UUID, body: CourseUpdate, access: AccessDep) -> CourseRead:
    return await CourseService(access).update(course_id, body)


@router.post(
    "/courses/{course_id}/archive",
    response_model=CourseRead,
    summary="Отправить курс в архив",
    description=(
        "Курс в архиве только читается: его план и расписание не меняются. Повторный вызов "
        "ничего не меняет. Администратор или педагог курса. Событие `course.updated`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def archive_course(course_id: uuid.UUID, access: AccessDep) -> CourseRead:
    return await CourseService(access).set_archived(course_id, True)


@router.post(
    "/courses/{course_id}/restore",
    response_model=CourseRead,
    summary="Вернуть курс из архива",
    description="Администратор или педагог курса. Событие `course.updated`.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def restore_course(course_id: uuid.UUID, access: AccessDep) -> CourseRead:
    return await CourseService(access).set_archived(course_id, False)
