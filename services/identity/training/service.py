"""Rules of DOT training records (ID-7, §3.4: only trained teachers teach with ЭО/ДОТ).

Records are kept for holders of the ``teacher`` role only. A record is valid on a day
when training was completed by then and ``valid_until`` (if any) has not passed; the
day is the school's (X-1). A teacher with a valid record is ``trained_for_dot``.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import BusinessRuleError
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.identity.models import TeacherTraining, User, kernel
from services.identity.school.service import SchoolService
from services.identity.training.auth import require_training_reader
from services.identity.training.repository import TrainingRepository
from services.identity.training.schemas import TrainingCreate, TrainingRead
from services.identity.users.auth import Viewer
from services.identity.users.repository import UserRepository
from services.identity.users.service import UserService


def training_payload(training: TeacherTraining, teacher: User, trained: bool) -> dict[str, Any]:
    """The ``teacher_training.recorded`` event: complete, so consumers never call back."""
    return {
        "id": str(training.id),
        "teacher_id": str(teacher.id),
        "teacher": {
            "last_name": teacher.last_name,
            "first_name": teacher.first_name,
            "middle_name": teacher.middle_name,
        },
        "program": training.program,
        "provider": training.provider,
        "hours": training.hours,
        "completed_on": training.completed_on.isoformat(),
        "valid_until": training.valid_until.isoformat() if training.valid_until else None,
        "trained_for_dot": trained,
    }


def is_valid(training: TeacherTraining, today: date) -> bool:
    return training.completed_on <= today and (
        training.valid_until is None or training.valid_until >= today
    )


def training_read(training: TeacherTraining, today: date) -> TrainingRead:
    return TrainingRead(
        id=training.id,
        teacher_id=training.teacher_id,
        program=training.program,
        provider=training.provider,
        hours=training.hours,
        completed_on=training.completed_on,
        valid_until=training.valid_until,
        document_number=training.document_number,
        is_valid=is_valid(training, today),
        created_at=training.created_at,
    )


class TrainingService:
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.session = session
        self.viewer = viewer
        self.trainings = TrainingRepository(session)
        self.users = UserRepository(session)

    async def list_trainings(
        self, teacher_id: uuid.UUID, params: PageParams
    ) -> tuple[list[TrainingRead], dict[str, Any] | None]:
        await UserService(self.session, self.viewer).visible_user(teacher_id)
        require_training_reader(self.viewer, teacher_id)
        today = await SchoolService(self.session).today(self.viewer.school_id)
        rows, cursor = await self.trainings.page_of(self.viewer.school_id, teacher_id, params)
        return [training_read(r, today) for r in rows], cursor

    async def record(self, teacher_id: uuid.UUID, body: TrainingCreate) -> TrainingRead:
        teacher = await UserService(self.session, self.viewer).for_admin(teacher_id)
        if "teacher" not in teacher.role_names:
            raise BusinessRuleError(
                "Обучение ЭО/ДОТ записывается только педагогам", code="not-a-teacher"
            )
        today = await SchoolService(self.session).today(self.viewer.school_id)
        if body.completed_on > today:
            raise BusinessRuleError(
                "Дата окончания обучения не может быть в будущем", code="training-in-future"
            )
        training = TeacherTraining(
            id=uuid.uuid4(),
            school_id=self.viewer.school_id,
            teacher_id=teacher.id,
            program=body.program,
            provider=body.provider,
            hours=body.hours,
            completed_on=body.completed_on,
            valid_until=body.valid_until,
            document_number=body.document_number,
        )
        await self.trainings.add(training)
        trained = bool(await self.users.trained_ids([teacher.id], today))
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.viewer.school_id,
            type="teacher_training.recorded",
            aggregate_type="teacher_training",
            aggregate_id=training.id,
            payload=training_payload(training, teacher, trained),
        )
        return training_read(training, today)
