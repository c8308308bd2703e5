"""OpenAPI post-processing: problem details everywhere, no FastAPI validation schemas."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from services.common.errors import PROBLEM_MEDIA_TYPE, FieldError, Problem

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}


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
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
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
