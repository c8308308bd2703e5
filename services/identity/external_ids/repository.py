"""All SQL about external identifiers (ID-9, X-7)."""

from __future__ import annotations

import uuid

from services.common.repository import Repository
from services.identity.models import ExternalId


class ExternalIdRepository(Repository[ExternalId]):
    model = ExternalId

    async def of_entity(
        self, school_id: uuid.UUID, entity_type: str, entity_id: uuid.UUID, system: str
    ) -> ExternalId | None:
        stmt = self._scoped(school_id).where(
            ExternalId.entity_type == entity_type,
            ExternalId.entity_id == entity_id,
            ExternalId.system == system,
        )
        return await self.first(stmt)

    async def by_value(
        self, school_id: uuid.UUID, entity_type: str, system: str, value: str
    ) -> ExternalId | None:
        stmt = self._scoped(school_id).where(
            ExternalId.entity_type == entity_type,
            ExternalId.system == system,
            ExternalId.value == value,
        )
        return await self.first(stmt)

    async def taken_values(
        self, school_id: uuid.UUID, entity_type: str, pairs: list[tuple[str, str]]
    ) -> set[tuple[str, str]]:
        """Which ``(system, value)`` pairs are used already by objects of the school."""
        found: set[tuple[str, str]] = set()
        systems = {system for system, _ in pairs}
        for system in systems:
            values = [v for s, v in pairs if s == system]
            for start in range(0, len(values), 900):
                stmt = self._scoped(school_id).where(
                    ExternalId.entity_type == entity_type,
                    ExternalId.system == system,
                    ExternalId.value.in_(values[start : start + 900]),
                )
                found.update((row.system, row.value) for row in await self.all(stmt))
        return found

    async def delete(self, row: ExternalId) -> None:
        await self.session.delete(row)
        await self.session.flush()
