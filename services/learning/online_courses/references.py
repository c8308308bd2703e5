"""Ids of other learning features kept in JSON lists (materials, online tests,
assignments), checked against their tables when those tables exist.

The online-course modules and individual plans refer to objects other features own.
Those features' models are looked up by table name in the service's metadata, so this
module depends on none of them: when a table is there, every id must name a row of
the caller's school; when it is not (a feature not installed), ids are kept as given.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError
from services.learning.models import Base


@dataclass(frozen=True)
class Reference:
    """A kind of referenced object: candidate table names and the Russian noun."""

    tables: tuple[str, ...]
    noun: str
    code: str


MATERIALS = Reference(("materials",), "материалы", "material-not-found")
QUIZZES = Reference(("quizzes", "online_tests", "tests"), "онлайн-тесты", "quiz-not-found")
ASSIGNMENTS = Reference(("assignments",), "задания", "assignment-not-found")


def table_of(ref: Reference) -> Table | None:
    for name in ref.tables:
        table = Base.metadata.tables.get(name)
        if table is not None and "id" in table.c and "school_id" in table.c:
            return table
    return None


def normalise_ids(ids: Iterable[uuid.UUID]) -> list[str]:
    """Ids as strings, without repeats, in the order given."""
    return list(dict.fromkeys(str(i) for i in ids))


async def check_references(
    session: AsyncSession,
    ref: Reference,
    school_id: uuid.UUID,
    ids: Sequence[str],
    *,
    course_ids: set[uuid.UUID] | None = None,
) -> None:
    """422 unless every id names a row of the school (and, when ``course_ids`` is given
    and the table has ``course_id``, a row of one of those courses)."""
    table = table_of(ref)
    if table is None or not ids:
        return
    wanted = {uuid.UUID(i) for i in ids}
    columns = [table.c.id]
    by_course = course_ids is not None and "course_id" in table.c
    if by_course:
        columns.append(table.c.course_id)
    rows = (
        await session.execute(
            select(*columns).where(table.c.school_id == school_id, table.c.id.in_(wanted))
        )
    ).all()
    found = {row[0] for row in rows}
    missing = sorted(str(i) for i in wanted - found)
    if missing:
        raise BusinessRuleError(f"Не найдены {ref.noun}: {', '.join(missing)}", code=ref.code)
    if by_course and course_ids is not None:
        foreign = sorted(str(row[0]) for row in rows if row[1] not in course_ids)
        if foreign:
            raise BusinessRuleError(
                f"Эти {ref.noun} относятся к курсам, которые обучающийся не изучает: "
                + ", ".join(foreign),
                code="reference-outside-courses",
            )
