"""The student's digital portfolio (JO-7, Положение §1.4, §4.3).

* kinds: achievements (olympiads, contests, conferences with level and result),
  competencies, documents on education, online-course certificates, works with their
  review and mark;
* a student (for themself) or a guardian (for a linked child) proposes an item; staff,
  an admin or the student's homeroom teacher confirms or rejects it (with a reason);
  items they add themselves are confirmed at once;
* certificates of the platform's online courses and accepted, marked works arrive from
  learning's events by themselves, once each (``source_ref`` is unique); a work is a
  snapshot of the submission and review, kept whatever happens to them later;
* readers: the student, their guardians, their homeroom teacher, staff and admins;
  another child's portfolio, or another school's, is "not found".
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.db import utcnow
from services.common.directory import Directory
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.outbox import emit
from services.common.pagination import PageParams
from services.journal.access import STUDENT_NOT_FOUND, Access
from services.journal.models import PortfolioItem, directory, kernel
from services.journal.portfolio.repository import PortfolioRepository
from services.journal.portfolio.schemas import (
    AchievementCreate,
    CompetencyCreate,
    CourseCertificateCreate,
    EducationDocumentCreate,
)

ITEM_NOT_FOUND = "Запись портфолио не найдена"

AnyCreate = AchievementCreate | CompetencyCreate | EducationDocumentCreate | CourseCertificateCreate


def item_payload(item: PortfolioItem) -> dict[str, Any]:
    """The complete item for ``portfolio_item.*`` events."""
    return {
        "id": str(item.id),
        "student_id": str(item.student_id),
        "kind": item.kind,
        "title": item.title,
        "description": item.description,
        "occurred_on": item.occurred_on.isoformat() if item.occurred_on else None,
        "details": item.details,
        "evidence_url": item.evidence_url,
        "status": item.status,
        "source": item.source,
        "created_by": str(item.created_by) if item.created_by else None,
        "decided_by": str(item.decided_by) if item.decided_by else None,
        "decided_at": item.decided_at.isoformat() if item.decided_at else None,
        "reject_reason": item.reject_reason,
    }


async def _emit(session: AsyncSession, type_: str, item: PortfolioItem) -> None:
    await emit(
        session,
        kernel.outbox,
        school_id=item.school_id,
        type=type_,
        aggregate_type="portfolio_item",
        aggregate_id=item.id,
        payload=item_payload(item),
    )


def _fields(body: AnyCreate) -> tuple[date | None, dict[str, Any]]:
    """The item's date and its kind's own fields."""
    if isinstance(body, AchievementCreate):
        return body.date, {
            "event_kind": body.event_kind,
            "level": body.level,
            "result": body.result,
            "organizer": body.organizer,
        }
    if isinstance(body, CompetencyCreate):
        return body.date, {}
    if isinstance(body, EducationDocumentCreate):
        return body.issued_on, {
            "number": body.number,
            "issued_on": body.issued_on.isoformat(),
            "issuer": body.issuer,
        }
    return body.issued_on, {
        "number": body.number,
        "issued_on": body.issued_on.isoformat(),
        "hours": body.hours,
        "issuer": body.issuer,
    }


class PortfolioService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id
        self.repo = PortfolioRepository(access.session)

    # -- who may -----------------------------------------------------------------------

    async def _is_homeroom_of(self, student_id: uuid.UUID) -> bool:
        a = self.access
        if not a.is_teacher:
            return False
        groups = await a.directory.groups_of_student(self.school_id, student_id)
        return bool(groups & await a.homeroom_groups())

    async def _may_decide(self, student_id: uuid.UUID) -> bool:
        return self.access.is_staff or await self._is_homeroom_of(student_id)

    async def student(self, student_id: uuid.UUID) -> Any:
        """A student whose portfolio the caller may read: the student, a linked
        guardian, the homeroom teacher, staff and admins. Another teacher: 403; another
        child or another school's student: 404."""
        a = self.access
        person = await a.directory.person(self.school_id, student_id)
        if person is None or not person.has_role("student"):
            raise NotFound(STUDENT_NOT_FOUND, code="student-not-found")
        if a.is_staff or student_id == a.user_id or student_id in await a.children():
            return person
        if await self._is_homeroom_of(student_id):
            return person
        if a.is_teacher:
            raise Forbidden(
                "Портфолио обучающегося доступно классному руководителю и администрации",
                code="forbidden",
            )
        raise NotFound(STUDENT_NOT_FOUND, code="student-not-found")

    async def _item(self, item_id: uuid.UUID) -> PortfolioItem:
        item = await self.repo.get(item_id, school_id=self.school_id)
        if item is None:
            raise NotFound(ITEM_NOT_FOUND, code="portfolio-item-not-found")
        a = self.access
        if a.is_staff or a.is_teacher:
            return item
        if item.student_id == a.user_id or item.student_id in await a.children():
            return item
        raise NotFound(ITEM_NOT_FOUND, code="portfolio-item-not-found")

    async def readable(self, item_id: uuid.UUID) -> PortfolioItem:
        item = await self._item(item_id)
        await self.student(item.student_id)
        return item

    # -- use cases ---------------------------------------------------------------------

    async def create(self, student_id: uuid.UUID, body: AnyCreate) -> PortfolioItem:
        await self.student(student_id)
        a = self.access
        confirmed = await self._may_decide(student_id)
        if not confirmed and not (student_id == a.user_id or student_id in await a.children()):
            raise Forbidden("Добавлять записи в портфолио может только сотрудник школы")
        occurred_on, details = _fields(body)
        now = utcnow()
        item = PortfolioItem(
            school_id=self.school_id,
            student_id=student_id,
            kind=body.kind,
            title=body.title,
            description=body.description,
            occurred_on=occurred_on,
            details=details,
            evidence_url=body.evidence_url,
            status="confirmed" if confirmed else "proposed",
            source="manual",
            created_by=a.user_id,
            decided_by=a.user_id if confirmed else None,
            decided_at=now if confirmed else None,
        )
        await self.repo.add(item)
        await _emit(self.session, "portfolio_item.created", item)
        return item

    async def _decide(self, item_id: uuid.UUID) -> PortfolioItem:
        item = await self.readable(item_id)
        if not await self._may_decide(item.student_id):
            raise Forbidden(
                "Подтверждать записи портфолио могут администрация и классный руководитель"
            )
        if item.status != "proposed":
            raise Conflict(
                "Запись портфолио уже рассмотрена", code="portfolio-item-already-decided"
            )
        item.decided_by = self.access.user_id
        item.decided_at = utcnow()
        return item

    async def confirm(self, item_id: uuid.UUID) -> PortfolioItem:
        item = await self._decide(item_id)
        item.status = "confirmed"
        await self.session.flush()
        await _emit(self.session, "portfolio_item.confirmed", item)
        return item

    async def reject(self, item_id: uuid.UUID, reason: str) -> PortfolioItem:
        item = await self._decide(item_id)
        item.status = "rejected"
        item.reject_reason = reason
        await self.session.flush()
        await _emit(self.session, "portfolio_item.rejected", item)
        return item

    async def portfolio(
        self, student_id: uuid.UUID, statuses: list[str] | None
    ) -> tuple[Any, list[str], list[PortfolioItem]]:
        person = await self.student(student_id)
        classes = await self.repo.class_names(self.school_id, student_id)
        items = await self.repo.of_student(self.school_id, student_id, statuses)
        return person, classes, items

    async def queue(
        self, params: PageParams, status: str | None
    ) -> tuple[list[PortfolioItem], dict[str, Any] | None]:
        """Items to review: staff and admins see the school's, a homeroom teacher their
        classes'."""
        a = self.access
        students: set[uuid.UUID] | None = None
        if not a.is_staff:
            groups = await a.homeroom_groups()
            if not groups:
                raise Forbidden(
                    "Список записей портфолио доступен администрации и классным руководителям"
                )
            students = await a.directory.students_of(self.school_id, groups)
        return await self.repo.queue(self.school_id, params, status=status, student_ids=students)

    async def school_name(self) -> str:
        school = await self.session.get(directory.school, self.school_id)
        return str(school.name) if school is not None else ""


# -- items from learning's events (exactly once: source_ref is unique) -------------------


async def _local_date(session: AsyncSession, school_id: uuid.UUID, instant: str | None) -> date:
    tz = await Directory(session, directory).timezone(school_id)
    moment = datetime.fromisoformat(instant) if instant else utcnow()
    return moment.astimezone(tz).date()


async def _ingest(session: AsyncSession, item: PortfolioItem) -> None:
    repo = PortfolioRepository(session)
    assert item.source_ref is not None
    if await repo.ref_exists(item.source_ref):
        return
    if await repo.add_once(item):
        await _emit(session, "portfolio_item.created", item)


async def on_online_course_completed(session: AsyncSession, event: dict[str, Any]) -> None:
    """``online_course.completed`` → a confirmed course certificate, once per certificate."""
    p = event["payload"]
    cert = p.get("certificate")
    if not cert:
        return  # nothing to put in the portfolio without a certificate
    school_id = uuid.UUID(str(event["school_id"]))
    issued_on = date.fromisoformat(cert["issued_on"])
    await _ingest(
        session,
        PortfolioItem(
            school_id=school_id,
            student_id=uuid.UUID(p["student_id"]),
            kind="course_certificate",
            title=p.get("title") or "",
            occurred_on=issued_on,
            details={
                "number": cert.get("number"),
                "issued_on": issued_on.isoformat(),
                "hours": cert.get("hours"),
                "issuer": None,
                "online_course_id": p.get("online_course_id"),
                "enrolment_id": p.get("enrolment_id"),
                "completed_at": p.get("completed_at"),
            },
            status="confirmed",
            source="learning",
            source_ref=f"certificate:{cert['id']}",
            decided_at=utcnow(),
        ),
    )


async def on_review_completed_portfolio(session: AsyncSession, event: dict[str, Any]) -> None:
    """``review.completed`` of an accepted work with a mark → a confirmed work item, once
    per review: a snapshot of the work, the review and the mark."""
    p = event["payload"]
    if p.get("status") != "accepted" or not p.get("mark"):
        return
    school_id = uuid.UUID(str(event["school_id"]))
    work = p.get("work") or {}
    reviewer_id = p.get("reviewer_id")
    reviewer_name = None
    if reviewer_id:
        reviewer = await Directory(session, directory).person(school_id, uuid.UUID(reviewer_id))
        reviewer_name = reviewer.full_name if reviewer is not None else None
    await _ingest(
        session,
        PortfolioItem(
            school_id=school_id,
            student_id=uuid.UUID(p["student_id"]),
            kind="work",
            title=p.get("assignment_title") or "",
            occurred_on=await _local_date(session, school_id, p.get("reviewed_at")),
            details={
                "subject": p.get("subject"),
                "course_id": p.get("course_id"),
                "assignment_id": p.get("assignment_id"),
                "submission_id": p.get("submission_id"),
                "submission_version": p.get("submission_version"),
                "mark": p.get("mark"),
                "comment": p.get("comment_text"),
                "has_media_comment": bool(p.get("has_media_comment")),
                "reviewer_id": reviewer_id,
                "reviewer_name": reviewer_name,
                "submitted_at": p.get("submitted_at"),
                "reviewed_at": p.get("reviewed_at"),
                "text_excerpt": work.get("text_excerpt"),
                "file_names": list(work.get("file_names") or []),
            },
            status="confirmed",
            source="learning",
            source_ref=f"review:{p['id']}",
            created_by=uuid.UUID(reviewer_id) if reviewer_id else None,
            decided_by=uuid.UUID(reviewer_id) if reviewer_id else None,
            decided_at=utcnow(),
        ),
    )
