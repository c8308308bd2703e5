from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.support.platform import Platform, running_platform


@pytest.fixture
async def platform(db_backend: str) -> AsyncIterator[Platform]:
    """The whole platform with the demo school (fresh databases for each test)."""
    async with running_platform(db_backend) as p:
        yield p
