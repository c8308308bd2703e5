"""The kernel is exercised through the identity app: it has real authenticated writes.

The identity fixtures are registered here explicitly (no star imports).
"""

from __future__ import annotations

from tests.identity.conftest import (
    client,
    identity_app,
    identity_db_url,
    identity_overrides,
    other_school,
    school,
)

__all__ = [
    "client",
    "identity_app",
    "identity_db_url",
    "identity_overrides",
    "other_school",
    "school",
]
