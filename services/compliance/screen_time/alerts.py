"""Daily limits of actual screen time and the alerts at 80 % and 100 % of them (CO-3).

The limits are the rules in force for the student's grade on the day (the same
:class:`~services.compliance.norms.checks.NormContext` the plan checks use): table 6.8's
per-day limits at school (``daily_school``) for school time and its home totals
including leisure (``daily_home``, PC, laptop and tablet) for home time, a school's own
stricter sets, and the school's combined daily limit over every device when it is on.
Where several rules measure the same thing the strictest one counts.

An alert is raised once per student, day, device, measure and threshold: it is stored,
e-mailed to the student and the linked guardians through the notification outbox
(``services.common.notifications``; addresses from identity when sending) and
published as ``screen_time.alert`` for the administration's dashboard.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.directory import Directory
from services.common.notifications.dispatcher import notification_hooks
from services.common.notifications.outbox import Recipient, enqueue
from services.common.outbox import emit
from services.compliance.models import (
    ScreenTimeAlert,
    directory,
    kernel,
    notifications,
)
from services.compliance.models.screen_time import ALERT_THRESHOLDS, ALL_DEVICES
from services.compliance.norms import engine
from services.compliance.norms.checks import NormContext
from services.compliance.norms.data import BUILT_IN_SETS
from services.compliance.norms.engine import Rule, Subject
from services.compliance.norms.repository import (
    RuleSetRepository,
    SettingsRepository,
    time_ordered_id,
)
from services.compliance.screen_time.repository import AlertRepository
from services.compliance.screen_time.schemas import LimitStatus

ALERT_EVENT = "screen_time.alert"
ALERT_TOPIC = "screen_time.alert"
MEASURE_OF_CONTEXT = {"school": "daily_school", "home": "daily_home"}
CONTEXT_OF_MEASURE = {"daily_school": "school", "daily_home": "home", "combined_daily": "all"}

start_notifications, stop_notifications = notification_hooks(notifications)


@dataclass(frozen=True)
class StudentClass:
    """The class a student's norms are chosen by (the lowest grade of their classes)."""

    group_id: uuid.UUID | None
    name: str | None
    grade: int | None

    @property
    def subject(self) -> Subject | None:
        if self.grade is None or not engine.GRADE_MIN <= self.grade <= engine.GRADE_MAX:
            return None
        return Subject("grade", self.grade)


async def student_class(
    session: AsyncSession, school_id: uuid.UUID, student_id: uuid.UUID
) -> StudentClass:
    ids = await Directory(session, directory).groups_of_student(school_id, student_id)
    if not ids:
        return StudentClass(None, None, None)
    rows = await session.execute(
        select(directory.class_group).where(
            directory.class_group.school_id == school_id, directory.class_group.id.in_(ids)
        )
    )
    group = min(rows.scalars(), key=lambda g: (g.grade, str(g.id)), default=None)
    if group is None:
        return StudentClass(None, None, None)
    return StudentClass(group.id, group.name, int(group.grade))


async def norm_context(session: AsyncSession, school_id: uuid.UUID, day: date) -> NormContext:
    versions = await RuleSetRepository(session).versions_between(school_id, day, day)
    settings = await SettingsRepository(session).get(school_id)
    built_in = {day: tuple(s for s in BUILT_IN_SETS if s.applies_on(day))}
    return NormContext(built_in=built_in, versions=versions, settings=settings)


def _strictest(rules: tuple[Rule, ...]) -> Rule | None:
    return min(rules, key=lambda r: (r.limit, r.id), default=None)


def _threshold(used_seconds: int, limit_minutes: int) -> int | None:
    reached = None
    for threshold in ALERT_THRESHOLDS:
        if used_seconds * 100 >= threshold * limit_minutes * 60:
            reached = threshold
    return reached


def limit_statuses(
    ctx: NormContext,
    day: date,
    subject: Subject | None,
    totals: Mapping[tuple[str, str], int],
) -> list[LimitStatus]:
    """Each daily limit that applies to what the student used on the day."""
    if subject is None:
        return []
    index = ctx.index_for(day)
    measured: list[tuple[str, str, int, Rule]] = []
    for (device, context), used in sorted(totals.items()):
        rule = _strictest(index.get(MEASURE_OF_CONTEXT[context], device, subject))
        if rule is not None:
            measured.append((rule.measure, device, used, rule))
    combined = _strictest(index.get("combined_daily", None, subject))
    if combined is not None and totals:
        measured.append(("combined_daily", ALL_DEVICES, sum(totals.values()), combined))
    return [
        LimitStatus(
            measure=measure,  # type: ignore[arg-type]
            device=device,
            used_seconds=used,
            used_minutes=used // 60,
            limit_minutes=rule.limit,
            percent=used * 100 // (rule.limit * 60),
            threshold_reached=_threshold(used, rule.limit),  # type: ignore[arg-type]
            rule_id=rule.id,
            set_code=rule.set_code,
            set_version=rule.set_version,
            clause=rule.clause,
        )
        for measure, device, used, rule in measured
    ]


def _device_name(device: str) -> str:
    return engine.DEVICE_NAMES.get(device, "все ЭСО вместе")


def alert_message(student_name: str, alert: ScreenTimeAlert) -> tuple[str, str]:
    """The e-mail's subject and body (Russian, plain text)."""
    where = {
        "daily_school": "в школе",
        "daily_home": "дома (включая досуг)",
        "combined_daily": "за день всего",
    }[alert.measure]
    device = _device_name(alert.device)
    day = alert.day.strftime("%d.%m.%Y")
    if alert.threshold >= 100:
        subject = f"Норма времени работы с ЭСО исчерпана: {device}, {day}"
        lead = "Дневная норма работы с электронными средствами обучения исчерпана."
    else:
        subject = f"Использовано {alert.threshold} % нормы работы с ЭСО: {device}, {day}"
        lead = (
            f"Использовано {alert.threshold} % дневной нормы работы с электронными "
            "средствами обучения."
        )
    body = (
        "Здравствуйте!\n\n"
        f"{lead}\n\n"
        f"Обучающийся: {student_name}\n"
        f"Дата: {day}\n"
        f"Устройство: {device}, {where}\n"
        f"Использовано: {alert.used_minutes} мин из {alert.limit_minutes} мин\n"
        f"Норма: {alert.clause}\n\n"
        "Письмо отправлено автоматически платформой ЭО и ДОТ; отвечать на него не нужно.\n"
    )
    return subject, body


def alert_payload(alert: ScreenTimeAlert, student: Any, klass: StudentClass) -> dict[str, Any]:
    return {
        "id": str(alert.id),
        "school_id": str(alert.school_id),
        "student_id": str(alert.student_id),
        "student_name": student.full_name if student is not None else None,
        "class_group_id": str(klass.group_id) if klass.group_id else None,
        "class_name": klass.name,
        "grade": klass.grade,
        "date": alert.day.isoformat(),
        "device": alert.device,
        "device_name": _device_name(alert.device),
        "measure": alert.measure,
        "context": CONTEXT_OF_MEASURE[alert.measure],
        "threshold": alert.threshold,
        "used_minutes": alert.used_minutes,
        "limit_minutes": alert.limit_minutes,
        "rule_id": alert.rule_id,
        "set_code": alert.set_code,
        "set_version": alert.set_version,
        "clause": alert.clause,
        "created_at": alert.created_at.isoformat(),
    }


async def raise_alerts(
    session: AsyncSession,
    school_id: uuid.UUID,
    student: Any,
    klass: StudentClass,
    day: date,
    limits: list[LimitStatus],
) -> list[ScreenTimeAlert]:
    """Store, send and publish the alerts of ``limits`` not raised before."""
    repo = AlertRepository(session)
    raised = await repo.keys_of_day(school_id, student.id, day)
    out: list[ScreenTimeAlert] = []
    guardians: set[uuid.UUID] | None = None
    for status in limits:
        for threshold in ALERT_THRESHOLDS:
            if status.threshold_reached is None or status.threshold_reached < threshold:
                continue
            if (status.device, status.measure, threshold) in raised:
                continue
            alert = ScreenTimeAlert(
                id=time_ordered_id(),
                school_id=school_id,
                student_id=student.id,
                class_group_id=klass.group_id,
                day=day,
                device=status.device,
                measure=status.measure,
                threshold=threshold,
                used_minutes=status.used_minutes,
                limit_minutes=status.limit_minutes,
                rule_id=status.rule_id,
                set_code=status.set_code,
                set_version=status.set_version,
                clause=status.clause,
            )
            if not await repo.add_once(alert):
                continue
            raised.add((status.device, status.measure, threshold))
            if guardians is None:
                found = await Directory(session, directory).guardians_of(school_id, [student.id])
                guardians = found.get(student.id, set())
            subject, body = alert_message(student.full_name, alert)
            await enqueue(
                session,
                notifications,
                school_id=school_id,
                topic=ALERT_TOPIC,
                subject_ref=f"screen_time_alert:{alert.id}",
                recipients=[
                    Recipient(student.id, "student"),
                    *(Recipient(g, "guardian", on_behalf_of=student.id) for g in sorted(guardians)),
                ],
                subject=subject,
                body=body,
            )
            await emit(
                session,
                kernel.outbox,
                school_id=school_id,
                type=ALERT_EVENT,
                aggregate_type="screen_time_alert",
                aggregate_id=alert.id,
                payload=alert_payload(alert, student, klass),
            )
            out.append(alert)
    return out
