"""Every write is audited (X-4): who, what, when, from which request.

An ``after_flush`` listener records each created, changed or deleted ORM object of the
service in its ``audit_log`` table, in the same transaction as the change, so the log
can't miss a write made through the ORM. Field names are recorded, not values: the
log itself holds no personal data. Classes opt out with ``__audit__ = False`` (the
kernel tables, token bookkeeping).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from services.common.context import current_actor, current_request_id
from services.common.db import utcnow


def _entity_id(obj: Any) -> str:
    identity = inspect(obj).identity
    if identity:
        return ",".join(str(part) for part in identity)
    return str(getattr(obj, "id", "?"))


def install_audit(session_class: type[Session], audit_model: type[Any]) -> None:
    table = audit_model.__table__

    def after_flush(session: Session, _flush: UOWTransaction) -> None:
        actor = current_actor()
        request_id = current_request_id()
        now = utcnow()
        rows: list[dict[str, Any]] = []
        for action, objects in (
            ("create", session.new),
            ("update", session.dirty),
            ("delete", session.deleted),
        ):
            for obj in objects:
                if not getattr(type(obj), "__audit__", True):
                    continue
                fields: list[str] = []
                if action == "update":
                    if not session.is_modified(obj, include_collections=False):
                        continue
                    fields = sorted(
                        a.key
                        for a in inspect(obj).attrs
                        if a.history.has_changes() and a.key != "updated_at"
                    )
                school_id = getattr(obj, "school_id", None)
                if school_id is None and actor is not None:
                    school_id = actor.school_id
                rows.append(
                    {
                        "school_id": school_id,
                        "actor_id": actor.user_id if actor else None,
                        "action": action,
                        "entity": type(obj).__tablename__,
                        "entity_id": _entity_id(obj),
                        "fields": fields,
                        "request_id": request_id,
                        "at": now,
                    }
                )
        if rows:
            session.connection().execute(insert(table), rows)

    event.listen(session_class, "after_flush", after_flush)
