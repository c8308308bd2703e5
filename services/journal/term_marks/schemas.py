from __future__ import annotations

import uuid

from pydantic import Field

from services.common.types import ReadModel, SafeStr, StrictModel
from services.journal.marks.schemas import ChangeRead


class TermMarkRead(ReadModel):
    id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    period_id: uuid.UUID | None
    academic_year_id: uuid.UUID
    value: str
    average: float | None
    weighted_average: float | None
    set_by: uuid.UUID | None
    version: int


class TermRow(ReadModel):
    student_id: uuid.UUID
    student_name: str
    marks: list[str]
    average: float | None = Field(description="Средний балл за период")
    weighted_average: float | None = Field(description="Средневзвешенный балл за период")
    suggested: str | None = Field(description="Рекомендуемая отметка по средневзвешенному баллу")
    term_mark: TermMarkRead | None


class TermOverview(ReadModel):
    course_id: uuid.UUID
    subject: str
    period_id: uuid.UUID | None
    rows: list[TermRow]


class TermMarkWrite(StrictModel):
    value: SafeStr = Field(min_length=1, max_length=16, description="Отметка из шкалы школы")
    reason: SafeStr | None = Field(default=None, max_length=1000, description="Причина изменения")


class TermMarkHistory(ReadModel):
    term_mark: TermMarkRead
    changes: list[ChangeRead]
