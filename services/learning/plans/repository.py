"""All SQL about thematic plans (LE-2)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import func, select

from services.common.repository import Repository
from services.learning.models import Lesson, Topic


class TopicRepository(Repository[Topic]):
    model = Topic

    async def of_course(self, school_id: uuid.UUID, course_id: uuid.UUID) -> list[Topic]:
        stmt = self._scoped(school_id).where(Topic.course_id == course_id).order_by(Topic.position)
        return await self.all(stmt)

    async def lesson_counts(self, topic_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, int]:
        """How many lessons refer to each topic (one query)."""
        ids = list(set(topic_ids))
        if not ids:
            return {}
        stmt = (
            select(Lesson.topic_id, func.count(Lesson.id))
            .where(Lesson.topic_id.in_(ids))
            .group_by(Lesson.topic_id)
        )
        rows = (await self.session.execute(stmt)).all()
        return {topic_id: int(n) for topic_id, n in rows if topic_id is not None}

    async def delete(self, topic: Topic) -> None:
        await self.session.delete(topic)
