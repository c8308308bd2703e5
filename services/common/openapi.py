"""OpenAPI post-processing: problem details everywhere, no FastAPI validation schemas."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.common.errors import PROBLEM_MEDIA_TYPE, FieldError, Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
IDEMPOTENCY_HEADER = "Idempotency-Key"
# Every POST made with an access token goes through services.common.idempotency.
IDEMPOTENCY_PARAMETER: dict[str, Any] = {
    "name": IDEMPOTENCY_HEADER,
    "in": "header",
    "required": False,
    "description": (
        "Ключ идемпотентности (1–255 печатных символов ASCII). Повтор с тем же ключом и тем "
        "же запросом возвращает сохранённый ответ (заголовок Idempotent-Replayed: true) и "
        "ничего не создаёт; тот же ключ с другим запросом — 422; запрос ещё выполняется — "
        "409. Ключи действуют в пределах пользователя."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]+$"},
}
# POSTs made without an access token (token exchange, logout by refresh token, the
# first password change) cannot be told apart by caller, so they are not deduplicated;
# they say so in the contract.
IDEMPOTENCY_NOT_APPLICABLE = (
    "Без токена доступа Idempotency-Key не учитывается: запрос не принадлежит "
    "пользователю, и его повтор выполняется заново."
)


def _document_idempotency(operation: dict[str, Any]) -> None:
    if "security" not in operation:
        operation["x-idempotency-key"] = IDEMPOTENCY_NOT_APPLICABLE
        return
    params = operation.setdefault("parameters", [])
    if not any(p.get("name") == IDEMPOTENCY_HEADER for p in params):
        params.append(dict(IDEMPOTENCY_PARAMETER))


def _problem_schemas() -> dict[str, Any]:
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    defs = problem.pop("$defs", {})
    defs.setdefault("FieldError", FieldError.model_json_schema())
    return {"Problem": problem, **defs}


def build_openapi(app: FastAPI, *, title: str, description: str, version: str) -> dict[str, Any]:
    schema = get_openapi(
        title=title,
        version=version,
        description=description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    components.update(_problem_schemas())
    for path_item in schema.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict):
                continue
            if method == "post":
                _document_idempotency(operation)
            for code, resp in list(operation.get("responses", {}).items()):
                content = resp.get("content")
                if not content:
                    continue
                as_json = content.get("application/json", {}).get("schema", {})
                is_problem = code not in ("200", "201", "202", "204") and (
                    as_json.get("$ref", "").endswith(("/HTTPValidationError", "/Problem"))
                    or PROBLEM_MEDIA_TYPE in content
                )
                if is_problem:
                    resp["content"] = {PROBLEM_MEDIA_TYPE: {"schema": dict(_PROBLEM_REF)}}
                    if code == "422":
                        resp["description"] = "Ошибка проверки данных"
    return schema


def install_openapi(app: FastAPI, *, title: str, description: str, version: str) -> None:
    def custom() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(
                app, title=title, description=description, version=version
            )
        return app.openapi_schema

    app.openapi = custom  # type: ignore[method-assign]
