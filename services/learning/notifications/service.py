"""Who may see and retry the outbox's copies (LE-5, Reg §2.2; X-7).

* admins and staff: every copy of their school (staff read only);
* a teacher: the copies they own (``owner_ids`` given to ``enqueue``: for an assignment,
  its course's teachers); they may retry those;
* everyone: the copies sent to them (``/notifications/mine``);
* another school's copy is "not found".
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.db import utcnow
from services.common.directory import Directory
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.pagination import PageParams
from services.learning.models import directory
from services.learning.models.notifications import (
    RETRYABLE_STATES,
    Notification,
    NotificationAttempt,
)
from services.learning.notifications.repository import NotificationRepository, StatusFilter
from services.learning.notifications.schemas import (
    MyNotification,
    NotificationAttemptRead,
    NotificationStatus,
)

NOT_FOUND = "Уведомление не найдено"


class NotificationService:
    def __init__(self, session: AsyncSession, principal: Principal) -> None:
        self.session = session
        self.principal = principal
        self.school_id = principal.school_id
        self.repo = NotificationRepository(session)

    def _sees_all(self) -> bool:
        return self.principal.has("admin", "staff")

    async def status(
        self, f: StatusFilter, params: PageParams
    ) -> tuple[list[NotificationStatus], dict[str, Any] | None]:
        if not self._sees_all():
            if not self.principal.has("teacher"):
                raise Forbidden(
                    "Состояние доставки видят педагоги и администрация",
                    code="notification-status-forbidden",
                )
            f = StatusFilter(
                subject_ref=f.subject_ref,
                topic=f.topic,
                state=f.state,
                owner_id=self.principal.user_id,
            )
        rows, cursor = await self.repo.status_page(self.school_id, f, params)
        return await self._statuses(rows), cursor

    async def mine(self, params: PageParams) -> tuple[list[MyNotification], dict[str, Any] | None]:
        rows, cursor = await self.repo.recipient_page(
            self.school_id, self.principal.user_id, params
        )
        return [
            MyNotification(
                id=r.id,
                topic=r.topic,
                subject_ref=r.subject_ref,
                on_behalf_of=r.on_behalf_of,
                subject=r.subject,
                body=r.body,
                state=r.state,
                sent_at=r.sent_at,
                created_at=r.created_at,
            )
            for r in rows
        ], cursor

    async def retry(self, notification_id: uuid.UUID) -> NotificationStatus:
        """Send a failed (or address-less) copy again: a fresh series of attempts."""
        row = await self.repo.get_loaded(notification_id, self.school_id)
        if row is None:
            raise NotFound(NOT_FOUND, code="notification-not-found")
        p = self.principal
        if not (p.has("admin") or (p.has("teacher") and p.user_id in row.owner_ids)):
            raise Forbidden(
                "Повторить отправку могут педагоги, чьё это уведомление, и администратор",
                code="notification-retry-forbidden",
            )
        if row.state not in RETRYABLE_STATES:
            raise Conflict(
                "Повторить можно только недоставленное уведомление "
                "(состояние failed или no_address)",
                code="notification-not-retryable",
            )
        now = utcnow()
        row.history.append(
            NotificationAttempt(
                school_id=row.school_id,
                at=now,
                attempt_no=row.attempts,
                outcome="retry_requested",
                error=row.last_error,
                actor_id=p.user_id,
            )
        )
        row.state = "pending"
        row.attempts = 0
        row.next_attempt_at = now
        row.claim_token = None
        row.last_error = None
        await self.session.flush()
        return (await self._statuses([row]))[0]

    async def _statuses(self, rows: list[Notification]) -> list[NotificationStatus]:
        ids = {r.recipient_id for r in rows} | {r.on_behalf_of for r in rows if r.on_behalf_of}
        people = await Directory(self.session, directory).people(self.school_id, ids)

        def name(person_id: uuid.UUID | None) -> str | None:
            person = people.get(person_id) if person_id else None
            return str(person.full_name) if person is not None else None

        return [
            NotificationStatus(
                id=r.id,
                topic=r.topic,
                subject_ref=r.subject_ref,
                recipient_id=r.recipient_id,
                recipient_role=r.recipient_role,
                recipient_name=name(r.recipient_id),
                on_behalf_of=r.on_behalf_of,
                on_behalf_of_name=name(r.on_behalf_of),
                subject=r.subject,
                state=r.state,  # type: ignore[arg-type]
                attempts=r.attempts,
                next_attempt_at=r.next_attempt_at,
                last_attempt_at=r.last_attempt_at,
                last_error=r.last_error,
                sent_at=r.sent_at,
                created_at=r.created_at,
                history=[
                    NotificationAttemptRead(
                        at=h.at,
                        attempt_no=h.attempt_no,
                        outcome=h.outcome,
                        error=h.error,
                        actor_id=h.actor_id,
                    )
                    for h in r.history
                ],
            )
            for r in rows
        ]
