"""The kernel is exercised through the identity app: it has real authenticated writes.

The identity fixtures are registered here explicitly (no star imports).
"""

from __future__ import annotations

import pytest

from services.common import outbox
from tests.identity.conftest import (
    client,
    identity_app,
    identity_db_url,
    identity_overrides,
    other_school,
    school,
)


@pytest.fixture
def unchecked_payloads(monkeypatch: pytest.MonkeyPatch) -> None:
    """For tests of the outbox machinery that write synthetic event types (``test.*``)
    into a service's outbox: no payload schema is looked up for them."""
    monkeypatch.setattr(outbox, "_checked_payload", lambda *args: None)


__all__ = [
    "client",
    "identity_app",
    "identity_db_url",
    "identity_overrides",
    "other_school",
    "school",
    "unchecked_payloads",
]
