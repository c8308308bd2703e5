"""Every operation of the contract is named, described in Russian and documents its
errors as problem details (GW-3, X-2)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from scripts.openapi import SERVICES

METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
PROBLEM_MEDIA_TYPE = "application/problem+json"
SPEC_NAMES = [*SERVICES, "gateway"]


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                yield method.upper(), path, item[method]


def is_public(spec: dict[str, Any], operation: dict[str, Any]) -> bool:
    security = operation.get("security", spec.get("security"))
    return not security or all(not requirement for requirement in security)


@pytest.mark.parametrize("name", SPEC_NAMES)
class TestOperations:
    def test_operation_ids_are_present_and_unique(
        self, name: str, generated_specs: dict[str, dict[str, Any]]
    ) -> None:
        spec = generated_specs[name]
        ops = list(operations(spec))
        missing = [f"{m} {p}" for m, p, op in ops if not op.get("operationId")]
        assert not missing, f"operations without operationId: {missing}"
        counts = Counter(op["operationId"] for _, _, op in ops)
        duplicates = sorted(k for k, n in counts.items() if n > 1)
        assert not duplicates, f"duplicate operationIds: {duplicates}"

    def test_summaries_are_in_russian(
        self, name: str, generated_specs: dict[str, dict[str, Any]]
    ) -> None:
        spec = generated_specs[name]
        bad = [
            f"{m} {p}: {op.get('summary')!r}"
            for m, p, op in operations(spec)
            if not CYRILLIC.search(op.get("summary") or "")
        ]
        assert not bad, f"summaries without Cyrillic: {bad}"

    def test_protected_operations_declare_401_and_422(
        self, name: str, generated_specs: dict[str, dict[str, Any]]
    ) -> None:
        spec = generated_specs[name]
        bad = [
            f"{m} {p}: {sorted(op.get('responses', {}))}"
            for m, p, op in operations(spec)
            if not is_public(spec, op) and not {"401", "422"} <= set(op.get("responses", {}))
        ]
        assert not bad, f"authenticated operations must document 401 and 422: {bad}"

    def test_error_responses_are_problem_details(
        self, name: str, generated_specs: dict[str, dict[str, Any]]
    ) -> None:
        spec = generated_specs[name]
        assert "Problem" in spec.get("components", {}).get("schemas", {})
        bad = []
        for m, p, op in operations(spec):
            for code, response in op.get("responses", {}).items():
                if not (code[:1].isdigit() and int(code[0]) >= 4):
                    continue
                content = response.get("content") or {}
                schema = content.get(PROBLEM_MEDIA_TYPE, {}).get("schema", {})
                if set(content) != {PROBLEM_MEDIA_TYPE} or not str(schema.get("$ref", "")).endswith(
                    "/Problem"
                ):
                    bad.append(f"{m} {p} {code}: {sorted(content)} {schema}")
        assert not bad, f"error responses must be {PROBLEM_MEDIA_TYPE} with Problem: {bad}"


def test_operation_ids_are_unique_across_services(
    generated_specs: dict[str, dict[str, Any]],
) -> None:
    counts = Counter(
        op["operationId"]
        for name in SERVICES
        for _, _, op in operations(generated_specs[name])
        if op.get("operationId")
    )
    duplicates = sorted(k for k, n in counts.items() if n > 1)
    assert not duplicates, f"operationIds shared by services: {duplicates}"
