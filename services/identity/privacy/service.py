"""Personal data (ID-10, 152-ФЗ): consents, the access log, the data-subject export.

* a consent is given by the person, by a linked guardian for a child, or recorded by
  admin or staff; publication (ст. 10.1) is a consent of its own kind; withdrawal is
  recorded (when, by whom), the row is kept;
* reads of another person's full profile are logged by the user presenter; exports
  are logged here; anyone may see who read their own data;
* the export holds everything identity keeps on the person.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.pagination import PageParams
from services.identity.guardianship.repository import GuardianshipRepository
from services.identity.guardianship.schemas import GuardianLink
from services.identity.models import Consent, PersonalDataAccess
from services.identity.privacy.auth import require_consent_manager, require_exporter
from services.identity.privacy.repository import AccessLogRepository, ConsentRepository
from services.identity.privacy.schemas import (
    AccessLogEntry,
    ChildBrief,
    ConsentCreate,
    ConsentRead,
    DataExport,
)
from services.identity.school.service import SchoolService
from services.identity.training.repository import TrainingRepository
from services.identity.training.service import training_read
from services.identity.users.auth import Viewer
from services.identity.users.repository import UserRepository
from services.identity.users.service import UserPresenter, UserService, person_brief


def consent_read(consent: Consent, today: date) -> ConsentRead:
    active = consent.withdrawn_at is None and (
        consent.valid_until is None or consent.valid_until >= today
    )
    return ConsentRead(
        id=consent.id,
        subject_id=consent.subject_id,
        given_by_id=consent.given_by_id,
        kind=consent.kind,  # type: ignore[arg-type]
        purpose=consent.purpose,
        data_categories=list(consent.data_categories),
        document_number=consent.document_number,
        given_on=consent.given_on,
        valid_until=consent.valid_until,
        withdrawn_at=consent.withdrawn_at,
        withdrawn_by_id=consent.withdrawn_by_id,
        is_active=active,
        created_at=consent.created_at,
    )


class PrivacyService:
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.session = session
        self.viewer = viewer
        self.consents = ConsentRepository(session)
        self.log = AccessLogRepository(session)
        self.users = UserRepository(session)

    @property
    def school_id(self) -> uuid.UUID:
        return self.viewer.school_id

    async def _today(self) -> date:
        return await SchoolService(self.session).today(self.school_id)

    async def _subject(self, subject_id: uuid.UUID) -> None:
        """404 for a person the caller can't see, then 403 unless they may manage consents."""
        await UserService(self.session, self.viewer).visible_user(subject_id)
        require_consent_manager(self.viewer, subject_id)

    # -- consents -------------------------------------------------------------------

    async def give(self, body: ConsentCreate) -> ConsentRead:
        await self._subject(body.subject_id)
        today = await self._today()
        if body.given_on > today:
            raise BusinessRuleError(
                "Дата согласия не может быть в будущем", code="consent-in-future"
            )
        consent = Consent(
            id=uuid.uuid4(),
            school_id=self.school_id,
            subject_id=body.subject_id,
            given_by_id=self.viewer.user_id,
            kind=body.kind,
            purpose=body.purpose,
            data_categories=list(dict.fromkeys(body.data_categories)),
            document_number=body.document_number,
            given_on=body.given_on,
            valid_until=body.valid_until,
        )
        await self.consents.add(consent)
        return consent_read(consent, today)

    async def list_consents(
        self,
        params: PageParams,
        *,
        subject_id: uuid.UUID | None,
        kind: str | None,
        active: bool | None,
    ) -> tuple[list[ConsentRead], dict[str, Any] | None]:
        subjects: set[uuid.UUID] | None
        if subject_id is not None:
            await self._subject(subject_id)
            subjects = {subject_id}
        elif self.viewer.is_administration:
            subjects = None
        else:
            subjects = set(self.viewer.children) | {self.viewer.user_id}
        rows, cursor = await self.consents.page_in_school(
            self.school_id, params, subject_ids=subjects, kind=kind, active=active
        )
        today = await self._today()
        return [consent_read(r, today) for r in rows], cursor

    async def withdraw(self, consent_id: uuid.UUID) -> ConsentRead:
        consent = await self.consents.get(consent_id, school_id=self.school_id)
        if consent is None or self.viewer.level(consent.subject_id) is None:
            raise NotFound("Согласие не найдено", code="consent-not-found")
        require_consent_manager(self.viewer, consent.subject_id)
        if consent.withdrawn_at is not None:
            raise Conflict("Согласие уже отозвано", code="consent-already-withdrawn")
        consent.withdrawn_at = utcnow()
        consent.withdrawn_by_id = self.viewer.user_id
        await self.session.flush()
        return consent_read(consent, await self._today())

    # -- access log -----------------------------------------------------------------

    async def _entries(self, rows: Sequence[PersonalDataAccess]) -> list[AccessLogEntry]:
        actors = {
            u.id: u
            for u in await self.users.many_in_school(
                list({r.actor_id for r in rows}), self.school_id
            )
        }
        return [
            AccessLogEntry(
                id=r.id,
                at=r.at,
                action=r.action,
                resource=r.resource,
                actor_id=r.actor_id,
                actor=person_brief(actors[r.actor_id]) if r.actor_id in actors else None,
                subject_id=r.subject_id,
                request_id=r.request_id,
            )
            for r in rows
        ]

    async def access_log(
        self,
        params: PageParams,
        *,
        subject_id: uuid.UUID | None,
        actor_id: uuid.UUID | None,
    ) -> tuple[list[AccessLogEntry], dict[str, Any] | None]:
        rows, cursor = await self.log.newest_first(
            self.school_id, params, subject_id=subject_id, actor_id=actor_id
        )
        return await self._entries(rows), cursor

    async def my_access_log(
        self, params: PageParams
    ) -> tuple[list[AccessLogEntry], dict[str, Any] | None]:
        rows, cursor = await self.log.newest_first(
            self.school_id, params, subject_id=self.viewer.user_id
        )
        return await self._entries(rows), cursor

    # -- export ---------------------------------------------------------------------

    async def export(self, subject_id: uuid.UUID) -> DataExport:
        user = await UserService(self.session, self.viewer).visible_user(subject_id)
        require_exporter(self.viewer, subject_id)
        if subject_id != self.viewer.user_id:
            await self.log.record(
                self.school_id, self.viewer.user_id, [subject_id], "export", "data_export"
            )
        presenter = UserPresenter(self.session, self.viewer)
        profile = await presenter.full(user, resource="data_export", record=False)
        links = await GuardianshipRepository(self.session).of_person(self.school_id, subject_id)
        people = {
            u.id: u
            for u in await self.users.many_in_school(
                list({x.guardian_id for x in links} | {x.student_id for x in links}),
                self.school_id,
            )
        }
        guardians = [
            GuardianLink(
                guardianship_id=x.id,
                relation=x.relation,
                guardian=person_brief(people[x.guardian_id]),
            )
            for x in links
            if x.student_id == subject_id and x.guardian_id in people
        ]
        children = [
            ChildBrief(
                guardianship_id=x.id, relation=x.relation, child=person_brief(people[x.student_id])
            )
            for x in links
            if x.guardian_id == subject_id and x.student_id in people
        ]
        today = await self._today()
        trainings = await TrainingRepository(self.session).of_teacher(self.school_id, subject_id)
        consents = await self.consents.of_subject(self.school_id, subject_id)
        log = await self.log.about(self.school_id, subject_id)
        return DataExport(
            generated_at=utcnow(),
            profile=profile,
            guardians=guardians,
            children=children,
            dot_trainings=[training_read(t, today) for t in trainings],
            consents=[consent_read(c, today) for c in consents],
            access_log=await self._entries(log),
        )
