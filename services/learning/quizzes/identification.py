"""Identification of students for attestation-mode quizzes (§4.5, §4.8, §5.3).

The school decides how students are identified and how the conditions of an
assessment are controlled; the compliance service runs that procedure and records
each identification here through ``POST /api/v1/learning/quizzes/identifications``
(service token). :func:`check_identification` is the one place an attestation-mode
attempt asks whether its student may start.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.directory import Directory
from services.common.errors import BusinessRuleError, Forbidden, NotFound
from services.learning.models import QuizIdentification, directory
from services.learning.quizzes.repository import IdentificationRepository
from services.learning.quizzes.schemas import IdentificationCreate, IdentificationRead

# Clocks of two services differ a little; an identification "now" is never refused.
CLOCK_SKEW = timedelta(minutes=5)


async def check_identification(
    session: AsyncSession,
    *,
    school_id: uuid.UUID,
    student_id: uuid.UUID,
    attestation_event_id: uuid.UUID | None,
) -> None:
    """Admit a student to an attestation-mode attempt only when an identification for
    the attestation event has been recorded (else 403 ``identification-required``)."""
    if attestation_event_id is not None and await IdentificationRepository(session).exists_for(
        school_id, student_id, attestation_event_id
    ):
        return
    raise Forbidden(
        "Перед аттестацией обучающийся должен пройти идентификацию",
        code="identification-required",
    )


async def record_identification(
    session: AsyncSession, body: IdentificationCreate, now: datetime
) -> IdentificationRead:
    person = await Directory(session, directory).person(body.school_id, body.student_id)
    if person is None or not person.has_role("student"):
        raise NotFound("Обучающийся не найден", code="student-not-found")
    if body.identified_at > now + CLOCK_SKEW:
        raise BusinessRuleError(
            "Время идентификации не может быть в будущем", code="identification-in-future"
        )
    record = QuizIdentification(
        id=uuid.uuid4(),
        school_id=body.school_id,
        student_id=body.student_id,
        attestation_event_id=body.attestation_event_id,
        method=body.method,
        identified_at=body.identified_at,
        identified_by=body.identified_by,
    )
    await IdentificationRepository(session).add(record)
    return IdentificationRead.model_validate(record)
