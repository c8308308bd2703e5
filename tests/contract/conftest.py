"""Fixtures of the contract tests: the specs as ``scripts/openapi.py`` builds them."""

from __future__ import annotations

from typing import Any

import pytest

from scripts.openapi import build_specs


@pytest.fixture(scope="session")
def generated_specs() -> dict[str, dict[str, Any]]:
    """File stem (``identity``, …, ``gateway``) → the spec generated in memory."""
    return build_specs()
