"""Rules of the thematic plan (КТП) of a course (LE-2; §5.9).

* topics are numbered 1 … n without gaps, whatever is added, moved or removed;
* planned hours are positive, at most 100, with one decimal place; a planned date lies
  in the course's academic year;
* a topic that lessons of the timetable refer to can't be deleted (409);
* an import replaces the whole plan, all or nothing: every bad row is reported with its
  line; a topic keeps its id when the imported plan has the same title at the same
  position (or, failing that, the same title elsewhere), so lessons keep their topics;
  an import that would drop a topic used by a lesson is refused (409);
* every change emits ``course_plan.updated`` with the whole plan.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from services.common.errors import BusinessRuleError, Conflict, NotFound, UnsupportedMedia
from services.learning.access import Access
from services.learning.courses.service import writable_course
from services.learning.events import emit_plan_event
from services.learning.models import Course, Topic
from services.learning.plans import parsing
from services.learning.plans.repository import TopicRepository
from services.learning.plans.schemas import (
    PlanImportResult,
    ThematicPlanRead,
    TopicCreate,
    TopicOrder,
    TopicRead,
    TopicUpdate,
)


def topic_not_found() -> NotFound:
    return NotFound("Тема не найдена в плане курса", code="topic-not-found")


def _norm_title(title: str) -> str:
    return " ".join(title.split()).casefold()


class PlanService:
    def __init__(self, access: Access, *, max_topics: int = 2000) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id
        self.topics = TopicRepository(access.session)
        self.max_topics = max_topics

    # -- reading -------------------------------------------------------------------

    async def _reads(self, topics: Sequence[Topic]) -> list[TopicRead]:
        counts = await self.topics.lesson_counts(t.id for t in topics)
        return [
            TopicRead(
                id=t.id,
                course_id=t.course_id,
                position=t.position,
                section=t.section,
                title=t.title,
                planned_hours=float(t.planned_hours),
                planned_date=t.planned_date,
                notes=t.notes,
                lesson_count=counts.get(t.id, 0),
            )
            for t in topics
        ]

    async def _plan(self, course_id: uuid.UUID, topics: Sequence[Topic]) -> ThematicPlanRead:
        ordered = sorted(topics, key=lambda t: t.position)
        return ThematicPlanRead(
            course_id=course_id,
            topics=await self._reads(ordered),
            topic_count=len(ordered),
            total_hours=float(sum((Decimal(str(t.planned_hours)) for t in ordered), Decimal(0))),
        )

    async def get_plan(self, course_id: uuid.UUID) -> ThematicPlanRead:
        course = await self.access.course(course_id)
        return await self._plan(course.id, await self.topics.of_course(self.school_id, course.id))

    # -- helpers -------------------------------------------------------------------

    async def _year(self, course: Course) -> tuple[date, date] | None:
        year = await self.access.directory.year(self.school_id, course.academic_year_id)
        return (year.starts_on, year.ends_on) if year is not None else None

    async def _check_date(self, course: Course, day: date | None) -> None:
        if day is None:
            return
        year = await self._year(course)
        if year is not None and not year[0] <= day <= year[1]:
            raise BusinessRuleError(
                f"Планируемая дата {day:%d.%m.%Y} вне учебного года курса "
                f"({year[0]:%d.%m.%Y}–{year[1]:%d.%m.%Y})",
                code="date-outside-academic-year",
            )

    async def _apply_positions(self, ordered: Sequence[Topic | None]) -> None:
        """Number stored topics 1 … n in the given order (``None``: a place a new topic
        will take). Two steps through negative numbers, so the (course, position)
        uniqueness holds after every statement."""
        changed = [
            (t, i) for i, t in enumerate(ordered, start=1) if t is not None and t.position != i
        ]
        if not changed:
            return
        for topic, position in changed:
            topic.position = -position
        await self.session.flush()
        for topic, position in changed:
            topic.position = position
        await self.session.flush()

    async def _topic(self, course: Course, topic_id: uuid.UUID) -> tuple[Topic, list[Topic]]:
        topics = await self.topics.of_course(self.school_id, course.id)
        for topic in topics:
            if topic.id == topic_id:
                return topic, topics
        raise topic_not_found()

    async def _changed(self, course: Course, topics: Sequence[Topic]) -> None:
        await emit_plan_event(self.session, course, topics)

    # -- changes -------------------------------------------------------------------

    async def add(self, course_id: uuid.UUID, body: TopicCreate) -> TopicRead:
        course = await writable_course(self.access, course_id)
        topics = await self.topics.of_course(self.school_id, course.id)
        if len(topics) >= self.max_topics:
            raise BusinessRuleError(
                f"В плане не может быть больше {self.max_topics} тем", code="plan-too-long"
            )
        position = body.position or len(topics) + 1
        if position > len(topics) + 1:
            raise BusinessRuleError(
                f"Номер темы должен быть от 1 до {len(topics) + 1}",
                code="position-out-of-range",
            )
        await self._check_date(course, body.planned_date)
        # make room: topics from ``position`` on move one down
        await self._apply_positions([*topics[: position - 1], None, *topics[position - 1 :]])
        topic = Topic(
            id=uuid.uuid4(),
            school_id=self.school_id,
            course_id=course.id,
            position=position,
            section=body.section,
            title=body.title,
            planned_hours=body.planned_hours,
            planned_date=body.planned_date,
            notes=body.notes or None,
        )
        self.session.add(topic)
        await self.session.flush()
        topics.insert(position - 1, topic)
        await self._changed(course, topics)
        return (await self._reads([topic]))[0]

    async def update(
        self, course_id: uuid.UUID, topic_id: uuid.UUID, body: TopicUpdate
    ) -> TopicRead:
        course = await writable_course(self.access, course_id)
        topic, topics = await self._topic(course, topic_id)
        changes = body.changes()
        if "planned_date" in changes:
            await self._check_date(course, changes["planned_date"])
        if "position" in changes:
            position = changes["position"]
            if position > len(topics):
                raise BusinessRuleError(
                    f"Номер темы должен быть от 1 до {len(topics)}", code="position-out-of-range"
                )
            topics.remove(topic)
            topics.insert(position - 1, topic)
            await self._apply_positions(topics)
        for name in ("title", "section", "planned_hours", "planned_date", "notes"):
            if name in changes:
                value = changes[name]
                setattr(topic, name, value if value != "" else None)
        await self.session.flush()
        await self._changed(course, topics)
        return (await self._reads([topic]))[0]

    async def delete(self, course_id: uuid.UUID, topic_id: uuid.UUID) -> None:
        course = await writable_course(self.access, course_id)
        topic, topics = await self._topic(course, topic_id)
        used = (await self.topics.lesson_counts([topic.id])).get(topic.id, 0)
        if used:
            raise Conflict(
                f"Тема №{topic.position} «{topic.title}» указана в уроках расписания ({used}); "
                "сначала смените тему этих уроков",
                code="topic-in-use",
            )
        await self.topics.delete(topic)
        await self.session.flush()
        topics.remove(topic)
        await self._apply_positions(topics)
        await self._changed(course, topics)

    async def reorder(self, course_id: uuid.UUID, body: TopicOrder) -> ThematicPlanRead:
        course = await writable_course(self.access, course_id)
        topics = await self.topics.of_course(self.school_id, course.id)
        by_id = {t.id: t for t in topics}
        if len(body.topic_ids) != len(set(body.topic_ids)) or set(body.topic_ids) != set(by_id):
            raise BusinessRuleError(
                "Перечислите все темы плана, каждую ровно один раз", code="topic-order-mismatch"
            )
        ordered = [by_id[i] for i in body.topic_ids]
        await self._apply_positions(ordered)
        await self._changed(course, ordered)
        return await self._plan(course.id, ordered)

    # -- import --------------------------------------------------------------------

    async def import_plan(
        self, course_id: uuid.UUID, raw: bytes, media_type: str, max_rows: int
    ) -> PlanImportResult:
        course = await writable_course(self.access, course_id)
        if media_type in parsing.CSV_TYPES:
            if raw.startswith(b"PK\x03\x04"):
                raise UnsupportedMedia(
                    "Передана книга XLSX с типом text/csv; укажите тип XLSX",
                    code="plan-type-mismatch",
                )
            records = parsing.read_csv(raw, max_rows)
        else:
            records = parsing.read_xlsx(raw, max_rows)
        rows = parsing.parse_plan(records, await self._year(course))

        old = await self.topics.of_course(self.school_id, course.id)
        kept = _match(old, rows)
        kept_ids = {t.id for t in kept.values()}
        removed = [t for t in old if t.id not in kept_ids]
        counts = await self.topics.lesson_counts(t.id for t in removed)
        used = [t for t in removed if counts.get(t.id)]
        if used:
            raise Conflict(
                "План не загружен: в новом плане нет тем, указанных в уроках расписания: "
                + "; ".join(f"№{t.position} «{t.title}»" for t in used)
                + ". Оставьте эти темы (то же название) или смените тему уроков",
                code="topic-in-use",
                extra={"topic_ids": [str(t.id) for t in used]},
            )
        for gone in removed:
            await self.topics.delete(gone)
        await self.session.flush()

        final: list[Topic | None] = [kept.get(i) for i in range(len(rows))]
        await self._apply_positions(final)
        result: list[Topic] = []
        for index, row in enumerate(rows):
            stored = final[index]
            if stored is None:
                stored = Topic(
                    id=uuid.uuid4(),
                    school_id=self.school_id,
                    course_id=course.id,
                    position=index + 1,
                )
                self.session.add(stored)
            stored.title = row.title
            stored.section = row.section
            stored.planned_hours = row.hours
            stored.planned_date = row.planned_date
            stored.notes = row.notes
            result.append(stored)
        await self.session.flush()
        await self._changed(course, result)
        plan = await self._plan(course.id, result)
        return PlanImportResult(
            **plan.model_dump(),
            kept=len(kept),
            created=len(rows) - len(kept),
            removed=len(removed),
        )


def _match(old: Sequence[Topic], rows: Sequence[parsing.PlanRow]) -> dict[int, Topic]:
    """Which stored topic each imported row continues: the same title at the same
    position first, then the same title elsewhere (the first one left, in plan order)."""
    kept: dict[int, Topic] = {}
    used: set[uuid.UUID] = set()
    for index, row in enumerate(rows):
        if index < len(old) and _norm_title(old[index].title) == _norm_title(row.title):
            kept[index] = old[index]
            used.add(old[index].id)
    by_title: dict[str, list[Topic]] = {}
    for topic in old:
        if topic.id not in used:
            by_title.setdefault(_norm_title(topic.title), []).append(topic)
    for index, row in enumerate(rows):
        if index in kept:
            continue
        candidates = by_title.get(_norm_title(row.title))
        if candidates:
            kept[index] = candidates.pop(0)
    return kept
