"""No compliance operation without an access test (see tests/support/completeness.py)."""

from __future__ import annotations

from services.compliance.app import create_app
from tests.support.completeness import missing_operations
from tests.support.service_world import service_settings

COVERED: set[str] = set()


def test_every_operation_has_access_tests() -> None:
    app = create_app(service_settings("compliance", "sqlite+aiosqlite://"))
    assert missing_operations(app, "compliance") == []
