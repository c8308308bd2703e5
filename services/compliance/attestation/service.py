"""Attestation events and their procedures (CO-6, §4.7, §4.8).

Rules beyond the schemas:

* an event is of a course known from learning's feed (its class is the course's) or
  of a class group of the directory (404 ``course-not-found`` /
  ``class-group-not-found``; a class that is not the course's: 422
  ``class-group-mismatch``);
* the local act is dated no later than the event (422 ``local-act-after-event``, §4.7);
* the identification method can't change once students were identified by it (409
  ``identifications-exist``);
* violations, incidents and informing records are made by the event's teachers and the
  administration; an incident's retake is dated on or after the event (422
  ``retake-before-event``) and is required for ``retake_scheduled`` (422
  ``retake-date-required``); nothing is dated in the future (422 ``in-future``);
* a violation or incident naming a student names one of the event's students (422
  ``not-a-participant``).

Identification itself lives in :mod:`services.compliance.attestation.identification`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.compliance.attestation.auth import EventAccess
from services.compliance.attestation.repository import (
    EventRepository,
    IdentificationRepository,
    IncidentRepository,
    ViolationRepository,
)
from services.compliance.attestation.schemas import (
    EventCreate,
    EventRead,
    EventUpdate,
    IncidentCreate,
    IncidentRead,
    IncidentUpdate,
    InformingCreate,
    InformingRead,
    ViolationCreate,
    ViolationRead,
)
from services.compliance.models import (
    AttestationEvent,
    AttestationIncident,
    AttestationInforming,
    AttestationViolation,
    kernel,
)

EVENT_TYPES = [
    "attestation_event.created",
    "attestation_event.updated",
    "attestation_informing.recorded",
    "attestation_identification.recorded",
    "attestation_violation.recorded",
    "attestation_incident.recorded",
    "attestation_incident.updated",
]

# Clocks of devices and servers differ a little; "now" is never "in the future".
CLOCK_SKEW = timedelta(minutes=5)


def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None


def event_payload(event: AttestationEvent) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "title": event.title,
        "kind": event.kind,
        "course_id": str(event.course_id) if event.course_id else None,
        "class_group_id": str(event.class_group_id),
        "subject": event.subject,
        "held_on": event.held_on.isoformat(),
        "starts_at": event.starts_at,
        "duration_minutes": event.duration_minutes,
        "local_act_number": event.local_act_number,
        "local_act_date": event.local_act_date.isoformat(),
        "identification_method": event.identification_method,
        "condition_control": event.condition_control,
        "technical_problems_procedure": event.technical_problems_procedure,
        "results_location": event.results_location,
        "version": event.version,
    }


def event_read(
    event: AttestationEvent, informings: list[AttestationInforming], class_name: str | None
) -> EventRead:
    return EventRead(
        id=event.id,
        title=event.title,
        kind=event.kind,  # type: ignore[arg-type]
        course_id=event.course_id,
        class_group_id=event.class_group_id,
        class_name=class_name,
        subject=event.subject,
        held_on=event.held_on,
        starts_at=event.starts_at,
        duration_minutes=event.duration_minutes,
        local_act_number=event.local_act_number,
        local_act_date=event.local_act_date,
        identification_method=event.identification_method,  # type: ignore[arg-type]
        condition_control=event.condition_control,
        technical_problems_procedure=event.technical_problems_procedure,
        results_location=event.results_location,
        informings=[
            InformingRead(
                id=i.id,
                informed_on=i.informed_on,
                channel=i.channel,
                description=i.description,
                recorded_by=i.recorded_by,
                created_at=i.created_at,
            )
            for i in informings
        ],
        version=event.version,
        created_at=event.created_at,
        updated_at=event.updated_at,
    )


def violation_read(v: AttestationViolation, names: dict[uuid.UUID, Any]) -> ViolationRead:
    who = names.get(v.recorded_by)
    return ViolationRead(
        id=v.id,
        event_id=v.event_id,
        student_id=v.student_id,
        occurred_at=v.occurred_at,
        kind=v.kind,
        description=v.description,
        evidence_url=v.evidence_url,
        evidence_text=v.evidence_text,
        recorded_by=v.recorded_by,
        recorded_by_name=who.full_name if who is not None else None,
        created_at=v.created_at,
    )


def incident_read(i: AttestationIncident) -> IncidentRead:
    return IncidentRead(
        id=i.id,
        event_id=i.event_id,
        student_id=i.student_id,
        occurred_at=i.occurred_at,
        kind=i.kind,
        description=i.description,
        outcome=i.outcome,  # type: ignore[arg-type]
        retake_on=i.retake_on,
        outcome_note=i.outcome_note,
        recorded_by=i.recorded_by,
        created_at=i.created_at,
        updated_at=i.updated_at,
    )


def not_in_future(value: datetime, field: str) -> None:
    if value > utcnow() + CLOCK_SKEW:
        raise BusinessRuleError(
            "Время не может быть в будущем: записывается то, что уже произошло",
            code="in-future",
            extra={"field": field},
        )


class EventService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.access = EventAccess(session, principal)
        self.events = EventRepository(session)
        self.school_id = principal.school_id

    async def _emit(
        self, type_: str, aggregate: str, aggregate_id: uuid.UUID, payload: dict[str, Any]
    ) -> None:
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type=type_,
            aggregate_type=aggregate,
            aggregate_id=aggregate_id,
            payload=payload,
        )

    async def present(self, events: list[AttestationEvent]) -> list[EventRead]:
        informings = await self.events.informings(self.school_id, [e.id for e in events])
        names: dict[uuid.UUID, str] = {}
        for group_id in {e.class_group_id for e in events}:
            group = await self.access.directory.class_group(self.school_id, group_id)
            if group is not None:
                names[group_id] = group.name
        return [event_read(e, informings[e.id], names.get(e.class_group_id)) for e in events]

    # -- reads

    async def list_events(
        self,
        params: PageParams,
        *,
        date_from: date | None,
        date_to: date | None,
        kind: str | None,
    ) -> tuple[list[EventRead], dict[str, Any] | None]:
        classes, courses = await self.access.reader_scope()
        rows, cursor = await self.events.page_visible(
            self.school_id,
            params,
            class_group_ids=classes,
            course_ids=courses,
            date_from=date_from,
            date_to=date_to,
            kind=kind,
        )
        return await self.present(rows), cursor

    async def get(self, event_id: uuid.UUID) -> EventRead:
        return (await self.present([await self.access.readable(event_id)]))[0]

    # -- writes (administration)

    async def _target(self, body: EventCreate) -> tuple[uuid.UUID, str | None]:
        subject = None
        class_group_id = body.class_group_id
        if body.course_id is not None:
            course = (await self.events.courses(self.school_id, [body.course_id])).get(
                body.course_id
            )
            if course is None:
                raise NotFound("Курс не найден", code="course-not-found")
            if class_group_id is not None and class_group_id != course.class_group_id:
                raise BusinessRuleError(
                    "Класс не совпадает с классом курса", code="class-group-mismatch"
                )
            class_group_id, subject = course.class_group_id, course.subject
        assert class_group_id is not None
        if await self.access.directory.class_group(self.school_id, class_group_id) is None:
            raise NotFound("Класс не найден", code="class-group-not-found")
        return class_group_id, subject

    @staticmethod
    def _check_act(act_date: date, held_on: date) -> None:
        if act_date > held_on:
            raise BusinessRuleError(
                "Локальный акт о проведении аттестации с применением ЭО и ДОТ издаётся до "
                f"мероприятия: дата акта {act_date.strftime('%d.%m.%Y')} позже даты "
                f"мероприятия {held_on.strftime('%d.%m.%Y')} (§4.7 Положения)",
                code="local-act-after-event",
            )

    async def create(self, body: EventCreate) -> EventRead:
        self.access.require_administration()
        class_group_id, subject = await self._target(body)
        self._check_act(body.local_act_date, body.held_on)
        event = AttestationEvent(
            id=uuid.uuid4(),
            school_id=self.school_id,
            title=body.title,
            kind=body.kind,
            course_id=body.course_id,
            class_group_id=class_group_id,
            subject=subject,
            held_on=body.held_on,
            starts_at=body.starts_at.strftime("%H:%M") if body.starts_at else None,
            duration_minutes=body.duration_minutes,
            local_act_number=body.local_act_number,
            local_act_date=body.local_act_date,
            identification_method=body.identification_method,
            condition_control=body.condition_control,
            technical_problems_procedure=body.technical_problems_procedure,
            results_location=body.results_location,
            created_by=self.principal.user_id,
        )
        await self.events.add(event)
        await self._emit(
            "attestation_event.created", "attestation_event", event.id, event_payload(event)
        )
        return (await self.present([event]))[0]

    async def update(self, event_id: uuid.UUID, body: EventUpdate) -> EventRead:
        event = await self.access.writable(event_id)
        try:
            changes = body.changes()
        except ValueError as exc:
            raise BusinessRuleError(
                f"Поле {exc} обязательно и не может быть пустым", code="field-required"
            ) from None
        if "starts_at" in changes and changes["starts_at"] is not None:
            changes["starts_at"] = changes["starts_at"].strftime("%H:%M")  # type: ignore[attr-defined]
        if (
            "identification_method" in changes
            and changes["identification_method"] != event.identification_method
            and await IdentificationRepository(self.session).of_event(
                self.school_id, event.id, None
            )
        ):
            raise Conflict(
                "Обучающиеся уже идентифицированы прежним способом: способ идентификации "
                "изменить нельзя",
                code="identifications-exist",
            )
        act_date = changes.get("local_act_date", event.local_act_date)
        held_on = changes.get("held_on", event.held_on)
        self._check_act(act_date, held_on)  # type: ignore[arg-type]
        changed = [name for name, value in changes.items() if getattr(event, name) != value]
        for name in changed:
            setattr(event, name, changes[name])
        if changed:
            event.version += 1
            event.updated_by = self.principal.user_id
            await self.session.flush()
            await self._emit(
                "attestation_event.updated",
                "attestation_event",
                event.id,
                {**event_payload(event), "changed": changed},
            )
        return (await self.present([event]))[0]

    # -- §4.8: informing, violations, incidents (teachers of the event, administration)

    async def add_informing(self, event_id: uuid.UUID, body: InformingCreate) -> EventRead:
        event = await self.access.examiner(event_id)
        today = await self.access.directory.today(self.school_id)
        if body.informed_on > today:
            raise BusinessRuleError(
                "Дата информирования не может быть позже сегодняшнего дня", code="in-future"
            )
        row = AttestationInforming(
            id=uuid.uuid4(),
            school_id=self.school_id,
            event_id=event.id,
            informed_on=body.informed_on,
            channel=body.channel,
            description=body.description,
            recorded_by=self.principal.user_id,
        )
        self.session.add(row)
        await self.session.flush()
        await self._emit(
            "attestation_informing.recorded",
            "attestation_event",
            event.id,
            {
                "id": str(row.id),
                "event_id": str(event.id),
                "informed_on": row.informed_on.isoformat(),
                "channel": row.channel,
                "description": row.description,
                "recorded_by": str(row.recorded_by),
            },
        )
        return (await self.present([event]))[0]

    async def _participant(self, event: AttestationEvent, student_id: uuid.UUID | None) -> None:
        if student_id is not None and student_id not in await self.access.participants(event):
            raise BusinessRuleError(
                "Обучающийся не участвует в этом мероприятии", code="not-a-participant"
            )

    async def add_violation(self, event_id: uuid.UUID, body: ViolationCreate) -> ViolationRead:
        event = await self.access.examiner(event_id)
        await self._participant(event, body.student_id)
        not_in_future(body.occurred_at, "occurred_at")
        row = AttestationViolation(
            id=uuid.uuid4(),
            school_id=self.school_id,
            event_id=event.id,
            student_id=body.student_id,
            occurred_at=body.occurred_at,
            kind=body.kind,
            description=body.description,
            evidence_url=body.evidence_url,
            evidence_text=body.evidence_text,
            recorded_by=self.principal.user_id,
        )
        await ViolationRepository(self.session).add(row)
        await self._emit(
            "attestation_violation.recorded",
            "attestation_event",
            event.id,
            {
                "id": str(row.id),
                "event_id": str(event.id),
                "student_id": str(row.student_id) if row.student_id else None,
                "occurred_at": iso(row.occurred_at),
                "kind": row.kind,
                "description": row.description,
                "evidence_url": row.evidence_url,
                "evidence_text": row.evidence_text,
                "recorded_by": str(row.recorded_by),
            },
        )
        names = await self.access.directory.people(self.school_id, [row.recorded_by])
        return violation_read(row, names)

    async def violations(self, event_id: uuid.UUID) -> list[ViolationRead]:
        event = await self.access.examiner(event_id)
        rows = await ViolationRepository(self.session).of_event(self.school_id, event.id)
        names = await self.access.directory.people(self.school_id, {r.recorded_by for r in rows})
        return [violation_read(r, names) for r in rows]

    @staticmethod
    def _check_outcome(event: AttestationEvent, outcome: str, retake_on: date | None) -> None:
        if outcome == "retake_scheduled" and retake_on is None:
            raise BusinessRuleError(
                "Для пересдачи укажите её дату (retake_on)", code="retake-date-required"
            )
        if retake_on is not None and outcome != "retake_scheduled":
            raise BusinessRuleError(
                "Дата пересдачи указывается только для итога retake_scheduled",
                code="retake-date-unexpected",
            )
        if retake_on is not None and retake_on < event.held_on:
            raise BusinessRuleError(
                "Пересдача не может быть раньше мероприятия", code="retake-before-event"
            )

    def _incident_payload(self, row: AttestationIncident) -> dict[str, Any]:
        return {
            "id": str(row.id),
            "event_id": str(row.event_id),
            "student_id": str(row.student_id) if row.student_id else None,
            "occurred_at": iso(row.occurred_at),
            "kind": row.kind,
            "description": row.description,
            "outcome": row.outcome,
            "retake_on": iso(row.retake_on),
            "outcome_note": row.outcome_note,
            "recorded_by": str(row.recorded_by),
        }

    async def add_incident(self, event_id: uuid.UUID, body: IncidentCreate) -> IncidentRead:
        event = await self.access.examiner(event_id)
        await self._participant(event, body.student_id)
        not_in_future(body.occurred_at, "occurred_at")
        self._check_outcome(event, body.outcome, body.retake_on)
        row = AttestationIncident(
            id=uuid.uuid4(),
            school_id=self.school_id,
            event_id=event.id,
            student_id=body.student_id,
            occurred_at=body.occurred_at,
            kind=body.kind,
            description=body.description,
            outcome=body.outcome,
            retake_on=body.retake_on,
            outcome_note=body.outcome_note,
            recorded_by=self.principal.user_id,
        )
        await IncidentRepository(self.session).add(row)
        await self._emit(
            "attestation_incident.recorded",
            "attestation_event",
            event.id,
            self._incident_payload(row),
        )
        return incident_read(row)

    async def update_incident(
        self, event_id: uuid.UUID, incident_id: uuid.UUID, body: IncidentUpdate
    ) -> IncidentRead:
        event = await self.access.examiner(event_id)
        row = await IncidentRepository(self.session).get(incident_id, school_id=self.school_id)
        if row is None or row.event_id != event.id:
            raise NotFound("Техническая проблема не найдена", code="incident-not-found")
        self._check_outcome(event, body.outcome, body.retake_on)
        row.outcome, row.retake_on, row.outcome_note = (
            body.outcome,
            body.retake_on,
            body.outcome_note,
        )
        row.updated_by = self.principal.user_id
        await self.session.flush()
        await self._emit(
            "attestation_incident.updated",
            "attestation_event",
            event.id,
            self._incident_payload(row),
        )
        return incident_read(row)

    async def incidents(self, event_id: uuid.UUID) -> list[IncidentRead]:
        event = await self.access.examiner(event_id)
        rows = await IncidentRepository(self.session).of_event(self.school_id, event.id)
        return [incident_read(r) for r in rows]
