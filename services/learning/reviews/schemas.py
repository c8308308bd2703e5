"""Schemas of reviews and of the same-day review report (LE-7, Reg §1.6, §2.3, §2.4)."""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from services.learning.submissions.schemas import FileRead, ReviewStatus


class ReviewRead(BaseModel):
    id: uuid.UUID
    submission_id: uuid.UUID
    submission_version: int
    assignment_id: uuid.UUID
    student_id: uuid.UUID
    reviewer_id: uuid.UUID
    reviewer_name: str | None
    mark: str | None = Field(description="Отметка по шкале школы или null")
    status: ReviewStatus = Field(description="accepted — принята, returned — на доработку")
    comment_text: str | None
    media: FileRead | None = Field(description="Аудио- или видеорецензия (Рег. §2.4)")
    reviewed_at: datetime
    first_opened_at: datetime | None = Field(
        description="Когда обучающийся впервые открыл рецензию (Рег. §1.6); не меняется"
    )


WorkState = Literal["unreviewed", "reviewed_late", "pending"]


class UnreviewedWork(BaseModel):
    submission_id: uuid.UUID
    assignment_id: uuid.UUID
    assignment_title: str
    course_id: uuid.UUID
    subject: str
    student_id: uuid.UUID
    student_name: str | None
    version: int
    channel: str
    received_at: datetime
    received_local: datetime = Field(description="Когда получена, по времени школы")
    review_due_at: datetime = Field(description="Проверить до (конец учебного дня)")
    review_due_local: datetime
    reviewed_at: datetime | None
    state: WorkState = Field(
        description="unreviewed — не проверена к сроку и до сих пор; reviewed_late — "
        "проверена после срока; pending — срок ещё не наступил"
    )


class TeacherUnreviewed(BaseModel):
    teacher_id: uuid.UUID
    teacher_name: str | None
    overdue: int = Field(description="Не проверены к концу учебного дня (в том числе позже)")
    unreviewed: int = Field(description="Из них не проверены до сих пор")
    pending: int = Field(description="Срок проверки ещё не наступил")
    works: list[UnreviewedWork]


class UnreviewedReport(BaseModel):
    date: dt.date = Field(description="День получения работ (по времени школы)")
    timezone: str
    school_day_ends_at: str = Field(
        pattern=r"^\d{2}:\d{2}$", description="Конец учебного дня школы, ЧЧ:ММ"
    )
    generated_at: datetime
    overdue: int
    unreviewed: int
    pending: int
    teachers: list[TeacherUnreviewed]
