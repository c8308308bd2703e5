"""Schemas of submitted works (LE-6)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

Channel = Literal["platform", "email", "other"]
RecordedChannel = Literal["email", "other"]
ReviewStatus = Literal["accepted", "returned"]


class FileRead(BaseModel):
    id: uuid.UUID
    name: str
    content_type: str
    size: int
    sha256: str


class ReviewBrief(BaseModel):
    id: uuid.UUID
    status: ReviewStatus
    mark: str | None = Field(
        description="Отметка; обучающемуся и родителю — null (она в GET /submissions/{id}/review)"
    )
    reviewed_at: datetime
    first_opened_at: datetime | None = Field(
        description="Когда обучающийся впервые открыл рецензию (Рег. §1.6)"
    )


class SubmissionRead(BaseModel):
    id: uuid.UUID
    assignment_id: uuid.UUID
    course_id: uuid.UUID
    student_id: uuid.UUID
    student_name: str | None
    version: int = Field(description="Номер версии работы: 1, 2, …")
    is_latest: bool
    text: str | None
    files: list[FileRead]
    channel: Channel = Field(description="platform, email или other (Рег. §1.5)")
    received_at: datetime = Field(description="Когда работа получена (UTC)")
    received_local: datetime = Field(description="Когда работа получена, по времени школы")
    late: bool = Field(description="Получена после срока сдачи")
    recorded_by: uuid.UUID = Field(description="Обучающийся или педагог, внёсший работу")
    created_at: datetime
    review: ReviewBrief | None
