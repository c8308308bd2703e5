"""The change feed documented for integrators in each service's OpenAPI contract (GW-5).

``GET /api/v1/<service>/events`` gets ``x-event-types``: one entry per event type the
service emits (its ``EVENT_TYPES``) with the schema of its ``payload`` where the
service declared one (a pydantic model in ``components/schemas``), otherwise a plain
object. The feed's own description explains cursors, ordering, retention and filters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict


class EventPayload(BaseModel):
    """Base of the documented payload models: consumers must accept unknown fields."""

    model_config = ConfigDict(extra="allow")


FEED_DOC = (
    "Лента изменений сервиса для интеграций и других сервисов платформы.\n\n"
    "**Курсор.** Каждое событие несёт `cursor`; ответ — `next_cursor` (курсор последнего "
    "события страницы, а если событий нет — тот же, что передан). Передайте его в "
    "`after`, чтобы продолжить: курсор непрозрачен, хранится на стороне потребителя и не "
    "устаревает. Курсор, не выданный этим сервисом, или курсор «из будущего» — 400 "
    "`invalid-cursor`.\n\n"
    "**Порядок.** События идут в порядке фиксации транзакций (позиция в ленте растёт "
    "монотонно; событие с меньшей позицией не появится позже). Событие записывается в "
    "одной транзакции с изменением, поэтому изменение без события (и наоборот) "
    "невозможно.\n\n"
    "**Доставка.** Не менее одного раза: потребитель, перечитавший страницу после сбоя, "
    "получит те же события — дедуплицируйте по `id` события.\n\n"
    "**Хранение.** События не удаляются из ленты (хранятся, пока оператор не "
    "архивирует базу); потребитель может начать с начала, не передав `after`.\n\n"
    "**Фильтр.** `types` — список типов через запятую; курсор при этом тот же, что и "
    "без фильтра. `limit` — до 1000 событий на страницу.\n\n"
    "**Доступ.** Администраторы и персонал школы — события своей школы; сервисы "
    "платформы (токен client_credentials) — всех школ или школы `school_id`.\n\n"
    "Типы событий и схемы их `payload` — в расширении `x-event-types` этой операции. "
    "Те же события можно получать веб-хуками (`/webhooks`) и из NATS JetStream."
)


def _schemas_of(models: Sequence[type[BaseModel]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for model in models:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, definition in schema.pop("$defs", {}).items():
            out.setdefault(name, definition)
        out[model.__name__] = schema
    return out


def document_events(
    spec: dict[str, Any],
    service: str,
    event_types: Sequence[str],
    payloads: Mapping[str, type[BaseModel]],
) -> dict[str, Any]:
    """Adds ``x-event-types`` and the payload schemas to ``spec`` (in place)."""
    operation = (spec.get("paths", {}).get(f"/api/v1/{service}/events") or {}).get("get")
    if operation is None:
        return spec
    entries: list[dict[str, Any]] = []
    for event_type in event_types:
        model = payloads.get(event_type)
        entry: dict[str, Any] = {
            "type": event_type,
            "subject": f"eo.{service}.{event_type}",
        }
        if model is not None:
            entry["payload"] = {"$ref": f"#/components/schemas/{model.__name__}"}
            if model.__doc__:
                entry["description"] = " ".join(model.__doc__.split())
        else:
            entry["payload"] = {"type": "object", "additionalProperties": True}
        entries.append(entry)
    operation["x-event-types"] = entries
    operation["description"] = FEED_DOC
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for name, definition in _schemas_of(list(dict.fromkeys(payloads.values()))).items():
        schemas.setdefault(name, definition)
    return spec
