"""The committed contract under ``openapi/`` is current and valid (GW-3)."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from scripts.openapi import OPENAPI_DIR, ROOT, SERVICES, render


class TestCommittedSpecs:
    def test_every_service_and_the_gateway_have_a_spec(
        self, generated_specs: dict[str, dict[str, Any]]
    ) -> None:
        assert set(generated_specs) == {*SERVICES, "gateway"}

    def test_committed_files_match_the_code(
        self, generated_specs: dict[str, dict[str, Any]]
    ) -> None:
        stale = []
        for name, spec in generated_specs.items():
            path = OPENAPI_DIR / f"{name}.json"
            committed = path.read_text(encoding="utf-8") if path.exists() else None
            if committed != render(spec):
                stale.append(str(path.relative_to(ROOT)))
        assert not stale, f"OpenAPI files differ from the code: {stale}; run make openapi"

    def test_no_unknown_files(self, generated_specs: dict[str, dict[str, Any]]) -> None:
        extra = {p.stem for p in OPENAPI_DIR.glob("*.json")} - set(generated_specs)
        assert not extra, f"openapi/ holds files nothing generates: {sorted(extra)}"

    def test_rendering_is_deterministic(self, generated_specs: dict[str, dict[str, Any]]) -> None:
        from scripts.openapi import build_specs

        again = build_specs()
        assert {k: render(v) for k, v in again.items()} == {
            k: render(v) for k, v in generated_specs.items()
        }


@pytest.mark.parametrize("name", [*SERVICES, "gateway"])
def test_spec_is_valid_openapi(name: str, generated_specs: dict[str, dict[str, Any]]) -> None:
    validate(generated_specs[name])
