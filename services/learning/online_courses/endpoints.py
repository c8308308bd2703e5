"""``/online-courses`` and ``/online-course-enrolments`` (LE-10, §1.4)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Query, Request, Response, status

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.common.types import SafeStr
from services.learning.access import AccessDep
from services.learning.online_courses.schemas import (
    EnrolmentCreate,
    EnrolmentDetail,
    EnrolmentRead,
    EnrolmentStatus,
    Level,
    ModuleCreate,
    ModuleUpdate,
    OnlineCourseCreate,
    OnlineCourseDetail,
    OnlineCourseRead,
    OnlineCourseUpdate,
    ProgressCreate,
)
from services.learning.online_courses.service import OnlineCourseService

router = api_router(prefix="/api/v1/learning", tags=["online-courses"])


@router.get(
    "/online-courses",
    response_model=Page[OnlineCourseRead],
    summary="Каталог онлайн-курсов школы",
    description=(
        "Опубликованные онлайн-курсы видят все пользователи школы; черновик — его автор и "
        "администрация (и обучающийся, уже записанный на курс). Фильтры: `subject`, "
        "`level`, `published`, `author_id`."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_online_courses(
    request: Request,
    response: Response,
    access: AccessDep,
    page: PageDep,
    subject: Annotated[
        SafeStr | None, Query(min_length=1, max_length=200, description="Предмет (точно)")
    ] = None,
    level: Annotated[Level | None, Query(description="Уровень образования")] = None,
    published: Annotated[bool | None, Query(description="Опубликован или черновик")] = None,
    author_id: Annotated[uuid.UUID | None, Query(description="Автор")] = None,
) -> Page[OnlineCourseRead]:
    items, cursor = await OnlineCourseService(access).list_courses(
        page, subject=subject, level=level, published=published, author_id=author_id
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/online-courses",
    response_model=OnlineCourseDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Создать онлайн-курс",
    description=(
        "Педагог создаёт курс как автор; администратор указывает автора-педагога. Курс "
        "создаётся черновиком; опубликовать его можно, когда в модулях есть материалы "
        "или тесты."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def create_online_course(body: OnlineCourseCreate, access: AccessDep) -> OnlineCourseDetail:
    return await OnlineCourseService(access).create(body)


@router.get(
    "/online-courses/{online_course_id}",
    response_model=OnlineCourseDetail,
    summary="Онлайн-курс с модулями",
    description=(
        "Модули по порядку с материалами и тестами. Черновик видят автор и администрация "
        "(и обучающийся, уже записанный на курс, и его родитель)."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_online_course(online_course_id: uuid.UUID, access: AccessDep) -> OnlineCourseDetail:
    return await OnlineCourseService(access).get(online_course_id)


@router.patch(
    "/online-courses/{online_course_id}",
    response_model=OnlineCourseDetail,
    summary="Изменить или опубликовать онлайн-курс",
    description="Автор курса или администратор.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def update_online_course(
    online_course_id: uuid.UUID, body: OnlineCourseUpdate, access: AccessDep
) -> OnlineCourseDetail:
    return await OnlineCourseService(access).update(online_course_id, body)


@router.post(
    "/online-courses/{online_course_id}/modules",
    response_model=OnlineCourseDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Добавить модуль онлайн-курса",
    description=(
        "Автор курса или администратор. Модуль состоит из материалов и онлайн-тестов "
        "школы (по идентификаторам); `position` — место модуля в курсе."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def add_online_course_module(
    online_course_id: uuid.UUID, body: ModuleCreate, access: AccessDep
) -> OnlineCourseDetail:
    return await OnlineCourseService(access).add_module(online_course_id, body)


@router.patch(
    "/online-courses/{online_course_id}/modules/{module_id}",
    response_model=OnlineCourseDetail,
    summary="Изменить или переместить модуль онлайн-курса",
    description="Автор курса или администратор.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def update_online_course_module(
    online_course_id: uuid.UUID, module_id: uuid.UUID, body: ModuleUpdate, access: AccessDep
) -> OnlineCourseDetail:
    return await OnlineCourseService(access).update_module(online_course_id, module_id, body)


@router.delete(
    "/online-courses/{online_course_id}/modules/{module_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить модуль онлайн-курса",
    description="Автор курса или администратор; отметки о прохождении модуля удаляются.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def delete_online_course_module(
    online_course_id: uuid.UUID, module_id: uuid.UUID, access: AccessDep
) -> Response:
    await OnlineCourseService(access).delete_module(online_course_id, module_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/online-courses/{online_course_id}/enrolments",
    response_model=EnrolmentDetail,
    status_code=status.HTTP_201_CREATED,
    summary="Записаться или записать обучающегося на онлайн-курс",
    description=(
        "Обучающийся записывается сам; педагог или администратор записывает обучающегося "
        "школы (`student_id`). Только на опубликованный курс, один раз."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def enrol_in_online_course(
    online_course_id: uuid.UUID, body: EnrolmentCreate, access: AccessDep
) -> EnrolmentDetail:
    return await OnlineCourseService(access).enrol(online_course_id, body)


@router.get(
    "/online-courses/{online_course_id}/enrolments",
    response_model=Page[EnrolmentRead],
    summary="Записавшиеся на онлайн-курс и их прогресс",
    description=(
        "Педагоги и администрация видят всех записавшихся; обучающийся — свою запись, "
        "родитель — записи своих детей."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_online_course_enrolments(
    online_course_id: uuid.UUID,
    request: Request,
    response: Response,
    access: AccessDep,
    page: PageDep,
    status_: Annotated[
        EnrolmentStatus | None, Query(alias="status", description="Статус записи")
    ] = None,
) -> Page[EnrolmentRead]:
    items, cursor = await OnlineCourseService(access).list_course_enrolments(
        online_course_id, page, status=status_
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/online-course-enrolments",
    response_model=Page[EnrolmentRead],
    summary="Записи на онлайн-курсы",
    description=(
        "Обучающийся видит свои записи, родитель — записи детей, педагоги и администрация — "
        "все записи школы. Фильтры: `student_id`, `online_course_id`, `status`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_online_enrolments(
    request: Request,
    response: Response,
    access: AccessDep,
    page: PageDep,
    student_id: Annotated[uuid.UUID | None, Query(description="Обучающийся")] = None,
    online_course_id: Annotated[uuid.UUID | None, Query(description="Онлайн-курс")] = None,
    status_: Annotated[
        EnrolmentStatus | None, Query(alias="status", description="Статус записи")
    ] = None,
) -> Page[EnrolmentRead]:
    items, cursor = await OnlineCourseService(access).list_enrolments(
        page, student_id=student_id, course_id=online_course_id, status=status_
    )
    return make_page(request, response, items, page, cursor)


@router.get(
    "/online-course-enrolments/{enrolment_id}",
    response_model=EnrolmentDetail,
    summary="Прогресс обучающегося по онлайн-курсу",
    description="По модулям и элементам; для освоенного курса — запись о сертификате.",
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_online_enrolment(enrolment_id: uuid.UUID, access: AccessDep) -> EnrolmentDetail:
    return await OnlineCourseService(access).get_enrolment(enrolment_id)


@router.post(
    "/online-course-enrolments/{enrolment_id}/progress",
    response_model=EnrolmentDetail,
    summary="Отметить элемент модуля пройденным",
    description=(
        "Только сам обучающийся. Повторная отметка ничего не меняет. Когда пройдены все "
        "элементы всех модулей, курс считается освоенным: выдаётся сертификат с номером "
        "вида ОК-2026-000123 и публикуется событие `online_course.completed`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def record_online_course_progress(
    enrolment_id: uuid.UUID, body: ProgressCreate, access: AccessDep
) -> EnrolmentDetail:
    return await OnlineCourseService(access).record_progress(enrolment_id, body)
