"""Every write is audited (X-4): who, what, when, from which request — and nothing for
reads or for failed writes. Field names are recorded, never values."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import select

from tests.identity.conftest import bearer
from tests.identity.factories import PASSWORD, SchoolWorld

NEW_PASSWORD = "Zvezdochka-Lesnaya-2027"


async def audit_rows(app: FastAPI, request_id: str) -> list[Any]:
    audit = app.state.kernel.audit
    async with app.state.database.session() as session:
        result = await session.execute(
            select(audit).where(audit.request_id == request_id).order_by(audit.id)
        )
        return list(result.scalars().all())


class TestAuditedWrites:
    async def test_a_write_records_actor_entity_fields_and_request(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        student = school["student"]
        headers = await bearer(client, student.username)
        response = await client.post(
            "/api/v1/identity/me/password",
            json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
            headers={**headers, "X-Request-ID": "audit-write-1"},
        )
        assert response.status_code == 204, response.text
        rows = await audit_rows(identity_app, "audit-write-1")
        user_rows = [r for r in rows if r.entity == "users"]
        assert len(user_rows) == 1
        row = user_rows[0]
        assert row.action == "update"
        assert row.entity_id == str(student.id)
        assert row.actor_id == student.id
        assert row.school_id == school.id
        assert row.at is not None
        assert "password_hash" in row.fields
        assert "updated_at" not in row.fields
        # names only: neither the hash nor the password is in the log
        assert all(NEW_PASSWORD not in f and "$argon2" not in f for f in row.fields)

    async def test_a_creation_records_every_new_row(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        admin = school["admin"]
        headers = await bearer(client, admin.username)
        response = await client.post(
            "/api/v1/identity/users",
            json={
                "username": f"audit-{uuid.uuid4().hex[:8]}",
                "last_name": "Ковалёва",
                "first_name": "Ольга",
                "roles": ["teacher", "staff"],
            },
            headers={**headers, "X-Request-ID": "audit-create-1"},
        )
        assert response.status_code == 201, response.text
        new_id = response.json()["user"]["id"]
        rows = await audit_rows(identity_app, "audit-create-1")
        created = {(r.entity, r.action) for r in rows}
        assert ("users", "create") in created
        assert ("user_roles", "create") in created
        assert all(r.actor_id == admin.id and r.school_id == school.id for r in rows)
        [user_row] = [r for r in rows if r.entity == "users"]
        assert user_row.entity_id == new_id
        assert len([r for r in rows if r.entity == "user_roles"]) == 2

    async def test_reads_write_no_audit_rows(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["admin"].username)
        response = await client.get(
            "/api/v1/identity/me", headers={**headers, "X-Request-ID": "audit-read-1"}
        )
        assert response.status_code == 200
        assert await audit_rows(identity_app, "audit-read-1") == []

    async def test_a_failed_write_leaves_no_audit_rows(
        self, client: httpx.AsyncClient, identity_app: FastAPI, school: SchoolWorld
    ) -> None:
        headers = await bearer(client, school["teacher"].username)
        response = await client.post(
            "/api/v1/identity/me/password",
            json={"current_password": "not-the-password", "new_password": NEW_PASSWORD},
            headers={**headers, "X-Request-ID": "audit-fail-1"},
        )
        assert response.status_code == 422
        assert await audit_rows(identity_app, "audit-fail-1") == []
        weak = await client.post(
            "/api/v1/identity/me/password",
            json={"current_password": PASSWORD, "new_password": "123"},
            headers={**headers, "X-Request-ID": "audit-fail-2"},
        )
        assert weak.status_code == 422
        assert await audit_rows(identity_app, "audit-fail-2") == []
