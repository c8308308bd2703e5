"""``/courses/{id}/topics``: the thematic plan (КТП) of a course (LE-2)."""

from __future__ import annotations

import uuid

from fastapi import Request, Response, status

from services.common.app import api_router
from services.common.errors import (
    AUTH_ERRORS,
    PayloadTooLarge,
    UnsupportedMedia,
    problem_responses,
)
from services.learning.access import AccessDep
from services.learning.plans import parsing
from services.learning.plans.schemas import (
    PlanImportResult,
    ThematicPlanRead,
    TopicCreate,
    TopicOrder,
    TopicRead,
    TopicUpdate,
)
from services.learning.plans.service import PlanService

router = api_router(prefix="/api/v1/learning", tags=["thematic-plans"])

_CSV_EXAMPLE = (
    "№;Раздел;Тема;Часы;Дата\n"
    "1;Обыкновенные дроби;Понятие дроби;1;02.09.2026\n"
    "2;Обыкновенные дроби;Сравнение дробей;1,5;04.09.2026\n"
)
_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}, "example": _CSV_EXAMPLE},
            parsing.XLSX_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def _service(request: Request, access: AccessDep) -> PlanService:
    return PlanService(access, max_topics=int(request.app.state.settings.plan_import_max_rows))


@router.get(
    "/courses/{course_id}/topics",
    response_model=ThematicPlanRead,
    summary="Тематический план (КТП) курса",
    description=(
        "Все темы по порядку (номера 1 … n без пропусков) с часами, датами и числом уроков, "
        "которые на них ссылаются. Доступно всем, кто видит курс."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def list_course_topics(
    course_id: uuid.UUID, request: Request, access: AccessDep
) -> ThematicPlanRead:
    return await _service(request, access).get_plan(course_id)


@router.post(
    "/courses/{course_id}/topics",
    response_model=TopicRead,
    status_code=status.HTTP_201_CREATED,
    summary="Добавить тему в план",
    description=(
        "Тема вставляется на место `position` (по умолчанию в конец); следующие сдвигаются. "
        "Администратор или педагог курса. Событие `course_plan.updated` со всем планом."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def create_course_topic(
    course_id: uuid.UUID, body: TopicCreate, request: Request, access: AccessDep
) -> TopicRead:
    return await _service(request, access).add(course_id, body)


@router.patch(
    "/courses/{course_id}/topics/{topic_id}",
    response_model=TopicRead,
    summary="Изменить тему плана",
    description=(
        "Меняются только переданные поля; `position` переносит тему на другое место. "
        "Администратор или педагог курса. Событие `course_plan.updated`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_course_topic(
    course_id: uuid.UUID,
    topic_id: uuid.UUID,
    body: TopicUpdate,
    request: Request,
    access: AccessDep,
) -> TopicRead:
    return await _service(request, access).update(course_id, topic_id, body)


@router.delete(
    "/courses/{course_id}/topics/{topic_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Удалить тему плана",
    description=(
        "Тему, указанную в уроках расписания, удалить нельзя (409). Остальные темы "
        "перенумеровываются. Событие `course_plan.updated`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def delete_course_topic(
    course_id: uuid.UUID, topic_id: uuid.UUID, request: Request, access: AccessDep
) -> Response:
    await _service(request, access).delete(course_id, topic_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/courses/{course_id}/topics/order",
    response_model=ThematicPlanRead,
    summary="Изменить порядок тем",
    description=(
        "Передайте все темы плана в новом порядке, каждую один раз (иначе 422). "
        "Событие `course_plan.updated`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def reorder_course_topics(
    course_id: uuid.UUID, body: TopicOrder, request: Request, access: AccessDep
) -> ThematicPlanRead:
    return await _service(request, access).reorder(course_id, body)


def _media_type(request: Request) -> str:
    media_type, _, params = request.headers.get("content-type", "").partition(";")
    media_type = media_type.strip().lower()
    if media_type not in (*parsing.CSV_TYPES, parsing.XLSX_TYPE):
        raise UnsupportedMedia(
            f"Передайте файл КТП с заголовком Content-Type: text/csv или {parsing.XLSX_TYPE}",
            code="plan-file-type",
        )
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in (
            "utf-8",
            "utf8",
        ):
            raise UnsupportedMedia("Файл CSV должен быть в кодировке UTF-8", code="csv-charset")
    return media_type


@router.post(
    "/courses/{course_id}/topics/import",
    response_model=PlanImportResult,
    summary="Загрузить КТП из CSV или XLSX (заменяет план)",
    description=(
        "Тело запроса — сам файл: `text/csv` (UTF-8 с BOM или без, разделитель `;` или `,`) "
        f"или `{parsing.XLSX_TYPE}` (первый лист). Столбцы: № (необязательный), Раздел "
        "(необязательный), Тема, Часы (больше 0, не больше 100, десятичная запятая "
        "допустима), Дата (необязательная, ДД.ММ.ГГГГ или ГГГГ-ММ-ДД) — подробно в "
        "docs/ktp-import-format.md. Всё или ничего: при ошибках 422 со списком "
        "`errors: [{line, field, message, code}]` (номер строки в файле), план не меняется. "
        "Тема сохраняет идентификатор, если в новом плане на том же месте (или, иначе, "
        "где-то ещё) то же название; если пропала тема, указанная в уроках, — 409. "
        "Размер файла и число строк ограничены (413). Событие `course_plan.updated`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409, 413, 415),
    openapi_extra=_IMPORT_BODY,
)
async def import_course_plan(
    course_id: uuid.UUID, request: Request, access: AccessDep
) -> PlanImportResult:
    settings = request.app.state.settings
    media_type = _media_type(request)
    raw = await request.body()
    if len(raw) > settings.plan_import_max_bytes:
        raise PayloadTooLarge(
            f"Файл КТП больше {settings.plan_import_max_bytes // 1024} КБ",
            code="plan-file-too-large",
        )
    return await _service(request, access).import_plan(
        course_id, raw, media_type, int(settings.plan_import_max_rows)
    )
