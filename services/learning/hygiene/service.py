"""The hygiene check before publishing (Reg §2.5, CO-2).

Before learning publishes a lesson with screen-device segments, or an assignment with
expected screen minutes, it asks compliance (``/norms/checks/lesson`` for a lesson — the
course's grade, date, number, start, duration, delivery form and segments;
``/norms/checks/student-day`` for an assignment — its home screen minutes on the day it
is due, for the course's grade). Whether a violation blocks or warns is not learning's
to decide: compliance's school setting ``violation_mode`` decides
(``PUT /api/v1/compliance/norms/settings``), and every check result carries it:

* ``violation_mode = block``: a violation of a rule whose own severity is ``block``
  refuses the publication — 422 ``hygiene-norms-violated`` listing the violations
  (rule, set, clause, limit, actual, severity); violations of ``warn`` rules only warn;
* ``violation_mode = warn``: the item is published and the violations are stored on it
  and returned with it (``compliance.status = warnings``);
* a result without ``violation_mode`` is read as ``block``.

What to do when compliance cannot be asked is learning's own setting
(``/school-settings``):

* compliance cannot be asked (no connection, timeout, 5xx, refusal):
  ``compliance_unreachable = refuse`` answers 503 ``compliance-unavailable``;
  ``mark_unchecked`` publishes the item visibly marked ``not_checked`` with the reason.
  A school that never saved its settings gets the service's
  ``LEARNING_COMPLIANCE_UNREACHABLE_DEFAULT``.

Never a silent pass: every item that uses screen devices carries the outcome
(``compliance_status``, violations, ``checked_at``, compliance's check id).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any, Protocol
from zoneinfo import ZoneInfo

from fastapi import Depends, Request
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.auth import CurrentPrincipal
from services.common.db import SessionDep, utcnow
from services.common.errors import BusinessRuleError, ServiceUnavailable
from services.learning.assignments.times import local
from services.learning.hygiene.client import (
    LESSON_CHECK,
    NOT_A_RESULT,
    STUDENT_DAY_CHECK,
    ComplianceClient,
    ComplianceUnavailable,
)
from services.learning.hygiene.schemas import HygieneCheckRead, HygieneViolation
from services.learning.models import Assignment, Course, Lesson
from services.learning.school_settings.service import school_settings


@dataclass
class Outcome:
    """The check result to store on the lesson or assignment."""

    status: str  # checked_ok / warnings / not_checked
    checked_at: datetime
    violations: list[dict[str, Any]] = field(default_factory=list)
    check_id: uuid.UUID | None = None
    note: str | None = None

    @classmethod
    def answered(
        cls,
        violations: list[dict[str, Any]],
        check_id: uuid.UUID | None,
        at: datetime,
        note: str | None = None,
    ) -> Outcome:
        """Compliance's answer: ``warnings`` with violations, otherwise ``checked_ok``."""
        status = "warnings" if violations else "checked_ok"
        return cls(status, at, violations, check_id, note)


RECHECKED = (
    "Опубликовано без проверки (сервис проверки норм был недоступен); проверено позже, "
    "нарушения нужно устранить"
)


class Checked(Protocol):
    """A lesson or an assignment: the columns an outcome is stored in."""

    compliance_status: str | None
    compliance_check_id: uuid.UUID | None
    compliance_violations: list[dict[str, Any]] | None
    compliance_checked_at: datetime | None
    compliance_note: str | None


def store(item: Checked, outcome: Outcome | None) -> None:
    """Write an outcome on an item (None: the item needs no check any more)."""
    item.compliance_status = outcome.status if outcome is not None else None
    item.compliance_check_id = outcome.check_id if outcome is not None else None
    item.compliance_violations = list(outcome.violations) if outcome is not None else None
    item.compliance_checked_at = outcome.checked_at if outcome is not None else None
    item.compliance_note = outcome.note if outcome is not None else None


def check_read(item: Checked, *, uses_screens: bool) -> HygieneCheckRead:
    if item.compliance_status is None:
        return HygieneCheckRead(
            status="pending" if uses_screens else "not_required",
            violations=[],
            checked_at=None,
            check_id=None,
        )
    return HygieneCheckRead(
        status=item.compliance_status,  # type: ignore[arg-type]
        violations=[HygieneViolation.model_validate(v) for v in item.compliance_violations or []],
        checked_at=item.compliance_checked_at,
        check_id=item.compliance_check_id,
        reason=item.compliance_note,
    )


def _violation(raw: dict[str, Any], mode: str) -> dict[str, Any]:
    rule_severity = str(raw.get("rule_severity") or raw.get("severity") or "block")
    return HygieneViolation(
        rule=str(raw.get("rule_id") or ""),
        set_code=str(raw.get("set_code") or ""),
        set_version=int(raw.get("set_version") or 0),
        clause=str(raw.get("clause") or ""),
        measure=str(raw.get("measure") or ""),
        device=str(raw["device"]) if raw.get("device") else None,
        limit=int(raw.get("limit") or 0),
        actual=int(raw.get("actual") or 0),
        unit=str(raw.get("unit") or "min"),
        severity="block" if mode == "block" and rule_severity == "block" else "warn",
        message=str(raw.get("message") or ""),
    ).model_dump(mode="json")


class HygieneGate:
    """Asks compliance and applies the school's ``violation_mode`` its result carries;
    one per request."""

    def __init__(
        self,
        session: AsyncSession,
        school_id: uuid.UUID,
        client: ComplianceClient | None,
        *,
        unreachable_default: str = "refuse",
    ) -> None:
        self.session = session
        self.school_id = school_id
        self.client = client
        self.unreachable_default = unreachable_default

    async def _unreachable(self) -> str:
        row = await school_settings(self.session, self.school_id)
        saved = inspect(row).has_identity
        return row.compliance_unreachable if saved else self.unreachable_default

    async def _result(
        self, path: str, body: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], uuid.UUID | None]:
        """Compliance's violations (severity after its ``violation_mode``) and check id;
        :class:`ComplianceUnavailable` when it cannot be asked."""
        if self.client is None:
            raise ComplianceUnavailable("проверка норм не настроена")
        result = await self.client.check(path, body)
        # compliance's school setting decides (absent: block, never a silent pass)
        mode = "warn" if result.get("violation_mode") == "warn" else "block"
        try:
            violations = [_violation(v, mode) for v in result["violations"] if isinstance(v, dict)]
        except (TypeError, ValueError) as exc:
            raise ComplianceUnavailable(NOT_A_RESULT) from exc
        return violations, _uuid(result.get("check_id"))

    async def recheck(self, path: str, body: dict[str, Any]) -> Outcome | None:
        """The outcome for an item published ``not_checked``; None while compliance still
        cannot be asked. The item is out already, so a violation that would have blocked
        it is kept on it (severity ``block``) instead of refusing anything."""
        try:
            violations, check_id = await self._result(path, body)
        except ComplianceUnavailable:
            return None
        return Outcome.answered(
            violations, check_id, utcnow(), note=RECHECKED if violations else None
        )

    async def _ask(self, path: str, body: dict[str, Any], what: str) -> Outcome:
        unreachable = await self._unreachable()
        now = utcnow()
        try:
            violations, check_id = await self._result(path, body)
        except ComplianceUnavailable as exc:
            if unreachable == "mark_unchecked":
                return Outcome(status="not_checked", checked_at=now, note=exc.reason)
            raise ServiceUnavailable(
                f"Нельзя опубликовать {what}: {exc.reason}. Повторите позже — или "
                "администратор может разрешить публикацию с отметкой «не проверено» "
                "(настройка compliance_unreachable)",
                code="compliance-unavailable",
                headers={"Retry-After": "30"},
            ) from None
        if any(v["severity"] == "block" for v in violations):
            raise BusinessRuleError(
                f"Нельзя опубликовать {what}: нарушены нормы работы с ЭСО (п. 2.5 Регламента)"
                " — " + "; ".join(v["message"] or v["clause"] for v in violations),
                code="hygiene-norms-violated",
                title="Нарушены санитарные нормы работы с ЭСО",
                extra={"violations": violations, "check_id": str(check_id) if check_id else None},
            )
        return Outcome.answered(violations, check_id, now)

    async def lesson(self, body: dict[str, Any] | None) -> Outcome | None:
        """The outcome for a lesson plan (``lesson_body``); None when it uses no screen."""
        return None if body is None else await self._ask(LESSON_CHECK, body, "урок")

    def lesson_body(self, lesson: Lesson, course: Course) -> dict[str, Any] | None:
        """What compliance's lesson check is asked about ``lesson`` as it now stands;
        None without screen devices."""
        devices = lesson.devices or []
        if not devices:
            return None
        body: dict[str, Any] = {
            "school_id": str(self.school_id),
            "grade": course.grade,
            "date": lesson.date.isoformat(),
            "starts_at": lesson.starts_at.strftime("%H:%M"),
            "duration_minutes": lesson.duration_minutes,
            "delivery_form": lesson.delivery_form,
            "segments": [
                {"device": d["device"], "minutes": int(d["minutes"]), "kind": d["kind"]}
                for d in devices
            ],
            "ref": str(lesson.id),
        }
        if lesson.lesson_number is not None:
            body["lesson_number"] = lesson.lesson_number
        return body

    async def assignment(self, body: dict[str, Any] | None) -> Outcome | None:
        """The outcome for an assignment's home screen use on its due date
        (``assignment_body``); None when it expects no screen work."""
        return None if body is None else await self._ask(STUDENT_DAY_CHECK, body, "задание")

    def assignment_body(self, assignment: Assignment, tz: ZoneInfo) -> dict[str, Any] | None:
        """What compliance's student-day check is asked about ``assignment`` (its course
        loaded): its home screen use on the day it is due; None without screen work."""
        screen = assignment.expected_screen_minutes or []
        if not screen:
            return None
        ref = str(assignment.id)
        return {
            "school_id": str(self.school_id),
            "grade": assignment.course.grade,
            "date": local(assignment.due_at, tz).date().isoformat(),
            "home": [
                {"ref": ref, "device": u["device"], "minutes": int(u["minutes"])} for u in screen
            ],
        }


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def gate_of(app_state: Any, session: AsyncSession, school_id: uuid.UUID) -> HygieneGate:
    """The gate of an app (its HTTP client, service tokens and compliance URL)."""
    settings = app_state.settings
    http = getattr(app_state, "http", None)
    tokens = getattr(app_state, "service_tokens", None)
    client = None
    if http is not None and tokens is not None:
        client = ComplianceClient(
            http,
            tokens,
            settings.service_url("compliance"),
            float(settings.compliance_timeout_seconds),
        )
    return HygieneGate(
        session,
        school_id,
        client,
        unreachable_default=str(settings.compliance_unreachable_default),
    )


async def get_hygiene(
    request: Request, session: SessionDep, principal: CurrentPrincipal
) -> HygieneGate:
    return gate_of(request.app.state, session, principal.school_id)


HygieneDep = Annotated[HygieneGate, Depends(get_hygiene)]
