"""The merged OpenAPI contract of all services (GW-3).

:func:`merge_specs` is pure: it takes each service's own spec (as served at
``/api/v1/<service>/openapi.json``) and returns one document with

* every service's paths under its ``/api/v1/<service>/`` prefix (a service's own
  ``/healthz``, ``/readyz`` and ``/metrics`` are not reachable through the gateway and
  are left out), plus the gateway's operations (``gateway_*``);
* the components of all services: a name defined identically by several services is
  kept once; a name defined differently is prefixed by service (``learning_EventRead``)
  in every service that defines it, and that service's ``$ref``\\ s are rewritten;
* the kernel's ``Problem`` and ``FieldError`` shared by everyone (from
  :mod:`services.common.errors`), and the bearer security scheme always declared, so
  the docs' "Authorize" dialog offers it even when identity is down.

The gateway serves the result at ``/api/openapi.json``; ``make openapi`` commits it.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from gateway import today_schemas
from services.common.errors import PROBLEM_MEDIA_TYPE, FieldError, Problem

__all__ = [
    "BEARER_SCHEME",
    "GATEWAY",
    "SERVICE_ORDER",
    "gateway_spec",
    "merge_specs",
]

GATEWAY = "gateway"
SERVICE_ORDER = ("identity", "learning", "journal", "compliance")
OPENAPI_VERSION = "3.1.0"
TITLE = "Платформа ЭО и ДОТ: единый API"
DESCRIPTION = (
    "Все сервисы платформы за одним шлюзом. Пути `/api/v1/<сервис>/…` ведут в сервисы "
    "identity, learning, journal и compliance. Почти все операции требуют токен доступа "
    "(`Authorization: Bearer …`), который выдаёт `POST /api/v1/identity/token`. "
    "Ошибки возвращаются в формате problem details (RFC 9457, `application/problem+json`)."
)
SHARED_SCHEMAS = ("Problem", "FieldError")
BEARER_SCHEME_NAME = "HTTPBearer"
BEARER_SCHEME: dict[str, Any] = {
    "type": "http",
    "description": "Токен доступа из /api/v1/identity/token",
    "scheme": "bearer",
}

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


def _problem_response(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_REF}}}


def _shared_schemas() -> dict[str, Any]:
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = problem.pop("$defs", {})
    defs.setdefault("FieldError", FieldError.model_json_schema())
    return {"Problem": problem, **defs}


def _json_get(
    path: str, op_id: str, summary: str, schema_ref: str, *, description: str = ""
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "tags": [GATEWAY],
        "summary": summary,
        "operationId": op_id,
        "responses": {
            "200": {
                "description": "Успешный ответ",
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}
                },
            }
        },
    }
    if description:
        operation["description"] = description
    return {path: {"get": operation}}


TODAY_DESCRIPTION = (
    "Всё для главного экрана одним запросом. Обучающемуся — его день, родителю — день "
    "каждого связанного ребёнка, педагогу — его день; у человека с несколькими ролями — "
    "все его блоки. День обучающегося: уроки с формой проведения, кабинетом и ссылкой на "
    "видеокомнату (или альтернативой для отказавшихся от ЭО/ДОТ), задания со сроком "
    "с `date` на `GATEWAY_TODAY_DUE_DAYS` дней вперёд (по умолчанию 7), отметки и отзывы, "
    "выставленные или изменённые с момента `since`, экранное время за день. День педагога: "
    "уроки, работы, полученные сегодня и вчера и ещё не проверенные, со сроком проверки "
    "(Рег. §2.3), и предупреждения по нормам ЭСО на его уроках: сохранённые при публикации "
    "урока (Рег. §2.5), а урок, который тогда проверить не удалось, проверяется сейчас."
    "\n\n"
    "Шлюз опрашивает сервисы параллельно с токеном вызывающего, поэтому в сводку не "
    "попадает ничего сверх его прав, и укладывается в `GATEWAY_COMPOSE_BUDGET_SECONDS` "
    "(по умолчанию 2 с). Если сервис недоступен, ответил ошибкой или не успел, ответ всё "
    "равно 200: его часть помечена `status: unavailable` с причиной в `detail`, а "
    "`partial` — true. День — по календарю и часовому поясу школы. Сервисному токену и "
    "ролям без сводки (администратор, персонал) — 403."
)


def _today_operation() -> dict[str, Any]:
    return {
        "get": {
            "tags": [GATEWAY],
            "summary": "Сводка «Сегодня» для обучающегося, родителя или педагога",
            "description": TODAY_DESCRIPTION,
            "operationId": "gateway_get_today",
            "security": [{BEARER_SCHEME_NAME: []}],
            "parameters": [
                {
                    "name": "date",
                    "in": "query",
                    "required": False,
                    "description": (
                        "День, ГГГГ-ММ-ДД, не дальше года от сегодняшнего (по умолчанию — "
                        "сегодня по времени школы)"
                    ),
                    "schema": {"type": "string", "format": "date"},
                },
                {
                    "name": "since",
                    "in": "query",
                    "required": False,
                    "description": (
                        "Момент прошлого визита: дата ГГГГ-ММ-ДД (с начала дня) или дата и "
                        "время ISO 8601 (без смещения — по времени школы); не в будущем и не "
                        "раньше `GATEWAY_TODAY_SINCE_MAX_DAYS` дней назад. По умолчанию — "
                        "`GATEWAY_TODAY_SINCE_DEFAULT_DAYS` (7) дней назад"
                    ),
                    "schema": {"type": "string", "maxLength": 64},
                },
            ],
            "responses": {
                "200": {
                    "description": "Сводка (возможно, частичная: см. partial)",
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/TodayView"}}
                    },
                },
                "400": _problem_response(
                    "since в будущем или слишком давно, date дальше года от сегодня"
                ),
                "401": _problem_response("Требуется аутентификация"),
                "403": _problem_response("У роли нет сводки «Сегодня» (сервисный токен и др.)"),
                "422": _problem_response("Параметр date или since в неверном формате"),
                "429": _problem_response("Слишком много запросов"),
                "503": _problem_response("Ключи проверки токенов недоступны"),
            },
        }
    }


def gateway_spec() -> dict[str, Any]:
    """The gateway's own operations, as a small OpenAPI document of their own."""
    paths: dict[str, Any] = {}
    paths.update(_json_get("/healthz", "gateway_healthz", "Шлюз работает", "GatewayHealth"))
    paths["/api/v1/gateway/today"] = _today_operation()
    readyz = _json_get(
        "/readyz",
        "gateway_readyz",
        "Готовность: все сервисы отвечают",
        "GatewayReadiness",
        description="503, если хотя бы один сервис не отвечает; в ответе список таких сервисов.",
    )
    readyz["/readyz"]["get"]["responses"]["503"] = _problem_response("Сервис временно недоступен")
    paths.update(readyz)
    paths["/metrics"] = {
        "get": {
            "tags": [GATEWAY],
            "summary": "Метрики Prometheus шлюза",
            "operationId": "gateway_metrics",
            "responses": {
                "200": {
                    "description": "Метрики в текстовом формате Prometheus",
                    "content": {"text/plain": {"schema": {"type": "string"}}},
                }
            },
        }
    }
    paths["/api/openapi.json"] = {
        "get": {
            "tags": [GATEWAY],
            "summary": "Единая спецификация OpenAPI всех сервисов",
            "description": (
                "Если какой-то сервис недоступен, отдаётся то, что доступно, а список "
                "недоступных сервисов указан в `x-unavailable-services`."
            ),
            "operationId": "gateway_openapi",
            "responses": {
                "200": {
                    "description": "Документ OpenAPI 3.1",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }
            },
        }
    }
    paths["/docs"] = {
        "get": {
            "tags": [GATEWAY],
            "summary": "Документация API (Swagger UI, без внешних ресурсов)",
            "operationId": "gateway_docs",
            "responses": {
                "200": {
                    "description": "Страница документации",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                }
            },
        }
    }
    for name, op_id, summary in (
        (
            "openid-configuration",
            "gateway_openid_configuration",
            "Документ обнаружения OpenID (от сервиса identity)",
        ),
        (
            "jwks.json",
            "gateway_jwks",
            "Открытые ключи проверки токенов (JWKS, от сервиса identity)",
        ),
    ):
        paths[f"/.well-known/{name}"] = {
            "get": {
                "tags": [GATEWAY],
                "summary": summary,
                "operationId": op_id,
                "responses": {
                    "200": {
                        "description": "Ответ сервиса identity",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    "503": _problem_response("Сервис временно недоступен"),
                },
            }
        }
    schemas = {
        "GatewayHealth": {
            "title": "GatewayHealth",
            "type": "object",
            "properties": {
                "status": {"type": "string", "title": "Status"},
                "service": {"type": "string", "title": "Service"},
            },
            "required": ["status", "service"],
        },
        "GatewayReadiness": {
            "title": "GatewayReadiness",
            "type": "object",
            "properties": {
                "status": {"type": "string", "title": "Status"},
                "services": {
                    "type": "object",
                    "title": "Services",
                    "description": "Состояние каждого сервиса: ok или unavailable",
                    "additionalProperties": {"type": "string"},
                },
            },
            "required": ["status", "services"],
        },
        **today_schemas.openapi_schemas(),
        **_shared_schemas(),
    }
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Шлюз", "version": "1.0.0"},
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {BEARER_SCHEME_NAME: dict(BEARER_SCHEME)},
        },
        "tags": [
            {
                "name": GATEWAY,
                "description": "Шлюз: состояние, метрики, документация, сводные представления",
            }
        ],
    }


def _ordered(names: Iterable[str]) -> list[str]:
    known = [n for n in SERVICE_ORDER if n in names]
    return known + sorted(n for n in names if n not in SERVICE_ORDER)


def _own_paths(service: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    if service == GATEWAY:
        return dict(spec.get("paths") or {})
    prefix = f"/api/v1/{service}"
    return {
        path: item
        for path, item in (spec.get("paths") or {}).items()
        if path == prefix or path.startswith(prefix + "/")
    }


def _rewrite(node: Any, renames: Mapping[str, Mapping[str, str]]) -> Any:
    """A copy of ``node`` with ``$ref``\\ s and security requirements renamed.

    ``renames`` maps a component section (``schemas``…) to {old name: new name}.
    """
    if isinstance(node, list):
        return [_rewrite(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "$ref" and isinstance(value, str) and value.startswith("#/components/"):
            _, _, section, name = value.split("/", 3)
            new = renames.get(section, {}).get(name)
            out[key] = f"#/components/{section}/{new}" if new else value
        elif key == "security" and isinstance(value, list):
            schemes = renames.get("securitySchemes", {})
            out[key] = [
                {schemes.get(n, n): scopes for n, scopes in req.items()}
                if isinstance(req, dict)
                else req
                for req in value
            ]
        else:
            out[key] = _rewrite(value, renames)
    return out


def _prefixed(service: str, name: str) -> str:
    return f"{service}_{name}"


def _collisions(docs: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, dict[str, str]]]:
    """Per service: {section: {name: prefixed name}} for names defined differently.

    Two definitions that look the same may still differ through what they reference
    (``Page`` pointing to each service's own ``Item``), so renaming runs to a fixed
    point: a name is compared with the renames found so far applied.
    """
    defined: dict[tuple[str, str], list[str]] = {}
    for service, doc in docs.items():
        for section, entries in (doc.get("components") or {}).items():
            for name in entries or {}:
                if section == "schemas" and name in SHARED_SCHEMAS and service != GATEWAY:
                    continue
                defined.setdefault((section, name), []).append(service)
    renamed: set[tuple[str, str]] = set()

    def renames_for(service: str) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for section, name in renamed:
            if service in defined[(section, name)]:
                out.setdefault(section, {})[name] = _prefixed(service, name)
        return out

    changed = True
    while changed:
        changed = False
        for key, services in defined.items():
            if len(services) < 2 or key in renamed:
                continue
            section, name = key
            variants = [
                _rewrite(docs[s]["components"][section][name], renames_for(s)) for s in services
            ]
            if any(v != variants[0] for v in variants[1:]):
                renamed.add(key)
                changed = True
    return {service: renames_for(service) for service in docs}


def _used_tags(paths: Mapping[str, Any]) -> set[str]:
    return {
        str(tag)
        for item in paths.values()
        for operation in item.values()
        if isinstance(operation, dict)
        for tag in operation.get("tags") or []
    }


def merge_specs(
    specs: Mapping[str, Mapping[str, Any]],
    *,
    unavailable: Iterable[str] = (),
    include_gateway: bool = True,
) -> dict[str, Any]:
    """Merge the services' OpenAPI documents ({service name: spec}) into one.

    ``unavailable`` names services whose spec could not be fetched; they are listed in
    ``x-unavailable-services``. Raises :class:`ValueError` when two services declare the
    same path or operation id (a bug in one of them).
    """
    docs: dict[str, dict[str, Any]] = {
        name: copy.deepcopy(dict(specs[name])) for name in _ordered(specs)
    }
    if include_gateway:
        docs = {GATEWAY: gateway_spec(), **docs}
    renames = _collisions(docs)

    paths: dict[str, Any] = {}
    components: dict[str, dict[str, Any]] = {}
    tags: dict[str, dict[str, Any]] = {}
    operation_ids: dict[str, str] = {}
    titles: list[str] = []
    for service, doc in docs.items():
        mapping = renames[service]
        for path, item in _own_paths(service, doc).items():
            if path in paths:
                raise ValueError(f"path {path} is declared by two services")
            item = _rewrite(item, mapping)
            for operation in item.values():
                op_id = operation.get("operationId") if isinstance(operation, dict) else None
                if op_id:
                    if op_id in operation_ids:
                        raise ValueError(
                            f"operationId {op_id} is declared by {operation_ids[op_id]} "
                            f"and {service}"
                        )
                    operation_ids[op_id] = service
            paths[path] = item
        for section, entries in (doc.get("components") or {}).items():
            target = components.setdefault(section, {})
            for name, definition in (entries or {}).items():
                if section == "schemas" and name in SHARED_SCHEMAS and service != GATEWAY:
                    continue
                new_name = mapping.get(section, {}).get(name, name)
                if new_name != name and new_name in target:
                    raise ValueError(f"component {section}/{new_name} would be defined twice")
                target.setdefault(new_name, _rewrite(definition, mapping))
        for tag in doc.get("tags") or []:
            if isinstance(tag, dict) and "name" in tag:
                tags.setdefault(str(tag["name"]), dict(tag))
        title = (doc.get("info") or {}).get("title")
        if service != GATEWAY and title:
            titles.append(f"- **{service}**: {title}")

    schemes = components.setdefault("securitySchemes", {})
    has_bearer = any(
        isinstance(s, dict) and s.get("type") == "http" and s.get("scheme") == "bearer"
        for s in schemes.values()
    )
    if not has_bearer:
        schemes[BEARER_SCHEME_NAME] = dict(BEARER_SCHEME)
    if not include_gateway:
        components.setdefault("schemas", {}).update(_shared_schemas())

    description = DESCRIPTION
    if titles:
        description += "\n\nСервисы:\n" + "\n".join(titles)
    merged: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": TITLE, "version": "1.0.0", "description": description},
        "paths": paths,
        "components": {
            section: dict(sorted(entries.items())) for section, entries in components.items()
        },
        # tags of the services' own health operations (left out above) are dropped
        "tags": [tag for name, tag in tags.items() if name in _used_tags(paths)],
    }
    down = sorted(set(unavailable))
    if down:
        merged["x-unavailable-services"] = down
    return merged
