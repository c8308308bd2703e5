from __future__ import annotations

import datetime as dt
import uuid
from typing import Literal

from pydantic import Field, model_validator

from services.common.types import ReadModel, SafeStr, StrictModel
from services.journal.marks.schemas import ChangeRead

AbsenceReason = Literal["illness", "valid_reason", "competition", "unexcused", "other"]


class AttendanceEntry(StrictModel):
    student_id: uuid.UUID
    status: Literal["absent", "present"] = Field(
        default="absent", description="absent — «н»; present — отметка об отсутствии снята"
    )
    reason: AbsenceReason | None = Field(
        default=None,
        description=(
            "Причина: illness — болезнь, valid_reason — уважительная, competition — "
            "соревнования, олимпиада, unexcused — без уважительной причины, other — иная"
        ),
    )
    comment: SafeStr | None = Field(default=None, max_length=1000)
    change_reason: SafeStr | None = Field(
        default=None, max_length=1000, description="Причина исправления прежней записи"
    )

    @model_validator(mode="after")
    def _reason_for_absence(self) -> AttendanceEntry:
        if self.status == "present" and self.reason is not None:
            raise ValueError("У присутствующего нет причины отсутствия")
        return self


class LessonAttendance(StrictModel):
    entries: list[AttendanceEntry] = Field(min_length=1, max_length=100)


class AttendanceUpdate(StrictModel):
    status: Literal["absent", "present"] | None = None
    reason: AbsenceReason | None = None
    comment: SafeStr | None = Field(default=None, max_length=1000)
    change_reason: SafeStr = Field(min_length=1, max_length=1000, description="Причина изменения")


class AttendanceRead(ReadModel):
    id: uuid.UUID
    lesson_id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    date: dt.date
    status: str
    reason: str | None
    comment: str | None
    version: int


class AttendanceList(ReadModel):
    items: list[AttendanceRead]


class AttendanceHistory(ReadModel):
    attendance: AttendanceRead
    changes: list[ChangeRead]
