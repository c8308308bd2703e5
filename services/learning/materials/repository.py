"""All SQL of learning materials (LE-4); every query scoped by school (X-7).

A page of materials costs a constant number of queries: the materials, then their
tags, files (with the stored files) and platforms by ``selectinload``.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select
from sqlalchemy.orm import selectinload

from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.models import Lesson, Material, MaterialFile, MaterialTag


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class MaterialFilter:
    kind: str | None = None
    subject: str | None = None
    level: str | None = None
    course_id: uuid.UUID | None = None
    lesson_id: uuid.UUID | None = None
    visibility: str | None = None
    q: str | None = None


@dataclass(frozen=True)
class Scope:
    """What the caller may read: ``course_ids`` None — every material of the school;
    archived ones only when ``archived_by_anyone`` (admin) or of ``archived_author``."""

    course_ids: Collection[uuid.UUID] | None
    include_archived: bool = False
    archived_by_anyone: bool = False
    archived_author: uuid.UUID | None = None


def _tag(kind: str, key: str) -> ColumnElement[bool]:
    return exists().where(
        MaterialTag.material_id == Material.id, MaterialTag.kind == kind, MaterialTag.key == key
    )


class MaterialRepository(Repository[Material]):
    model = Material

    def _select(self) -> Select[Any]:
        return (
            super()
            ._select()
            .options(
                selectinload(Material.tags),
                selectinload(Material.files).selectinload(MaterialFile.file),
                selectinload(Material.platform),
            )
        )

    async def in_school(self, material_id: uuid.UUID, school_id: uuid.UUID) -> Material | None:
        return await self.get(material_id, school_id=school_id)

    async def page_visible(
        self, school_id: uuid.UUID, scope: Scope, flt: MaterialFilter, params: PageParams
    ) -> tuple[list[Material], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if scope.course_ids is not None:
            stmt = stmt.where(
                or_(
                    Material.visibility == "library",
                    and_(
                        Material.visibility == "course",
                        Material.course_id.in_(list(scope.course_ids))
                        if scope.course_ids
                        else false(),
                    ),
                )
            )
        archived: ColumnElement[bool] = false()
        if scope.include_archived and scope.archived_by_anyone:
            archived = Material.status == "archived"
        elif scope.include_archived and scope.archived_author is not None:
            archived = and_(
                Material.status == "archived", Material.author_id == scope.archived_author
            )
        stmt = stmt.where(or_(Material.status == "active", archived))
        if flt.kind is not None:
            stmt = stmt.where(Material.kind == flt.kind)
        if flt.course_id is not None:
            stmt = stmt.where(Material.course_id == flt.course_id)
        if flt.lesson_id is not None:
            stmt = stmt.where(Material.lesson_id == flt.lesson_id)
        if flt.visibility is not None:
            stmt = stmt.where(Material.visibility == flt.visibility)
        if flt.level is not None:
            stmt = stmt.where(_tag("level", flt.level))
        if flt.subject is not None:
            stmt = stmt.where(_tag("subject", flt.subject.casefold()))
        if flt.q:
            pattern = f"%{like_escape(flt.q.casefold())}%"
            stmt = stmt.where(Material.search_text.like(pattern, escape="\\"))
        return await self.page(stmt, params)

    async def lesson_in_school(self, lesson_id: uuid.UUID, school_id: uuid.UUID) -> Lesson | None:
        row: Lesson | None = await self.first(
            select(Lesson).where(Lesson.id == lesson_id, Lesson.school_id == school_id)
        )
        return row
