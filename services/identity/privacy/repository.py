"""All SQL about consents and the personal-data access log (ID-10, X-7)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_

from services.common.context import current_request_id
from services.common.db import utcnow
from services.common.errors import BadRequest
from services.common.pagination import PageParams
from services.common.repository import Repository
from services.identity.models import Consent, PersonalDataAccess


class AccessLogRepository(Repository[PersonalDataAccess]):
    model = PersonalDataAccess

    async def record(
        self,
        school_id: uuid.UUID,
        actor_id: uuid.UUID,
        subject_ids: Iterable[uuid.UUID],
        action: str,
        resource: str,
    ) -> None:
        """One row per subject, in the request's transaction."""
        now = utcnow()
        rid = current_request_id()
        rows = [
            {
                "id": uuid.uuid4(),
                "school_id": school_id,
                "actor_id": actor_id,
                "subject_id": subject_id,
                "action": action,
                "resource": resource,
                "request_id": rid,
                "at": now,
            }
            for subject_id in dict.fromkeys(subject_ids)
        ]
        if rows:
            await self.session.execute(insert(PersonalDataAccess), rows)

    async def newest_first(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        subject_id: uuid.UUID | None = None,
        actor_id: uuid.UUID | None = None,
    ) -> tuple[list[PersonalDataAccess], dict[str, Any] | None]:
        """Keyset page ordered by time, newest first (``at``, then ``id``)."""
        stmt = self._scoped(school_id)
        if subject_id is not None:
            stmt = stmt.where(PersonalDataAccess.subject_id == subject_id)
        if actor_id is not None:
            stmt = stmt.where(PersonalDataAccess.actor_id == actor_id)
        after = params.after()
        if after is not None:
            try:
                at = datetime.fromisoformat(str(after["at"]))
                last = uuid.UUID(str(after["id"]))
            except (KeyError, ValueError):
                raise BadRequest(
                    "Курсор повреждён или не распознан", code="invalid-cursor"
                ) from None
            stmt = stmt.where(
                or_(
                    PersonalDataAccess.at < at,
                    and_(PersonalDataAccess.at == at, PersonalDataAccess.id < last),
                )
            )
        stmt = stmt.order_by(PersonalDataAccess.at.desc(), PersonalDataAccess.id.desc())
        rows = list(await self.all(stmt.limit(params.limit + 1)))
        if len(rows) > params.limit:
            rows = rows[: params.limit]
            return rows, {"at": rows[-1].at.isoformat(), "id": str(rows[-1].id)}
        return rows, None

    async def about(self, school_id: uuid.UUID, subject_id: uuid.UUID) -> list[PersonalDataAccess]:
        stmt = (
            self._scoped(school_id)
            .where(PersonalDataAccess.subject_id == subject_id)
            .order_by(PersonalDataAccess.at.desc(), PersonalDataAccess.id.desc())
        )
        return list(await self.all(stmt))


class ConsentRepository(Repository[Consent]):
    model = Consent

    async def page_in_school(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        subject_ids: Iterable[uuid.UUID] | None,
        kind: str | None,
        active: bool | None,
    ) -> tuple[list[Consent], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if subject_ids is not None:
            stmt = stmt.where(Consent.subject_id.in_(list(subject_ids)))
        if kind is not None:
            stmt = stmt.where(Consent.kind == kind)
        if active is True:
            stmt = stmt.where(Consent.withdrawn_at.is_(None))
        elif active is False:
            stmt = stmt.where(Consent.withdrawn_at.is_not(None))
        return await self.page(stmt, params)

    async def of_subject(self, school_id: uuid.UUID, subject_id: uuid.UUID) -> list[Consent]:
        stmt = (
            self._scoped(school_id)
            .where(Consent.subject_id == subject_id)
            .order_by(Consent.given_on, Consent.id)
        )
        return list(await self.all(stmt))
