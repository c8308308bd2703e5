"""Closing a school year and its archive (JO-8, 125-ФЗ «Об архивном деле»).

* closing (an admin) closes every period of the year and locks the year itself: any
  write dated in it answers 423 ``year-closed`` (``periods.service.ensure_open``);
* it writes the archive: the XLSX and PDF journal of every course of the year and the
  summary sheet of every class, each file with its SHA-256 recorded, and a manifest;
* downloading a file checks its SHA-256 first: a changed or missing file is never served
  (409 ``archive-corrupted``);
* reopening needs an admin citing an order (приказ); the periods stay closed and are
  reopened one by one the same way; closing again writes a new generation of the
  archive and keeps the earlier ones;
* retention periods are data per record type (:mod:`.retention`), shown on every file as
  ``retain_until``.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import Principal
from services.common.db import utcnow
from services.common.directory import Directory
from services.common.errors import BusinessRuleError, Conflict, NotFound
from services.common.outbox import emit
from services.journal.archive import storage
from services.journal.archive.repository import ArchiveRepository
from services.journal.archive.retention import DEFAULT_RULES, RECORD_TYPES, retain_until
from services.journal.archive.schemas import RetentionRuleRead, RetentionRuleWrite
from services.journal.models import (
    ArchiveFile,
    ClosedYear,
    RetentionRule,
    YearChange,
    directory,
    kernel,
)
from services.journal.periods import service as periods
from services.journal.reports.pdf import render_journal_pdf, render_summary_pdf
from services.journal.reports.repository import ReportRepository
from services.journal.reports.service import build_journal, build_summary
from services.journal.reports.xlsx import render_journal_xlsx, render_summary_xlsx

YEAR_NOT_FOUND = "Учебный год не найден"
ARCHIVED_TYPES = ("class_journal", "summary_sheet")


@dataclass(frozen=True)
class EffectiveRule:
    record_type: str
    title: str
    years: int
    source: str | None
    note: str | None
    is_default: bool


class ArchiveService:
    def __init__(self, session: AsyncSession, principal: Principal, root: Path) -> None:
        self.session = session
        self.school_id = principal.school_id
        self.user_id = principal.user_id
        self.root = root
        self.repo = ArchiveRepository(session)

    async def _year(self, year_id: uuid.UUID) -> Any:
        year = await Directory(self.session, directory).year(self.school_id, year_id)
        if year is None:
            raise NotFound(YEAR_NOT_FOUND, code="year-not-found")
        return year

    # -- retention rules ---------------------------------------------------------------

    async def rules(self) -> dict[str, EffectiveRule]:
        stored = await self.repo.rules(self.school_id)
        out = {}
        for record_type, default in DEFAULT_RULES.items():
            rule = stored.get(record_type)
            out[record_type] = (
                EffectiveRule(record_type, rule.title, rule.years, rule.source, rule.note, False)
                if rule is not None
                else EffectiveRule(
                    record_type, default.title, default.years, default.source, default.note, True
                )
            )
        return out

    async def set_rules(self, writes: list[RetentionRuleWrite]) -> dict[str, EffectiveRule]:
        types = [w.record_type for w in writes]
        if len(set(types)) != len(types):
            raise BusinessRuleError(
                "Вид документа указан несколько раз", code="duplicate-record-type"
            )
        stored = await self.repo.rules(self.school_id)
        for w in writes:
            default = DEFAULT_RULES[w.record_type]
            rule = stored.get(w.record_type)
            if rule is None:
                rule = RetentionRule(
                    school_id=self.school_id,
                    record_type=w.record_type,
                    title=default.title,
                    source=default.source,
                    note=default.note,
                )
                self.session.add(rule)
            # fields left out keep their value (the default's for a new rule)
            given = w.model_fields_set
            rule.years = w.years
            if w.title is not None:
                rule.title = w.title
            if "source" in given:
                rule.source = w.source
            if "note" in given:
                rule.note = w.note
            rule.updated_by = self.user_id
        await self.session.flush()
        rules = await self.rules()
        # the files already archived keep up with the school's periods
        for closed in await self.repo.archived_years(self.school_id, [*ARCHIVED_TYPES]):
            for record_type in ARCHIVED_TYPES:
                until = retain_until(closed.ends_on, rules[record_type].years)
                await self.repo.set_retain_until(
                    self.school_id, record_type, closed.academic_year_id, until
                )
            await self.repo.set_retain_until(
                self.school_id,
                "manifest",
                closed.academic_year_id,
                self._manifest_until(rules, closed.ends_on),
            )
        return rules

    @staticmethod
    def _manifest_until(rules: dict[str, EffectiveRule], ends: date) -> date:
        return retain_until(ends, max(rules[t].years for t in ARCHIVED_TYPES))

    # -- closing and reopening -----------------------------------------------------------

    async def closure(self, year_id: uuid.UUID) -> tuple[Any, ClosedYear | None, list[YearChange]]:
        year = await self._year(year_id)
        closed = await self.repo.closed_year(self.school_id, year_id)
        return year, closed, await self.repo.changes(self.school_id, year_id)

    async def close(self, year_id: uuid.UUID, reason: str | None) -> ClosedYear:
        year = await self._year(year_id)
        closed = await self.repo.closed_year(self.school_id, year_id)
        if closed is not None and closed.is_closed:
            raise Conflict("Учебный год уже закрыт", code="year-already-closed")
        for period in await self.repo.open_periods(self.school_id, year_id):
            await periods.close(
                self.session, period, self.user_id, reason or "Закрытие учебного года"
            )
        if closed is None:
            closed = ClosedYear(school_id=self.school_id, academic_year_id=year_id, generation=0)
            self.session.add(closed)
        closed.name = year.name
        closed.starts_on = year.starts_on
        closed.ends_on = year.ends_on
        closed.is_closed = True
        closed.closed_at = utcnow()
        closed.closed_by = self.user_id
        closed.generation = (closed.generation or 0) + 1
        self.session.add(
            YearChange(
                school_id=self.school_id,
                academic_year_id=year_id,
                action="closed",
                generation=closed.generation,
                reason=reason,
                by=self.user_id,
            )
        )
        await self.session.flush()
        files = await self._write_archive(year, closed.generation)
        manifest = next(f for f in files if f.record_type == "manifest")
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="academic_year.closed",
            aggregate_type="academic_year",
            aggregate_id=year_id,
            payload={
                "academic_year_id": str(year_id),
                "name": year.name,
                "starts_on": year.starts_on.isoformat(),
                "ends_on": year.ends_on.isoformat(),
                "generation": closed.generation,
                "closed_at": closed.closed_at.isoformat() if closed.closed_at else None,
                "closed_by": str(self.user_id),
                "reason": reason,
                "files": len(files),
                "manifest_sha256": manifest.sha256,
            },
        )
        return closed

    async def reopen(
        self, year_id: uuid.UUID, order_number: str, order_date: date, reason: str
    ) -> ClosedYear:
        await self._year(year_id)
        closed = await self.repo.closed_year(self.school_id, year_id)
        if closed is None or not closed.is_closed:
            raise Conflict("Учебный год не закрыт", code="year-not-closed")
        closed.is_closed = False
        self.session.add(
            YearChange(
                school_id=self.school_id,
                academic_year_id=year_id,
                action="reopened",
                generation=closed.generation,
                order_number=order_number,
                order_date=order_date,
                reason=reason,
                by=self.user_id,
            )
        )
        await self.session.flush()
        await emit(
            self.session,
            kernel.outbox,
            school_id=self.school_id,
            type="academic_year.reopened",
            aggregate_type="academic_year",
            aggregate_id=year_id,
            payload={
                "academic_year_id": str(year_id),
                "generation": closed.generation,
                "order_number": order_number,
                "order_date": order_date.isoformat(),
                "reason": reason,
                "reopened_by": str(self.user_id),
            },
        )
        return closed

    # -- the archive ---------------------------------------------------------------------

    async def _write_archive(self, year: Any, generation: int) -> list[ArchiveFile]:
        rules = await self.rules()
        folder = storage.generation_dir(str(self.school_id), str(year.id), generation)
        await asyncio.to_thread(storage.prepare, self.root, folder)
        files: list[ArchiveFile] = []

        async def put(
            render: Callable[[Any], bytes],
            report: Any,
            name: str,
            *,
            record_type: str,
            fmt: str,
            title: str,
            course_id: uuid.UUID | None = None,
            class_group_id: uuid.UUID | None = None,
        ) -> None:
            content = await asyncio.to_thread(render, report)
            relative = folder / name
            size, sha256 = await asyncio.to_thread(storage.write, self.root, relative, content)
            files.append(
                ArchiveFile(
                    school_id=self.school_id,
                    academic_year_id=year.id,
                    generation=generation,
                    record_type=record_type,
                    format=fmt,
                    course_id=course_id,
                    class_group_id=class_group_id,
                    title=title,
                    path=relative.as_posix(),
                    size=size,
                    sha256=sha256,
                    retain_until=retain_until(year.ends_on, rules[record_type].years)
                    if record_type in rules
                    else self._manifest_until(rules, year.ends_on),
                )
            )

        try:
            reports = ReportRepository(self.session)
            groups = await reports.class_groups_of_year(self.school_id, year.id)
            courses = await reports.courses_of_year(self.school_id, year.id, [g.id for g in groups])
            for course in courses:
                journal = await build_journal(self.session, self.school_id, course, None)
                for fmt, render in (("xlsx", render_journal_xlsx), ("pdf", render_journal_pdf)):
                    await put(
                        render,
                        journal,
                        f"journal-{course.id}.{fmt}",
                        record_type="class_journal",
                        fmt=fmt,
                        title=f"Журнал: {journal.title}",
                        course_id=course.id,
                        class_group_id=course.class_group_id,
                    )
            for group in groups:
                summary = await build_summary(self.session, self.school_id, group, year, None)
                for fmt, render_summary in (
                    ("xlsx", render_summary_xlsx),
                    ("pdf", render_summary_pdf),
                ):
                    await put(
                        render_summary,
                        summary,
                        f"summary-{group.id}.{fmt}",
                        record_type="summary_sheet",
                        fmt=fmt,
                        title=summary.title,
                        class_group_id=group.id,
                    )
            manifest = {
                "school_id": str(self.school_id),
                "academic_year": {
                    "id": str(year.id),
                    "name": year.name,
                    "starts_on": year.starts_on.isoformat(),
                    "ends_on": year.ends_on.isoformat(),
                },
                "generation": generation,
                "created_at": utcnow().isoformat(),
                "created_by": str(self.user_id),
                "files": [
                    {
                        "path": Path(f.path).name,
                        "record_type": f.record_type,
                        "format": f.format,
                        "title": f.title,
                        "course_id": str(f.course_id) if f.course_id else None,
                        "class_group_id": str(f.class_group_id) if f.class_group_id else None,
                        "size": f.size,
                        "sha256": f.sha256,
                        "retain_until": f.retain_until.isoformat() if f.retain_until else None,
                    }
                    for f in files
                ],
            }
            await put(
                lambda m: json.dumps(m, ensure_ascii=False, indent=2).encode(),
                manifest,
                "manifest.json",
                record_type="manifest",
                fmt="json",
                title=f"Опись архива {year.name}",
            )
        except BaseException:
            await asyncio.to_thread(storage.discard, self.root, folder)
            raise
        self.session.add_all(files)
        await self.session.flush()
        return files

    async def listing(
        self, year_id: uuid.UUID, generation: int | None
    ) -> tuple[ClosedYear, int, list[ArchiveFile]]:
        await self._year(year_id)
        closed = await self.repo.closed_year(self.school_id, year_id)
        if closed is None or closed.generation == 0:
            raise NotFound("Архив учебного года не создан", code="archive-not-found")
        wanted = generation if generation is not None else closed.generation
        if not 1 <= wanted <= closed.generation:
            raise NotFound("Такого архива учебного года нет", code="archive-not-found")
        return closed, wanted, await self.repo.files(self.school_id, year_id, wanted)

    async def download(self, year_id: uuid.UUID, file_id: uuid.UUID) -> tuple[ArchiveFile, bytes]:
        item = await self.repo.file(self.school_id, year_id, file_id)
        if item is None:
            raise NotFound("Файл архива не найден", code="archive-file-not-found")
        content = await asyncio.to_thread(storage.read_verified, self.root, item.path, item.sha256)
        if content is None:
            raise Conflict(
                "Файл архива повреждён или отсутствует: контрольная сумма SHA-256 не "
                "совпадает с записанной при архивировании",
                code="archive-corrupted",
            )
        return item, content


def rule_read(rule: EffectiveRule) -> RetentionRuleRead:
    return RetentionRuleRead.model_validate(rule, from_attributes=True)


__all__ = ["RECORD_TYPES", "ArchiveService", "EffectiveRule", "rule_read"]
