"""All SQL of online courses, enrolments, progress and certificates (LE-10, X-7)."""

from __future__ import annotations

import uuid
import zlib
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, text, update
from sqlalchemy.orm import selectinload

from services.common.db import utcnow
from services.common.pagination import PageParams
from services.common.repository import Repository
from services.learning.models import (
    OnlineCourse,
    OnlineCourseCertificate,
    OnlineCourseEnrolment,
    OnlineCourseModule,
    OnlineCourseProgress,
)


def enrolled_any(school_id: uuid.UUID, student_ids: set[uuid.UUID]) -> ColumnElement[bool]:
    return OnlineCourse.id.in_(
        select(OnlineCourseEnrolment.online_course_id).where(
            OnlineCourseEnrolment.school_id == school_id,
            OnlineCourseEnrolment.student_id.in_(student_ids),
        )
    )


def published_or(clause: ColumnElement[bool]) -> ColumnElement[bool]:
    return or_(OnlineCourse.is_published.is_(True), clause)


class OnlineCourseRepository(Repository[OnlineCourse]):
    model = OnlineCourse

    def _select(self) -> Any:
        return select(OnlineCourse).options(selectinload(OnlineCourse.modules))

    async def page_of(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        visible: ColumnElement[bool] | None,
        subject: str | None,
        level: str | None,
        published: bool | None,
        author_id: uuid.UUID | None,
    ) -> tuple[list[OnlineCourse], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if visible is not None:
            stmt = stmt.where(visible)
        if subject is not None:
            stmt = stmt.where(OnlineCourse.subject == subject)
        if level is not None:
            stmt = stmt.where(OnlineCourse.level == level)
        if published is not None:
            stmt = stmt.where(OnlineCourse.is_published.is_(published))
        if author_id is not None:
            stmt = stmt.where(OnlineCourse.author_id == author_id)
        return await self.page(stmt, params)

    async def is_visible(
        self, school_id: uuid.UUID, course_id: uuid.UUID, visible: ColumnElement[bool]
    ) -> bool:
        stmt = select(OnlineCourse.id).where(
            OnlineCourse.school_id == school_id, OnlineCourse.id == course_id, visible
        )
        return (await self.session.execute(stmt)).first() is not None

    async def existing_ids(self, school_id: uuid.UUID, ids: set[uuid.UUID]) -> set[uuid.UUID]:
        if not ids:
            return set()
        rows = await self.session.execute(
            select(OnlineCourse.id).where(
                OnlineCourse.school_id == school_id, OnlineCourse.id.in_(ids)
            )
        )
        return set(rows.scalars())

    async def modules_of(self, course_id: uuid.UUID) -> list[OnlineCourseModule]:
        stmt = (
            select(OnlineCourseModule)
            .where(OnlineCourseModule.online_course_id == course_id)
            .order_by(OnlineCourseModule.position, OnlineCourseModule.created_at)
        )
        return list((await self.session.execute(stmt)).scalars().all())


class EnrolmentRepository(Repository[OnlineCourseEnrolment]):
    model = OnlineCourseEnrolment

    async def of_student(
        self, school_id: uuid.UUID, course_id: uuid.UUID, student_id: uuid.UUID
    ) -> OnlineCourseEnrolment | None:
        found: OnlineCourseEnrolment | None = await self.first(
            self._scoped(school_id).where(
                OnlineCourseEnrolment.online_course_id == course_id,
                OnlineCourseEnrolment.student_id == student_id,
            )
        )
        return found

    async def page_of(
        self,
        school_id: uuid.UUID,
        params: PageParams,
        *,
        students: set[uuid.UUID] | None,
        student_id: uuid.UUID | None,
        course_id: uuid.UUID | None,
        status: str | None,
    ) -> tuple[list[OnlineCourseEnrolment], dict[str, Any] | None]:
        stmt = self._scoped(school_id)
        if students is not None:
            stmt = stmt.where(OnlineCourseEnrolment.student_id.in_(students))
        if student_id is not None:
            stmt = stmt.where(OnlineCourseEnrolment.student_id == student_id)
        if course_id is not None:
            stmt = stmt.where(OnlineCourseEnrolment.online_course_id == course_id)
        if status is not None:
            stmt = stmt.where(OnlineCourseEnrolment.status == status)
        return await self.page(stmt, params)

    async def lock(self, enrolment: OnlineCourseEnrolment) -> None:
        """Take the enrolment's row for this transaction (its first write): progress of
        one enrolment is recorded one request at a time, so completion is never missed
        nor issued twice. Then read its current state."""
        await self.session.execute(
            update(OnlineCourseEnrolment)
            .where(OnlineCourseEnrolment.id == enrolment.id)
            .values(updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        await self.session.refresh(enrolment)

    async def progress_of(self, enrolment_ids: set[uuid.UUID]) -> list[OnlineCourseProgress]:
        if not enrolment_ids:
            return []
        stmt = select(OnlineCourseProgress).where(
            OnlineCourseProgress.enrolment_id.in_(enrolment_ids)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def modules_of_courses(
        self, course_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, list[OnlineCourseModule]]:
        out: dict[uuid.UUID, list[OnlineCourseModule]] = {c: [] for c in course_ids}
        if not course_ids:
            return out
        stmt = (
            select(OnlineCourseModule)
            .where(OnlineCourseModule.online_course_id.in_(course_ids))
            .order_by(OnlineCourseModule.position, OnlineCourseModule.created_at)
        )
        for module in (await self.session.execute(stmt)).scalars():
            out[module.online_course_id].append(module)
        return out

    async def titles(self, course_ids: set[uuid.UUID]) -> dict[uuid.UUID, str]:
        if not course_ids:
            return {}
        rows = await self.session.execute(
            select(OnlineCourse.id, OnlineCourse.title).where(OnlineCourse.id.in_(course_ids))
        )
        return {row[0]: row[1] for row in rows}

    async def certificates_of(
        self, enrolment_ids: set[uuid.UUID]
    ) -> dict[uuid.UUID, OnlineCourseCertificate]:
        if not enrolment_ids:
            return {}
        stmt = select(OnlineCourseCertificate).where(
            OnlineCourseCertificate.enrolment_id.in_(enrolment_ids)
        )
        return {c.enrolment_id: c for c in (await self.session.execute(stmt)).scalars()}


class CertificateRepository(Repository[OnlineCourseCertificate]):
    model = OnlineCourseCertificate

    async def next_sequence(self, school_id: uuid.UUID, year: int) -> int:
        """The next running number of the school's certificates of ``year``.

        On PostgreSQL a transaction-level advisory lock per school makes concurrent
        completions take numbers one after another (SQLite has one writer anyway).
        """
        if self.session.get_bind().dialect.name == "postgresql":
            key = zlib.crc32(f"online_course_certificates:{school_id}".encode())
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
        last = (
            await self.session.execute(
                select(func.max(OnlineCourseCertificate.sequence)).where(
                    OnlineCourseCertificate.school_id == school_id,
                    OnlineCourseCertificate.year == year,
                )
            )
        ).scalar()
        return int(last or 0) + 1
