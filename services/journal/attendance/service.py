"""Attendance (JO-3): absences ("н") with a reason; every change kept (JO-5)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from services.common.errors import (
    BusinessRuleError,
    NotFound,
    PreconditionFailed,
    ProblemError,
)
from services.common.etag import check_if_match
from services.common.outbox import emit
from services.journal.access import Access
from services.journal.marks.service import check_in_year, record_change
from services.journal.models import Attendance, Change, kernel
from services.journal.periods.service import ensure_open

NOT_FOUND = "Запись о посещаемости не найдена"


def snapshot(row: Attendance) -> dict[str, Any]:
    return {"status": row.status, "reason": row.reason, "comment": row.comment}


def payload(row: Attendance) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "lesson_id": str(row.lesson_id),
        "course_id": str(row.course_id),
        "student_id": str(row.student_id),
        "date": row.date.isoformat(),
        "status": row.status,
        "reason": row.reason,
        "comment": row.comment,
        "version": row.version,
    }


class AttendanceService:
    def __init__(self, access: Access) -> None:
        self.access = access
        self.session = access.session
        self.school_id = access.school_id

    async def _emit(self, row: Attendance) -> None:
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="attendance.recorded",
            aggregate_type="attendance",
            aggregate_id=row.id,
            payload=payload(row),
        )

    async def record_lesson(
        self, lesson_id: uuid.UUID, entries: list[dict[str, Any]]
    ) -> list[Attendance]:
        """Record a lesson's attendance: absent students with reasons, and students
        marked present again (an earlier absence corrected). All or nothing."""
        lesson, course = await self.access.lesson_for_write(lesson_id)
        enrolled = await self.access.course_students(course)
        strangers = {e["student_id"] for e in entries} - enrolled
        if strangers:
            raise BusinessRuleError(
                "Обучающийся не изучает этот курс: " + ", ".join(sorted(map(str, strangers))),
                code="student-not-in-course",
            )
        if lesson.status == "cancelled":
            raise BusinessRuleError("Урок отменён", code="lesson-cancelled")
        await check_in_year(self.session, self.school_id, course, lesson.date)
        await ensure_open(self.session, self.school_id, lesson.date)
        existing = {
            row.student_id: row
            for row in (
                await self.session.execute(
                    select(Attendance).where(Attendance.lesson_id == lesson.id)
                )
            ).scalars()
        }
        out = []
        for entry in entries:
            row = existing.get(entry["student_id"])
            old = snapshot(row) if row is not None else None
            if row is None:
                row = Attendance(
                    school_id=self.school_id,
                    course_id=course.id,
                    lesson_id=lesson.id,
                    student_id=entry["student_id"],
                    date=lesson.date,
                    status=entry["status"],
                    reason=entry.get("reason"),
                    comment=entry.get("comment"),
                    recorded_by=self.access.user_id,
                )
                self.session.add(row)
            else:
                row.status = entry["status"]
                row.reason = entry.get("reason")
                row.comment = entry.get("comment")
                row.recorded_by = self.access.user_id
            if old != snapshot(row):
                try:
                    await self.session.flush()
                except StaleDataError:
                    raise PreconditionFailed(
                        "Посещаемость урока изменена параллельно; повторите",
                        code="precondition-failed",
                    ) from None
                await record_change(
                    self.session,
                    school_id=self.school_id,
                    entity="attendance",
                    entity_id=row.id,
                    action="created" if old is None else "updated",
                    old=old,
                    new=snapshot(row),
                    reason=entry.get("change_reason"),
                    by=self.access.user_id,
                )
                await self._emit(row)
            out.append(row)
        return out

    async def _get(self, attendance_id: uuid.UUID) -> Attendance:
        row = await self.session.get(Attendance, attendance_id)
        if row is None or row.school_id != self.school_id:
            raise NotFound(NOT_FOUND, code="attendance-not-found")
        return row

    async def readable(self, attendance_id: uuid.UUID) -> Attendance:
        row = await self._get(attendance_id)
        a = self.access
        if a.is_staff or row.student_id == a.user_id or row.student_id in await a.children():
            return row
        try:
            await a.course_for_read(row.course_id)
        except ProblemError:
            raise NotFound(NOT_FOUND, code="attendance-not-found") from None
        if a.is_teacher:
            return row
        raise NotFound(NOT_FOUND, code="attendance-not-found")

    async def update(
        self, attendance_id: uuid.UUID, values: dict[str, Any], reason: str, if_match: str | None
    ) -> Attendance:
        row = await self._get(attendance_id)
        await self.access.lesson_for_write(row.lesson_id)
        check_if_match(if_match, row.id, row.version)
        await ensure_open(self.session, self.school_id, row.date)
        old = snapshot(row)
        for name in ("status", "reason", "comment"):
            if name in values:
                setattr(row, name, values[name])
        if row.status == "present":
            row.reason = None
        if snapshot(row) == old:
            return row
        try:
            await self.session.flush()
        except StaleDataError:
            raise PreconditionFailed(
                "Запись уже изменена другим пользователем; получите её заново и повторите",
                code="precondition-failed",
            ) from None
        await record_change(
            self.session,
            school_id=self.school_id,
            entity="attendance",
            entity_id=row.id,
            action="updated",
            old=old,
            new=snapshot(row),
            reason=reason,
            by=self.access.user_id,
        )
        await self._emit(row)
        return row

    async def history(self, attendance_id: uuid.UUID) -> tuple[Attendance, list[Change]]:
        row = await self.readable(attendance_id)
        changes = await self.session.execute(
            select(Change)
            .where(Change.entity == "attendance", Change.entity_id == row.id)
            .order_by(Change.at, Change.id)
        )
        return row, list(changes.scalars())

    async def lesson_attendance(self, lesson_id: uuid.UUID) -> list[Attendance]:
        lesson = await self.access.lesson(lesson_id)
        await self.access.course_for_read(lesson.course_id)
        stmt = select(Attendance).where(Attendance.lesson_id == lesson.id)
        if not (self.access.is_staff or self.access.is_teacher):
            mine = {self.access.user_id} | await self.access.children()
            stmt = stmt.where(Attendance.student_id.in_(mine))
        return list((await self.session.execute(stmt)).scalars())
