"""``/materials``: learning materials — files and links into the catalogue (LE-4)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Form, Query, Request, Response
from fastapi.responses import FileResponse

from services.common.app import api_router
from services.common.errors import AUTH_ERRORS, problem_responses
from services.common.pagination import Page, PageDep, make_page
from services.common.types import SafeStr
from services.learning.access import AccessDep
from services.learning.catalogue.deps import FederalListDep
from services.learning.files.deps import FileStoreDep
from services.learning.materials.repository import MaterialFilter
from services.learning.materials.schemas import (
    Level,
    MaterialCreateForm,
    MaterialFilesForm,
    MaterialKind,
    MaterialRead,
    MaterialUpdate,
    Visibility,
)
from services.learning.materials.service import MaterialService

router = api_router(prefix="/api/v1/learning", tags=["materials"])

MULTIPART = "multipart/form-data"
UPLOAD_ERRORS = (403, 404, 409, 413, 415)


def content_disposition(filename: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266, RFC 5987)."""
    fallback = (
        "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in filename).strip()
        or "file"
    )
    encoded = quote(filename, safe="")
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


@router.get(
    "/materials",
    response_model=Page[MaterialRead],
    summary="Материалы",
    description=(
        "Материалы, которые видит вызывающий: администрация, учебно-вспомогательный "
        "персонал и педагоги — все материалы школы; обучающийся — библиотеку школы и "
        "материалы своих курсов; родитель — то же для своих детей. Фильтры: `kind`, "
        "`subject`, `level`, `course_id`, `lesson_id`, `visibility`, `q` (поиск по "
        "названию и описанию); `include_archived` — и материалы в архиве (свои — автору, "
        "все — администратору)."
    ),
    responses=problem_responses(*AUTH_ERRORS),
)
async def list_materials(
    request: Request,
    response: Response,
    access: AccessDep,
    federal_list: FederalListDep,
    page: PageDep,
    kind: Annotated[MaterialKind | None, Query(description="Вид материала")] = None,
    subject: Annotated[
        SafeStr | None, Query(min_length=1, max_length=200, description="Предмет")
    ] = None,
    level: Annotated[Level | None, Query(description="Уровень образования")] = None,
    course_id: Annotated[uuid.UUID | None, Query(description="Курс")] = None,
    lesson_id: Annotated[uuid.UUID | None, Query(description="Урок")] = None,
    visibility: Annotated[Visibility | None, Query(description="course или library")] = None,
    q: Annotated[
        SafeStr | None, Query(min_length=1, max_length=100, description="Поиск по тексту")
    ] = None,
    include_archived: Annotated[bool, Query(description="Показать и материалы в архиве")] = False,
) -> Page[MaterialRead]:
    flt = MaterialFilter(
        kind=kind,
        subject=subject.strip() if subject else None,
        level=level,
        course_id=course_id,
        lesson_id=lesson_id,
        visibility=visibility,
        q=q.strip() if q else None,
    )
    items, cursor = await MaterialService(access, federal_list).list_materials(
        page, flt, include_archived=include_archived
    )
    return make_page(request, response, items, page, cursor)


@router.post(
    "/materials",
    response_model=MaterialRead,
    status_code=201,
    summary="Добавить материал (педагог, администратор)",
    description=(
        "`multipart/form-data`: поля материала и файлы в `files`. Сценарий урока, тест и "
        "собственный материал — файлы; ссылка на сторонний ресурс — `url` на платформу из "
        "каталога (§5.13; иначе 422 с перечнем платформ каталога); видео — файл или ссылка. "
        "Файл больше допустимого размера — 413, недопустимого типа или с содержимым не "
        "того типа — 415; у каждого файла показывается хеш SHA-256. Педагог прикрепляет "
        "материал только к своему курсу (иначе 403); урок другой школы — 404."
    ),
    responses=problem_responses(*AUTH_ERRORS, *UPLOAD_ERRORS),
)
async def create_material(
    form: Annotated[MaterialCreateForm, Form(media_type=MULTIPART)],
    access: AccessDep,
    federal_list: FederalListDep,
    store: FileStoreDep,
) -> MaterialRead:
    return await MaterialService(access, federal_list, store).create(form)


@router.get(
    "/materials/{material_id}",
    response_model=MaterialRead,
    summary="Материал",
    description=(
        "Материал, если вызывающий может его видеть (см. список), иначе 404. Для ссылки — "
        "платформа каталога и входит ли она сегодня в федеральный перечень ЭОР."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def get_material(
    material_id: uuid.UUID, access: AccessDep, federal_list: FederalListDep
) -> MaterialRead:
    return await MaterialService(access, federal_list).get(material_id)


@router.patch(
    "/materials/{material_id}",
    response_model=MaterialRead,
    summary="Изменить материал (автор, администратор)",
    description=(
        "Меняются переданные поля; `course_id: null` / `lesson_id: null` открепляют "
        "материал. При переносе в другой курс урок прежнего курса открепляется. Вид "
        "материала не меняется; файлы — отдельными операциями."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def update_material(
    material_id: uuid.UUID,
    body: MaterialUpdate,
    access: AccessDep,
    federal_list: FederalListDep,
) -> MaterialRead:
    return await MaterialService(access, federal_list).update(material_id, body)


@router.delete(
    "/materials/{material_id}",
    status_code=204,
    response_class=Response,
    summary="Удалить материал в архив (автор, администратор)",
    description=(
        "Материал не удаляется, а переносится в архив: его больше не видят обучающиеся и "
        "родители; автор и администратор находят его с `include_archived=true`."
    ),
    responses=problem_responses(*AUTH_ERRORS, 404),
)
async def archive_material(
    material_id: uuid.UUID, access: AccessDep, federal_list: FederalListDep
) -> Response:
    await MaterialService(access, federal_list).archive(material_id)
    return Response(status_code=204)


@router.post(
    "/materials/{material_id}/files",
    response_model=MaterialRead,
    summary="Добавить файлы к материалу (автор, администратор)",
    description=(
        "`multipart/form-data` с файлами в `files`. Не для ссылок и видео-ссылок (422). "
        "Размер и тип проверяются так же, как при создании (413, 415)."
    ),
    responses=problem_responses(*AUTH_ERRORS, *UPLOAD_ERRORS),
)
async def add_material_files(
    material_id: uuid.UUID,
    form: Annotated[MaterialFilesForm, Form(media_type=MULTIPART)],
    access: AccessDep,
    federal_list: FederalListDep,
    store: FileStoreDep,
) -> MaterialRead:
    return await MaterialService(access, federal_list, store).add_files(material_id, form.files)


@router.delete(
    "/materials/{material_id}/files/{file_id}",
    response_model=MaterialRead,
    summary="Убрать файл из материала (автор, администратор)",
    description="Единственный файл материала убрать нельзя (422).",
    responses=problem_responses(*AUTH_ERRORS, 404, 409),
)
async def remove_material_file(
    material_id: uuid.UUID,
    file_id: uuid.UUID,
    access: AccessDep,
    federal_list: FederalListDep,
) -> MaterialRead:
    return await MaterialService(access, federal_list).remove_file(material_id, file_id)


DOWNLOAD_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Содержимое файла (Content-Disposition с исходным именем)",
        "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}},
    },
    **problem_responses(*AUTH_ERRORS, 404),
}


@router.get(
    "/materials/{material_id}/files/{file_id}",
    response_class=FileResponse,
    summary="Скачать файл материала",
    description=(
        "Файл отдаётся тому, кто может видеть материал (иначе 404), с исходным именем в "
        "`Content-Disposition` (для кириллицы — `filename*` по RFC 5987)."
    ),
    responses=DOWNLOAD_RESPONSES,
)
async def download_material_file(
    material_id: uuid.UUID,
    file_id: uuid.UUID,
    access: AccessDep,
    federal_list: FederalListDep,
    store: FileStoreDep,
) -> FileResponse:
    stored, path = await MaterialService(access, federal_list, store).file_for_download(
        material_id, file_id
    )
    return FileResponse(
        path,
        media_type=stored.content_type,
        headers={
            "Content-Disposition": content_disposition(stored.original_name),
            "X-Content-SHA256": stored.sha256,
            "X-Content-Type-Options": "nosniff",
        },
    )
