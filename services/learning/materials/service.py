"""Rules of learning materials (LE-4, Reg §1.3, §2.2, §3.6, §5.13).

* Kinds: ``lesson_scenario``, ``test`` and ``own`` are uploaded files;
  ``third_party_link`` is a link into a platform of the catalogue; ``video`` is either
  (never both).
* Teachers and administrators create materials; a teacher attaches them only to a course
  they teach (or a lesson they substitute). The author or an administrator changes and
  archives a material (archiving is the deletion: nothing is removed).
* Who reads: administrators, staff and teachers — every material of the school;
  students — the school library and the materials of their courses; guardians — the
  same for their linked children. Anything else, and anything of another school, is 404.
* A link's platform and whether it is on the federal list are shown as of the school's
  today (X-1); events carry the same.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from fastapi import UploadFile

from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Conflict, Forbidden, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.learning.access import Access
from services.learning.catalogue.data import FederalList
from services.learning.catalogue.service import (
    CatalogueService,
    on_federal_list,
    platform_brief,
)
from services.learning.files.storage import FileStore
from services.learning.materials.repository import MaterialFilter, MaterialRepository, Scope
from services.learning.materials.schemas import (
    MAX_FILES,
    MaterialCreateForm,
    MaterialFileRead,
    MaterialRead,
    MaterialUpdate,
)
from services.learning.models import (
    Course,
    Lesson,
    Material,
    MaterialFile,
    MaterialTag,
    StoredFile,
    kernel,
)
from services.learning.models.materials import FILE_KINDS, LINK_KINDS

MATERIAL_CREATED = "material.created"
MATERIAL_UPDATED = "material.updated"
EVENT_TYPES = [MATERIAL_CREATED, MATERIAL_UPDATED]

MATERIAL_NOT_FOUND = "Материал не найден"
API = "/api/v1/learning"


# -- reading and events -----------------------------------------------------------------


def download_url(material_id: uuid.UUID, file_id: uuid.UUID) -> str:
    return f"{API}/materials/{material_id}/files/{file_id}"


def material_read(material: Material, federal: FederalList, day: date) -> MaterialRead:
    platform = material.platform
    return MaterialRead(
        id=material.id,
        kind=material.kind,  # type: ignore[arg-type]
        title=material.title,
        description=material.description,
        levels=material.levels,  # type: ignore[arg-type]
        subjects=material.subjects,
        course_id=material.course_id,
        lesson_id=material.lesson_id,
        visibility=material.visibility,  # type: ignore[arg-type]
        author_id=material.author_id,
        status=material.status,  # type: ignore[arg-type]
        url=material.url,
        platform=platform_brief(platform, federal, day) if platform is not None else None,
        on_federal_list=(on_federal_list(platform, federal, day) if platform is not None else None),
        files=[
            MaterialFileRead(
                id=mf.file.id,
                name=mf.file.original_name,
                content_type=mf.file.content_type,
                size=mf.file.size,
                sha256=mf.file.sha256,
                download_url=download_url(material.id, mf.file.id),
            )
            for mf in material.files
        ],
        version=material.version,
        created_at=material.created_at,
        updated_at=material.updated_at,
        archived_at=material.archived_at,
    )


def material_payload(material: Material, federal: FederalList, day: date) -> dict[str, Any]:
    """``material.created`` / ``material.updated``: complete, consumers never call back."""
    platform = material.platform
    return {
        "id": str(material.id),
        "kind": material.kind,
        "title": material.title,
        "author_id": str(material.author_id),
        "course_id": str(material.course_id) if material.course_id else None,
        "lesson_id": str(material.lesson_id) if material.lesson_id else None,
        "subjects": material.subjects,
        "levels": material.levels,
        "visibility": material.visibility,
        "status": material.status,
        "files": [
            {
                "id": str(mf.file.id),
                "name": mf.file.original_name,
                "content_type": mf.file.content_type,
                "size": mf.file.size,
                "sha256": mf.file.sha256,
            }
            for mf in material.files
        ],
        "url": material.url,
        "platform_code": platform.code if platform is not None else None,
        "platform_name": platform.name if platform is not None else None,
        "on_federal_list": (
            on_federal_list(platform, federal, day) if platform is not None else None
        ),
        "checked_on": day.isoformat(),
        "version": material.version,
    }


def clean_filename(name: str | None) -> str:
    """The name a file keeps: its last path segment without control characters."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ord(ch) >= 32 and ord(ch) != 127).strip()
    return cleaned[:255] or "file"


def search_text(title: str, description: str | None) -> str:
    return f"{title}\n{description or ''}".casefold()


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        seen.setdefault(value.casefold(), value)
    return list(seen.values())


def check_content(kind: str, has_url: bool, n_files: int) -> None:
    """Files for file kinds, a link for links, one of the two for video."""
    if kind in LINK_KINDS:
        if n_files:
            raise BusinessRuleError(
                "К ссылке на сторонний ресурс файлы не прикрепляются",
                code="material-files-not-allowed",
            )
        if not has_url:
            raise BusinessRuleError(
                "Для ссылки на сторонний ресурс укажите адрес (url)", code="material-url-required"
            )
    elif kind in FILE_KINDS:
        if has_url:
            raise BusinessRuleError(
                "Ссылка допустима только для видео и ссылок на сторонние ресурсы; загрузите файл",
                code="material-url-not-allowed",
            )
        if not n_files:
            raise BusinessRuleError("Загрузите хотя бы один файл", code="material-files-required")
    else:  # video
        if has_url and n_files:
            raise BusinessRuleError(
                "Видео — это файл или ссылка, но не то и другое сразу",
                code="material-file-or-url",
            )
        if not has_url and not n_files:
            raise BusinessRuleError(
                "Для видео загрузите файл или укажите ссылку", code="material-content-required"
            )
    if n_files > MAX_FILES:
        raise BusinessRuleError(
            f"У материала может быть не больше {MAX_FILES} файлов", code="too-many-files"
        )


class MaterialService:
    def __init__(
        self, access: Access, federal: FederalList, store: FileStore | None = None
    ) -> None:
        self.access = access
        self.session = access.session
        self.principal = access.principal
        self.school_id = access.school_id
        self.federal = federal
        self.store = store
        self.materials = MaterialRepository(access.session)
        self.catalogue = CatalogueService(access.session, access.principal, federal)
        self._today: date | None = None

    async def today(self) -> date:
        if self._today is None:
            self._today = await self.access.directory.today(self.school_id)
        return self._today

    async def read(self, material: Material) -> MaterialRead:
        return material_read(material, self.federal, await self.today())

    async def _emit(self, type_: str, material: Material) -> None:
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type=type_,
            aggregate_type="material",
            aggregate_id=material.id,
            payload=material_payload(material, self.federal, await self.today()),
        )

    # -- who may -------------------------------------------------------------------------

    def _is_author_or_admin(self, material: Material) -> bool:
        return self.access.is_admin or material.author_id == self.principal.user_id

    async def _load(self, material_id: uuid.UUID) -> Material:
        material = await self.materials.in_school(material_id, self.school_id)
        if material is None:
            raise NotFound(MATERIAL_NOT_FOUND, code="material-not-found")
        return material

    async def _readable(self, material_id: uuid.UUID) -> Material:
        material = await self._load(material_id)
        if material.status == "archived" and not self._is_author_or_admin(material):
            raise NotFound(MATERIAL_NOT_FOUND, code="material-not-found")
        if await self.access.visible_students() is None or material.visibility == "library":
            return material
        if material.course_id is None:
            raise NotFound(MATERIAL_NOT_FOUND, code="material-not-found")
        try:
            await self.access.course(material.course_id)
        except NotFound:
            raise NotFound(MATERIAL_NOT_FOUND, code="material-not-found") from None
        return material

    async def _writable(self, material_id: uuid.UUID) -> Material:
        self.access.require_writer()
        material = await self._load(material_id)
        if not self._is_author_or_admin(material):
            raise Forbidden(
                "Изменять материал могут только его автор и администратор",
                code="material-not-author",
            )
        if material.status == "archived":
            raise Conflict("Материал в архиве и не изменяется", code="material-archived")
        return material

    async def _placement(
        self, course_id: uuid.UUID | None, lesson_id: uuid.UUID | None
    ) -> tuple[Course | None, Lesson | None]:
        """The course and lesson a material is attached to, checked for the caller."""
        lesson: Lesson | None = None
        if lesson_id is not None:
            lesson = await self.materials.lesson_in_school(lesson_id, self.school_id)
            if lesson is None:
                raise NotFound("Урок не найден", code="lesson-not-found")
            if course_id is not None and course_id != lesson.course_id:
                raise BusinessRuleError(
                    "Урок относится к другому курсу", code="lesson-not-in-course"
                )
            course_id = lesson.course_id
        if course_id is None:
            return None, None
        try:
            course = await self.access.course_for_write(course_id)
        except Forbidden:
            substitutes = (
                lesson is not None
                and self.access.is_teacher
                and lesson.substitute_teacher_id == self.principal.user_id
            )
            if not substitutes:
                raise Forbidden(
                    "Прикреплять материалы можно только к курсам, которые вы ведёте",
                    code="course-not-own",
                ) from None
            course = await self.access.course(course_id)
        return course, lesson

    # -- tags -----------------------------------------------------------------------------

    def _set_tags(
        self, material: Material, levels: Sequence[str], subjects: Sequence[str], *, new: bool
    ) -> None:
        existing = {} if new else {(t.kind, t.key): t for t in material.tags}
        tags: list[MaterialTag] = []
        for kind, values in (
            ("level", list(dict.fromkeys(levels))),
            ("subject", _dedupe(subjects)),
        ):
            for position, value in enumerate(values):
                key = value.casefold()[:200]
                tag = existing.get((kind, key))
                if tag is None:
                    tag = MaterialTag(kind=kind, key=key, school_id=self.school_id)
                tag.value = value
                tag.position = position
                tags.append(tag)
        material.tags = tags

    # -- reads ----------------------------------------------------------------------------

    async def list_materials(
        self, params: PageParams, flt: MaterialFilter, *, include_archived: bool
    ) -> tuple[list[MaterialRead], dict[str, Any] | None]:
        visible = await self.access.visible_students()
        course_ids: set[uuid.UUID] | None = None
        if visible is not None:
            by_student = await self.access.courses_of_students(visible)
            course_ids = {c.id for courses in by_student.values() for c in courses}
        scope = Scope(
            course_ids=course_ids,
            include_archived=include_archived,
            archived_by_anyone=self.access.is_admin,
            archived_author=self.principal.user_id if self.access.is_teacher else None,
        )
        rows, cursor = await self.materials.page_visible(self.school_id, scope, flt, params)
        day = await self.today()
        return [material_read(m, self.federal, day) for m in rows], cursor

    async def get(self, material_id: uuid.UUID) -> MaterialRead:
        return await self.read(await self._readable(material_id))

    async def file_for_download(
        self, material_id: uuid.UUID, file_id: uuid.UUID
    ) -> tuple[StoredFile, Path]:
        assert self.store is not None
        material = await self._readable(material_id)
        for mf in material.files:
            if mf.file_id == file_id:
                return mf.file, self.store.blob(mf.file)
        raise NotFound("Файл материала не найден", code="material-file-not-found")

    # -- writes ---------------------------------------------------------------------------

    async def _save_files(self, uploads: Sequence[UploadFile]) -> list[StoredFile]:
        assert self.store is not None
        for upload in uploads:
            upload.filename = clean_filename(upload.filename)
        return [
            await self.store.save(
                self.session,
                upload,
                school_id=self.school_id,
                uploaded_by=self.principal.user_id,
                purpose="material",
            )
            for upload in uploads
        ]

    async def create(self, form: MaterialCreateForm) -> MaterialRead:
        self.access.require_writer()
        check_content(form.kind, form.url is not None, len(form.files))
        course, lesson = await self._placement(form.course_id, form.lesson_id)
        visibility = form.visibility or ("course" if course is not None else "library")
        if visibility == "course" and course is None:
            raise BusinessRuleError(
                "Материал «только для курса» нужно прикрепить к курсу или уроку",
                code="material-course-required",
            )
        platform = await self.catalogue.require_platform_for(form.url) if form.url else None
        # files last: every rule is checked before anything is written to the store
        stored = await self._save_files(form.files)
        material = Material(
            school_id=self.school_id,
            author_id=self.principal.user_id,
            kind=form.kind,
            title=form.title,
            description=form.description,
            search_text=search_text(form.title, form.description),
            course_id=course.id if course is not None else None,
            lesson_id=lesson.id if lesson is not None else None,
            visibility=visibility,
            url=form.url,
            platform=platform,
            status="active",
            version=1,
            files=[
                MaterialFile(file=s, school_id=self.school_id, position=i)
                for i, s in enumerate(stored)
            ],
        )
        levels: list[str] = list(form.levels) or ([course.level] if course is not None else [])
        subjects = list(form.subjects) or ([course.subject] if course is not None else [])
        self._set_tags(material, levels, subjects, new=True)
        await self.materials.add(material)
        await self._emit(MATERIAL_CREATED, material)
        return await self.read(material)

    async def update(self, material_id: uuid.UUID, body: MaterialUpdate) -> MaterialRead:
        material = await self._writable(material_id)
        fields = body.model_fields_set
        if not fields:
            return await self.read(material)
        if "course_id" in fields or "lesson_id" in fields:
            course_id = body.course_id if "course_id" in fields else material.course_id
            if "lesson_id" in fields:
                lesson_id = body.lesson_id
            else:
                # a lesson of the course the material leaves goes with it
                lesson_id = material.lesson_id if course_id == material.course_id else None
            course, lesson = await self._placement(course_id, lesson_id)
            material.course_id = course.id if course is not None else None
            material.lesson_id = lesson.id if lesson is not None else None
        if body.visibility is not None:
            material.visibility = body.visibility
        if material.visibility == "course" and material.course_id is None:
            raise BusinessRuleError(
                "Материал «только для курса» нужно прикрепить к курсу или уроку",
                code="material-course-required",
            )
        if body.title is not None:
            material.title = body.title
        if "description" in fields:
            material.description = body.description
        material.search_text = search_text(material.title, material.description)
        if body.levels is not None or body.subjects is not None:
            self._set_tags(
                material,
                body.levels if body.levels is not None else material.levels,
                body.subjects if body.subjects is not None else material.subjects,
                new=False,
            )
        if body.url is not None:
            if material.kind in FILE_KINDS:
                raise BusinessRuleError(
                    "Ссылка допустима только для видео и ссылок на сторонние ресурсы",
                    code="material-url-not-allowed",
                )
            if material.files:
                raise BusinessRuleError(
                    "У видео уже есть файл: видео — это файл или ссылка",
                    code="material-file-or-url",
                )
            material.platform = await self.catalogue.require_platform_for(body.url)
            material.url = body.url
        material.version += 1
        await self.session.flush()
        await self._emit(MATERIAL_UPDATED, material)
        return await self.read(material)

    async def archive(self, material_id: uuid.UUID) -> None:
        self.access.require_writer()
        material = await self._load(material_id)
        if not self._is_author_or_admin(material):
            raise Forbidden(
                "Удалять материал могут только его автор и администратор",
                code="material-not-author",
            )
        if material.status == "archived":
            return
        material.status = "archived"
        material.archived_at = utcnow()
        material.archived_by = self.principal.user_id
        material.version += 1
        await self.session.flush()
        await self._emit(MATERIAL_UPDATED, material)

    async def add_files(
        self, material_id: uuid.UUID, uploads: Sequence[UploadFile]
    ) -> MaterialRead:
        material = await self._writable(material_id)
        if material.kind in LINK_KINDS:
            raise BusinessRuleError(
                "К ссылке на сторонний ресурс файлы не прикрепляются",
                code="material-files-not-allowed",
            )
        if material.url is not None:
            raise BusinessRuleError(
                "Это видео-ссылка: видео — это файл или ссылка", code="material-file-or-url"
            )
        if len(material.files) + len(uploads) > MAX_FILES:
            raise BusinessRuleError(
                f"У материала может быть не больше {MAX_FILES} файлов", code="too-many-files"
            )
        stored = await self._save_files(uploads)
        start = max((mf.position for mf in material.files), default=-1) + 1
        for i, s in enumerate(stored):
            material.files.append(
                MaterialFile(file=s, school_id=self.school_id, position=start + i)
            )
        material.version += 1
        await self.session.flush()
        await self._emit(MATERIAL_UPDATED, material)
        return await self.read(material)

    async def remove_file(self, material_id: uuid.UUID, file_id: uuid.UUID) -> MaterialRead:
        material = await self._writable(material_id)
        found = next((mf for mf in material.files if mf.file_id == file_id), None)
        if found is None:
            raise NotFound("Файл материала не найден", code="material-file-not-found")
        if len(material.files) == 1:
            raise BusinessRuleError(
                "Нельзя убрать единственный файл материала: загрузите другой или удалите материал",
                code="material-last-file",
            )
        material.files.remove(found)
        material.version += 1
        await self.session.flush()
        await self._emit(MATERIAL_UPDATED, material)
        return await self.read(material)
