"""The operator's key rotation command (ID-5)."""

from __future__ import annotations

import httpx
from fastapi import FastAPI

from services.common import jwt
from services.identity.cli import list_keys, rotate_keys
from tests.identity.conftest import login
from tests.identity.factories import SchoolWorld


class TestRotateKeysCommand:
    async def test_rotation_publishes_new_key_and_keeps_old_tokens(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        settings = identity_app.state.settings
        before = await login(client, school["teacher"].username)
        new_kid = await rotate_keys(settings)
        assert new_kid in await list_keys(settings)
        after = await login(client, school["teacher"].username)
        assert jwt.unverified_header(str(after["access_token"]))["kid"] == new_kid
        for tokens in (before, after):
            me = await client.get(
                "/api/v1/identity/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
            )
            assert me.status_code == 200
