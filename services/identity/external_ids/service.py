"""Rules of external identifiers (ID-9).

One id per object and system; within a school a system's value names one object of
a kind, so lookup is unambiguous. Lookup never crosses schools.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.errors import Conflict, NotFound
from services.common.outbox import emit
from services.identity.class_groups.service import ClassGroupService
from services.identity.external_ids.repository import ExternalIdRepository
from services.identity.external_ids.schemas import EntityType, ExternalIdRead
from services.identity.models import ExternalId, kernel
from services.identity.users.auth import Viewer
from services.identity.users.service import UserService


def external_read(row: ExternalId) -> ExternalIdRead:
    return ExternalIdRead(
        entity_type=row.entity_type,  # type: ignore[arg-type]
        entity_id=row.entity_id,
        system=row.system,  # type: ignore[arg-type]
        value=row.value,
    )


def external_id_payload(row: ExternalId) -> dict[str, str]:
    """``external_id.set`` / ``external_id.removed``: the replicas key exports by these."""
    return {
        "id": str(row.id),
        "entity_type": row.entity_type,
        "entity_id": str(row.entity_id),
        "system": row.system,
        "value": row.value,
    }


async def emit_external_id(session: AsyncSession, type_: str, row: ExternalId) -> None:
    await emit(
        session,
        kernel.outbox,
        school_id=row.school_id,
        type=type_,
        aggregate_type=row.entity_type,
        aggregate_id=row.entity_id,
        payload=external_id_payload(row),
    )


def not_found() -> NotFound:
    return NotFound("Внешний идентификатор не найден", code="external-id-not-found")


class ExternalIdService:
    def __init__(self, session: AsyncSession, viewer: Viewer) -> None:
        self.session = session
        self.viewer = viewer
        self.ids = ExternalIdRepository(session)

    @property
    def school_id(self) -> uuid.UUID:
        return self.viewer.school_id

    async def _entity(self, entity_type: EntityType, entity_id: uuid.UUID) -> uuid.UUID:
        """The object to change: 404 outside the school, then 403 unless admin."""
        if entity_type == "user":
            return (await UserService(self.session, self.viewer).for_admin(entity_id)).id
        return (await ClassGroupService(self.session, self.viewer).for_admin(entity_id)).id

    async def put(
        self, entity_type: EntityType, entity_id: uuid.UUID, system: str, value: str
    ) -> ExternalIdRead:
        entity_id = await self._entity(entity_type, entity_id)
        holder = await self.ids.by_value(self.school_id, entity_type, system, value)
        if holder is not None and holder.entity_id != entity_id:
            raise Conflict(
                "Этот внешний идентификатор уже закреплён за другим объектом школы",
                code="external-id-taken",
            )
        row = await self.ids.of_entity(self.school_id, entity_type, entity_id, system)
        if row is None:
            row = ExternalId(
                id=uuid.uuid4(),
                school_id=self.school_id,
                entity_type=entity_type,
                entity_id=entity_id,
                system=system,
                value=value,
            )
            self.session.add(row)
        else:
            row.value = value
        try:
            await self.session.flush()
        except IntegrityError:
            raise Conflict(
                "Этот внешний идентификатор уже закреплён за другим объектом",
                code="external-id-taken",
            ) from None
        await emit_external_id(self.session, "external_id.set", row)
        return external_read(row)

    async def delete(self, entity_type: EntityType, entity_id: uuid.UUID, system: str) -> None:
        entity_id = await self._entity(entity_type, entity_id)
        row = await self.ids.of_entity(self.school_id, entity_type, entity_id, system)
        if row is None:
            raise not_found()
        await emit_external_id(self.session, "external_id.removed", row)
        await self.ids.delete(row)

    async def lookup(self, entity_type: EntityType, system: str, value: str) -> ExternalIdRead:
        row = await self.ids.by_value(self.school_id, entity_type, system, value)
        if row is None:
            raise not_found()
        return external_read(row)
