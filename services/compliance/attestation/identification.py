"""Identification of students before an attestation event (ID-8, §4.5, §4.8, §5.3).

By the event's method:

* ``password_reauth`` — the student re-enters their password at identity
  (``POST /api/v1/identity/reauth``) and hands the signed proof here; it is checked
  against identity's JWKS: type ``reauth``, not expired, issued to this student of this
  school, and accepted once (422 ``reauth-proof-invalid`` / ``reauth-proof-expired`` /
  ``reauth-proof-used``);
* ``one_time_code`` — the examiner (a teacher of the event, or the administration)
  issues a code for a student; only its keyed hash is kept; it expires, is used once
  and allows a few entries; a new code replaces the old one (422 ``code-not-issued``,
  ``code-expired``, ``code-already-used``, ``code-attempts-exhausted``,
  ``code-invalid``);
* ``proctor`` — a teacher of the event or the administration records that they checked
  the student's identity.

A method other than the event's is refused (422 ``identification-method-mismatch``);
identification is possible until the end of the event's day or of its latest retake
(422 ``attestation-event-over``). Each identification is recorded (who, how, when, by
whom), emitted as ``attestation_identification.recorded`` and told to learning, which
then lets the student start the event's attestation-mode quiz.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import jwt
from services.common.auth import REAUTH_PROOF_TYPE, Principal, TokenVerifier
from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Forbidden, NotFound
from services.common.outbox import emit
from services.compliance.attestation.auth import EventAccess
from services.compliance.attestation.learning import LearningIdentifications
from services.compliance.attestation.repository import CodeRepository, IdentificationRepository
from services.compliance.attestation.schemas import (
    CodeIssued,
    IdentificationIn,
    IdentificationRead,
    OneTimeCodeIn,
    ParticipantRead,
    PasswordReauthIn,
    ProctorIn,
)
from services.compliance.models import (
    AttestationCode,
    AttestationEvent,
    AttestationIdentification,
    kernel,
)

CODE_DIGITS = 6
METHOD_NAMES = {
    "password_reauth": "повторный ввод пароля",
    "one_time_code": "одноразовый код",
    "proctor": "проверка проктором",
}


def identification_read(
    row: AttestationIdentification, names: dict[uuid.UUID, Any]
) -> IdentificationRead:
    student = names.get(row.student_id)
    by = names.get(row.identified_by)
    return IdentificationRead(
        id=row.id,
        event_id=row.event_id,
        student_id=row.student_id,
        student_name=student.full_name if student is not None else None,
        method=row.method,  # type: ignore[arg-type]
        identified_at=row.identified_at,
        identified_by=row.identified_by,
        identified_by_name=by.full_name if by is not None else None,
        recorded_by=row.recorded_by,
        note=row.note,
    )


class IdentificationService:
    def __init__(
        self,
        session: AsyncSession,
        principal: Principal,
        *,
        secret: str,
        verifier: TokenVerifier,
        learning: LearningIdentifications,
        code_minutes: int,
        code_attempts: int,
    ) -> None:
        self.session = session
        self.principal = principal
        self.school_id = principal.school_id
        self.access = EventAccess(session, principal)
        self.codes = CodeRepository(session)
        self.identifications = IdentificationRepository(session)
        self.secret = secret
        self.verifier = verifier
        self.learning = learning
        self.code_minutes = code_minutes
        self.code_attempts = code_attempts

    def _hash(self, code_id: uuid.UUID, code: str) -> str:
        message = f"attestation-code:{code_id}:{code}".encode()
        return hmac.new(self.secret.encode(), message, hashlib.sha256).hexdigest()

    async def _open(self, event: AttestationEvent) -> None:
        today = await self.access.directory.today(self.school_id)
        last = event.held_on
        retake = await self.access.events.latest_retake(self.school_id, event.id)
        if retake is not None and retake > last:
            last = retake
        if today > last:
            raise BusinessRuleError(
                f"Мероприятие прошло ({last.strftime('%d.%m.%Y')}): идентификация для него "
                "больше не проводится",
                code="attestation-event-over",
            )

    async def _participant(self, event: AttestationEvent, student_id: uuid.UUID) -> None:
        if student_id not in await self.access.participants(event):
            raise BusinessRuleError(
                "Обучающийся не участвует в этом мероприятии", code="not-a-participant"
            )

    # -- codes

    async def issue_code(self, event_id: uuid.UUID, student_id: uuid.UUID) -> CodeIssued:
        event = await self.access.examiner(event_id)
        if event.identification_method != "one_time_code":
            raise BusinessRuleError(
                "Для этого мероприятия выбран другой способ идентификации: "
                f"{METHOD_NAMES[event.identification_method]}",
                code="identification-method-mismatch",
            )
        student = await self.access.directory.person(self.school_id, student_id)
        if student is None or not student.has_role("student"):
            raise NotFound("Обучающийся не найден", code="student-not-found")
        await self._participant(event, student_id)
        await self._open(event)
        now = utcnow()
        await self.codes.revoke_open(self.school_id, event.id, student_id, now)
        code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
        row = AttestationCode(
            id=uuid.uuid4(),
            school_id=self.school_id,
            event_id=event.id,
            student_id=student_id,
            issued_by=self.principal.user_id,
            issued_at=now,
            expires_at=now + timedelta(minutes=self.code_minutes),
            attempts=0,
            max_attempts=self.code_attempts,
        )
        row.code_hash = self._hash(row.id, code)
        await self.codes.add(row)
        return CodeIssued(
            event_id=event.id,
            student_id=student_id,
            code=code,
            expires_at=row.expires_at,
            max_attempts=row.max_attempts,
        )

    async def _check_code(self, event: AttestationEvent, body: OneTimeCodeIn) -> AttestationCode:
        student_id = self.principal.user_id
        row = await self.codes.current(self.school_id, event.id, student_id)
        if row is None:
            raise BusinessRuleError(
                "Одноразовый код не выдан: обратитесь к экзаменатору", code="code-not-issued"
            )
        now = utcnow()
        if row.used_at is not None:
            raise BusinessRuleError(
                "Этот код уже использован: попросите у экзаменатора новый",
                code="code-already-used",
            )
        if row.expires_at <= now:
            raise BusinessRuleError(
                "Срок действия кода истёк: попросите у экзаменатора новый", code="code-expired"
            )
        if row.attempts >= row.max_attempts:
            raise BusinessRuleError(
                "Код введён неверно слишком много раз: попросите у экзаменатора новый",
                code="code-attempts-exhausted",
            )
        if not hmac.compare_digest(row.code_hash, self._hash(row.id, body.code)):
            row.attempts += 1
            left = row.max_attempts - row.attempts
            # The count of wrong entries must outlive the error response (the request's
            # transaction is rolled back on errors): commit it alone, as nothing else
            # was written in this request yet.
            await self.session.commit()
            raise BusinessRuleError(
                f"Неверный код; осталось попыток: {left}",
                code="code-invalid",
                extra={"attempts_left": left},
            )
        if not await self.codes.mark_used(row.id, now):
            raise BusinessRuleError(
                "Этот код уже использован: попросите у экзаменатора новый",
                code="code-already-used",
            )
        return row

    # -- password re-entry

    async def _check_proof(self, body: PasswordReauthIn) -> str:
        try:
            claims = await self.verifier.verify_proof(body.proof, REAUTH_PROOF_TYPE)
        except jwt.TokenExpired:
            raise BusinessRuleError(
                "Подтверждение пароля устарело: введите пароль ещё раз",
                code="reauth-proof-expired",
            ) from None
        except jwt.TokenInvalid:
            raise BusinessRuleError(
                "Подтверждение пароля недействительно", code="reauth-proof-invalid"
            ) from None
        if claims.get("sub") != str(self.principal.user_id) or claims.get("school") != str(
            self.school_id
        ):
            raise BusinessRuleError(
                "Подтверждение пароля выдано другому пользователю", code="reauth-proof-invalid"
            )
        proof_id = str(claims["jti"])
        if await self.identifications.proof_used(proof_id):
            raise BusinessRuleError(
                "Это подтверждение пароля уже использовано: введите пароль ещё раз",
                code="reauth-proof-used",
            )
        return proof_id

    # -- identification

    async def identify(self, event_id: uuid.UUID, body: IdentificationIn) -> IdentificationRead:
        event = await self.access.readable(event_id)
        if body.method != event.identification_method:
            raise BusinessRuleError(
                "Для этого мероприятия выбран другой способ идентификации: "
                f"{METHOD_NAMES[event.identification_method]}",
                code="identification-method-mismatch",
            )
        code_id: uuid.UUID | None = None
        proof_id: str | None = None
        note: str | None = None
        if isinstance(body, ProctorIn):
            event = await self.access.examiner(event_id)
            student_id = body.student_id
            student = await self.access.directory.person(self.school_id, student_id)
            if student is None or not student.has_role("student"):
                raise NotFound("Обучающийся не найден", code="student-not-found")
            await self._participant(event, student_id)
            await self._open(event)
            identified_by, note = self.principal.user_id, body.note
        else:
            if not self.principal.has("student"):
                raise Forbidden(
                    "Этим способом обучающийся идентифицирует себя сам",
                    code="students-only",
                )
            student_id = self.principal.user_id
            await self._participant(event, student_id)
            await self._open(event)
            if isinstance(body, OneTimeCodeIn):
                code = await self._check_code(event, body)
                code_id, identified_by = code.id, code.issued_by
            else:
                proof_id = await self._check_proof(body)
                identified_by = student_id
        row = AttestationIdentification(
            id=uuid.uuid4(),
            school_id=self.school_id,
            event_id=event.id,
            student_id=student_id,
            method=body.method,
            identified_at=utcnow(),
            identified_by=identified_by,
            recorded_by=self.principal.user_id,
            code_id=code_id,
            proof_id=proof_id,
            note=note,
        )
        try:
            await self.identifications.add(row)
        except IntegrityError:
            raise BusinessRuleError(
                "Это подтверждение пароля уже использовано: введите пароль ещё раз",
                code="reauth-proof-used",
            ) from None
        payload = {
            "id": str(row.id),
            "event_id": str(event.id),
            "course_id": str(event.course_id) if event.course_id else None,
            "class_group_id": str(event.class_group_id),
            "student_id": str(student_id),
            "method": row.method,
            "identified_at": row.identified_at.isoformat(),
            "identified_by": str(identified_by),
            "recorded_by": str(row.recorded_by),
        }
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="attestation_identification.recorded",
            aggregate_type="attestation_event",
            aggregate_id=event.id,
            payload=payload,
        )
        # last: learning admits the student only once everything here is in place
        await self.learning.record(
            {
                "school_id": str(self.school_id),
                "student_id": str(student_id),
                "attestation_event_id": str(event.id),
                "method": row.method,
                "identified_at": row.identified_at.isoformat(),
                "identified_by": str(identified_by),
            }
        )
        names = await self.access.directory.people(self.school_id, {student_id, identified_by})
        return identification_read(row, names)

    # -- reads

    async def list_identifications(self, event_id: uuid.UUID) -> list[IdentificationRead]:
        event = await self.access.readable(event_id)
        visible = None
        if not (self.access.is_administration or await self.access.teaches(event)):
            visible = await self.access.visible_students() or set()
        rows = await self.identifications.of_event(self.school_id, event.id, visible)
        ids = {r.student_id for r in rows} | {r.identified_by for r in rows}
        names = await self.access.directory.people(self.school_id, ids)
        return [identification_read(r, names) for r in rows]

    async def participants(self, event_id: uuid.UUID) -> list[ParticipantRead]:
        event = await self.access.examiner(event_id)
        students = await self.access.participants(event)
        rows = await self.identifications.of_event(self.school_id, event.id, None)
        latest: dict[uuid.UUID, AttestationIdentification] = {}
        for row in rows:
            latest[row.student_id] = row
        with_code = await self.codes.usable_for(self.school_id, event.id, utcnow())
        names = await self.access.directory.people(self.school_id, students)
        out = []
        for student_id in students:
            found = latest.get(student_id)
            person = names.get(student_id)
            out.append(
                ParticipantRead(
                    student_id=student_id,
                    student_name=person.full_name if person is not None else None,
                    identified=found is not None,
                    identified_at=found.identified_at if found is not None else None,
                    method=found.method if found is not None else None,  # type: ignore[arg-type]
                    code_issued=student_id in with_code,
                )
            )
        out.sort(key=lambda p: (p.student_name or "", str(p.student_id)))
        return out
