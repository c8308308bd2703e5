"""The generic repository every service builds on: all SQL lives in repositories.

Every tenant-owned table has a ``school_id`` column and every read is scoped by it
(X-7), so an object of another school is simply "not found".
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from services.common.errors import BadRequest
from services.common.pagination import PageParams

M = TypeVar("M", bound=DeclarativeBase)


class Repository(Generic[M]):
    model: type[M]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _select(self) -> Select[Any]:
        return select(self.model)

    def _scoped(self, school_id: uuid.UUID) -> Select[Any]:
        return self._select().where(self.model.school_id == school_id)  # type: ignore[attr-defined]

    async def get(self, id_: uuid.UUID, *, school_id: uuid.UUID | None = None) -> M | None:
        stmt = self._select().where(self.model.id == id_)  # type: ignore[attr-defined]
        if school_id is not None:
            stmt = stmt.where(self.model.school_id == school_id)  # type: ignore[attr-defined]
        result: M | None = (await self.session.execute(stmt)).scalars().first()
        return result

    async def add(self, obj: M, *, flush: bool = True) -> M:
        self.session.add(obj)
        if flush:
            await self.session.flush()
        return obj

    async def add_all(self, objs: Sequence[M]) -> None:
        self.session.add_all(objs)
        await self.session.flush()

    async def all(self, stmt: Select[Any]) -> list[Any]:
        return list((await self.session.execute(stmt)).scalars().all())

    async def first(self, stmt: Select[Any]) -> Any | None:
        return (await self.session.execute(stmt)).scalars().first()

    async def page(
        self, stmt: Select[Any], params: PageParams
    ) -> tuple[list[M], dict[str, Any] | None]:
        """Keyset page ordered by id; returns the items and the next cursor (or None)."""
        id_col = self.model.id  # type: ignore[attr-defined]
        after = params.after()
        if after is not None:
            try:
                last = uuid.UUID(str(after.get("id")))
            except ValueError:
                raise BadRequest(
                    "Курсор повреждён или не распознан", code="invalid-cursor"
                ) from None
            stmt = stmt.where(id_col > last)
        rows = await self.all(stmt.order_by(id_col).limit(params.limit + 1))
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            return rows, {"id": str(rows[-1].id)}
        return rows, None
